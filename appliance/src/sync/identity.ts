/**
 * The aircraft's own Ed25519 key pair, created in the data dir on first start. Its public
 * half is registered on the ground; every request and uplink bundle is signed with it.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IfecError } from '@ifec/protocol';
import { publicKeyFingerprint } from '@ifec/protocol/node';
import { ConfigError } from '../config.ts';

export interface AircraftIdentity {
  privateKey: crypto.KeyObject;
  publicKeyPem: string;
  /** sha256 of the public key (hex): what the ground shows next to a registered aircraft. */
  fingerprint: string;
}

export class NoAircraftKeyError extends IfecError<'NO_AIRCRAFT_KEY'> {
  constructor(message: string) {
    super('NO_AIRCRAFT_KEY', message);
  }
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
  return readIdentity(dataDir);
}

/** The key an appliance created in `dataDir`; never creates one (a key that belongs to no aircraft is a trap). */
export function readIdentity(dataDir: string): AircraftIdentity {
  const file = path.join(dataDir, AIRCRAFT_KEY_FILE);
  if (!fs.existsSync(file))
    throw new NoAircraftKeyError(
      `no aircraft key in ${dataDir} (${AIRCRAFT_KEY_FILE}): start the appliance once on this data dir to provision the aircraft, or point IFEC_DATA_DIR at the aircraft's data dir`,
    );
  const privateKey = crypto.createPrivateKey(fs.readFileSync(file, 'utf8'));
  const publicKey = crypto.createPublicKey(privateKey);
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: publicKeyFingerprint(publicKey),
  };
}

/**
 * Config gives the ground's public key as PEM text or as a file holding it. Read at start,
 * before anything else: a bad value stops start-up with one line naming the variable.
 */
export function readGroundPublicKey(
  value: string | undefined,
  variable = 'IFEC_GROUND_PUBLIC_KEY',
): crypto.KeyObject | undefined {
  if (!value) return undefined;
  let pem = value;
  if (!value.includes('-----BEGIN')) {
    try {
      pem = fs.readFileSync(value, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(
        `invalid config: ${variable}: cannot read the ground's public key file ${value} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`,
      );
    }
  }
  if (pem.includes('PRIVATE KEY'))
    throw new ConfigError(
      `invalid config: ${variable}: ${value === pem ? 'the value' : value} is a private key; give the ground's public key (ifec-ground public-key prints it)`,
    );
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch {
    throw new ConfigError(
      `invalid config: ${variable}: ${value === pem ? 'the value' : value} is not a PEM public key`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ConfigError(
      `invalid config: ${variable}: the ground's key must be Ed25519, not ${key.asymmetricKeyType}`,
    );
  return key;
}
