/** `ifec-media keygen`: an Ed25519 key pair for signing content loads, written as PEM files. */
import fs from 'node:fs';
import path from 'node:path';
import { generateSigningKeys, publicKeyFingerprint } from '@ifec/protocol/node';
import { MediaError } from '../errors.ts';

export interface SigningKeyFiles {
  privateKeyFile: string;
  publicKeyFile: string;
  fingerprint: string;
}

export function writeSigningKeys(dir: string, name = 'content-signing', force = false): SigningKeyFiles {
  fs.mkdirSync(dir, { recursive: true });
  const privateKeyFile = path.join(dir, `${name}.key.pem`);
  const publicKeyFile = path.join(dir, `${name}.pub.pem`);
  if (!force && (fs.existsSync(privateKeyFile) || fs.existsSync(publicKeyFile))) {
    throw new MediaError(
      'OUTPUT_EXISTS',
      `${privateKeyFile} or ${publicKeyFile} already exists (pass --force to replace)`,
    );
  }
  const { privateKeyPem, publicKeyPem } = generateSigningKeys();
  fs.writeFileSync(privateKeyFile, privateKeyPem, { mode: 0o600 });
  fs.writeFileSync(publicKeyFile, publicKeyPem);
  return { privateKeyFile, publicKeyFile, fingerprint: publicKeyFingerprint(publicKeyPem) };
}

export function readPem(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new MediaError('KEY_INVALID', `${what} ${file} cannot be read`);
  }
}
