/**
 * The aircraft's own Ed25519 key pair, created in the data dir on first start. Its public
 * half is registered on the ground; every request and uplink bundle is signed with it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface AircraftIdentity {
  privateKey: crypto.KeyObject;
  publicKeyPem: string;
}

export const AIRCRAFT_KEY_FILE = 'sync/aircraft-key.pem';

export function loadOrCreateIdentity(dataDir: string): AircraftIdentity {
  const file = path.join(dataDir, AIRCRAFT_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    fs.writeSync(fd, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    fs.fsyncSync(fd); // losing the key after registering it would cut the aircraft off the ground
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  }
  const privateKey = crypto.createPrivateKey(fs.readFileSync(file, 'utf8'));
  return { privateKey, publicKeyPem: crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
}

/** Config gives the ground's public key as PEM text or as a file holding it. */
export function readGroundPublicKey(value: string | undefined): crypto.KeyObject | undefined {
  if (!value) return undefined;
  const pem = value.includes('BEGIN PUBLIC KEY') ? value : fs.readFileSync(value, 'utf8');
  return crypto.createPublicKey(pem);
}
