/**
 * Credentials at rest. Crew PINs are short, so they are hashed with scrypt (checked on the
 * worker pool of pin-hasher.ts; this module hashes only at provisioning); seat secrets
 * are 192 random bits, so a SHA-256 is enough and keeps 850 seats reconnecting at once cheap.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: crypto.ScryptOptions,
) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };

export async function hashPin(pin: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(pin, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function newSeatSecret(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function hashSeatSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

export function verifySeatSecret(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSeatSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

export function newPin(digits = 6): string {
  return String(crypto.randomInt(0, 10 ** digits)).padStart(digits, '0');
}
