/**
 * Stateless signed tokens (HMAC-SHA256 with the appliance's secret): crew sessions survive an
 * appliance restart, and phone/service passwords need no table.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type FileOps, nodeFileOps } from '../store/files.ts';

export const SECRET_FILE = 'appliance.secret';
const SECRET_BYTES = 32;

/** An empty or short signing key: with it anyone could forge crew tokens and derive passwords. */
export class SecretInvalidError extends Error {
  readonly code = 'SECRET_INVALID';
}

export class TokenSigner {
  constructor(private readonly secret: Buffer) {
    if (secret.length < SECRET_BYTES)
      throw new SecretInvalidError(`signing key has ${secret.length} bytes; at least ${SECRET_BYTES} are required`);
  }

  /**
   * Loads the appliance secret from the data dir, creating it on first start. It is written
   * atomically (a power cut leaves no file or the whole key), and an empty or short file is
   * refused rather than used: restore the data dir's secret or re-provision.
   */
  static fromDataDir(dataDir: string, files: FileOps = nodeFileOps): TokenSigner {
    const file = path.join(dataDir, SECRET_FILE);
    if (!fs.existsSync(file)) files.writeAtomic(file, crypto.randomBytes(SECRET_BYTES), 0o600);
    const secret = fs.readFileSync(file);
    if (secret.length < SECRET_BYTES)
      throw new SecretInvalidError(
        `${file} holds ${secret.length} bytes, not a ${SECRET_BYTES}-byte key; refusing to start with it (restore it from a backup or re-provision the appliance)`,
      );
    return new TokenSigner(secret);
  }

  sign(claims: Record<string, unknown>, ttlS: number, now = Date.now()): string {
    const body = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(now / 1000) + ttlS })).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a valid, unexpired token; undefined otherwise. */
  verify<T extends Record<string, unknown>>(token: string, now = Date.now()): (T & { exp: number }) | undefined {
    const dot = token.indexOf('.');
    if (dot < 1) return undefined;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T & { exp: number };
      return typeof claims.exp === 'number' && claims.exp * 1000 > now ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  /** A deterministic password for a named principal (a service or a phone). */
  derive(label: string): string {
    return this.mac(`derive:${label}`);
  }

  private mac(data: string): string {
    return crypto.createHmac('sha256', this.secret).update(data).digest('base64url');
  }
}
