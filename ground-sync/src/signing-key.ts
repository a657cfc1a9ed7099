/**
 * The ground's Ed25519 signing key: publications and downlink bundles are signed with it;
 * aircraft trust its public half. Every process on one database must sign with the same key,
 * so the database remembers the fingerprint of the key it was first served with: a process
 * with another key, or with none configured where one is already in use, refuses to start.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IfecError } from '@ifec/protocol';
import { publicKeyFingerprint } from '@ifec/protocol/node';
import type { Queryable } from './store/database.ts';

export class SigningKeyError extends IfecError<
  'SIGNING_KEY_INVALID' | 'SIGNING_KEY_MISSING' | 'SIGNING_KEY_MISMATCH' | 'SIGNING_KEY_REQUIRED'
> {}

export interface SigningKey {
  privateKey: crypto.KeyObject;
  publicKeyPem: string;
  fingerprint: string;
  /** From GROUND_SIGNING_KEY / GROUND_SIGNING_KEY_FILE, as opposed to generated in this process's data dir. */
  configured: boolean;
  /** Writes a newly generated key to its file (only once the database accepted it). */
  persist(): void;
}

function fromPem(pem: string, where: string, configured: boolean, persist: () => void = () => {}): SigningKey {
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(pem);
  } catch (error) {
    throw new SigningKeyError('SIGNING_KEY_INVALID', `${where} is not a PEM private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(
      'SIGNING_KEY_INVALID',
      `${where} holds a ${privateKey.asymmetricKeyType} key; the ground signs with Ed25519`,
    );
  const publicKeyPem = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, fingerprint: publicKeyFingerprint(publicKeyPem), configured, persist };
}

/** The configured key (variable, then file), else the one generated earlier in the data dir, else a new one (not yet written). */
export function resolveSigningKey(options: { pem?: string; file: string; configured: boolean }): SigningKey {
  if (options.pem) return fromPem(options.pem, 'GROUND_SIGNING_KEY', true);
  if (fs.existsSync(options.file))
    return fromPem(fs.readFileSync(options.file, 'utf8'), options.file, options.configured);
  if (options.configured)
    throw new SigningKeyError('SIGNING_KEY_MISSING', `GROUND_SIGNING_KEY_FILE ${options.file} does not exist`);
  const pem = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return fromPem(pem, 'a new key', false, () => {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    // wx: two processes starting at once on one data dir must not overwrite each other's key.
    try {
      fs.writeFileSync(options.file, pem, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  });
}

/** Compatibility for callers that only have a file: read it, or create it. */
export function loadOrCreateSigningKey(file: string): { privateKey: crypto.KeyObject; publicKeyPem: string } {
  const key = resolveSigningKey({ file, configured: false });
  key.persist();
  return key;
}

/**
 * Records the key in the database at first start; later starts must bring the same key. A
 * generated key may claim an empty database (one process trying things out), never a used one.
 */
export async function claimSigningKey(db: Queryable, key: SigningKey): Promise<void> {
  await db.query(
    'INSERT INTO ground_signing_key (fingerprint, public_key, configured) VALUES ($1, $2, $3) ON CONFLICT (only_one) DO NOTHING',
    [key.fingerprint, key.publicKeyPem, key.configured],
  );
  const { rows } = await db.query<{ fingerprint: string; configured: boolean }>(
    'SELECT fingerprint, configured FROM ground_signing_key',
  );
  const held = rows[0]!;
  if (held.fingerprint === key.fingerprint) {
    if (key.configured && !held.configured) await db.query('UPDATE ground_signing_key SET configured = true');
    return;
  }
  const theirs = held.fingerprint.slice(0, 16);
  if (key.configured) {
    throw new SigningKeyError(
      'SIGNING_KEY_MISMATCH',
      `the configured signing key (fingerprint ${key.fingerprint.slice(0, 16)}…) is not the key this database's aircraft trust (${theirs}…): every ground process on one database must sign with the same key`,
    );
  }
  throw new SigningKeyError(
    'SIGNING_KEY_REQUIRED',
    `no signing key configured, and this database is already served by ground processes signing with key ${theirs}…: give every process that key with GROUND_SIGNING_KEY_FILE (a mounted secret) or GROUND_SIGNING_KEY`,
  );
}
