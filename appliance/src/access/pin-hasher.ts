/**
 * Crew PIN hashing on a small worker-thread pool (piscina) with a bounded queue. scrypt on
 * libuv's pool shares its four threads with fdatasync and file reads: 500 parallel logins once
 * held a PA start and a journal ack for ~10 s. Here a burst waits in its own queue, and past
 * the bound it is refused at once (LoginBusyError) instead of piling up.
 */

import crypto from 'node:crypto';
import { IfecError } from '@ifec/protocol';
import { Piscina } from 'piscina';

const SCRYPT_N = 16384;
const KEY_LENGTH = 32;

export class LoginBusyError extends IfecError<'LOGIN_BUSY'> {
  constructor(message: string) {
    super('LOGIN_BUSY', message);
  }
}

export interface PinHasherOptions {
  /** Worker threads; the appliance has few cores and the PA must keep one. */
  threads?: number;
  /** Hashes waiting beyond the ones running; more are refused. */
  maxQueue?: number;
}

export class PinHasher {
  private readonly pool: Piscina;
  private readonly capacity: number;
  private inFlight = 0;

  constructor(options: PinHasherOptions = {}) {
    const threads = options.threads ?? 1;
    this.capacity = threads + (options.maxQueue ?? 16);
    this.pool = new Piscina({
      filename: new URL('./pin-hash-worker.mjs', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // The worker is plain JavaScript: without the parent's TypeScript loader (--import tsx) it
      // starts in a fraction of the time and takes less CPU from a start.
      execArgv: [],
      // Below the main thread on a busy CPU (Linux, through @napi-rs/nice): the PA wins the core.
      niceIncrement: 19,
    });
  }

  async hash(pin: string): Promise<string> {
    const salt = crypto.randomBytes(16).toString('base64url');
    const key = await this.run(pin, salt, SCRYPT_N, KEY_LENGTH);
    return `scrypt$${SCRYPT_N}$${salt}$${key}`;
  }

  /** True when the PIN matches the stored hash; a malformed hash is simply no match. */
  async verify(pin: string, stored: string): Promise<boolean> {
    const [scheme, n, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !n || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    const actual = Buffer.from(await this.run(pin, salt, Number(n), expected.length), 'base64url');
    return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
  }

  /** PIN checks running or queued at most; one more is refused. */
  get limit(): number {
    return this.capacity;
  }

  get busy(): number {
    return this.inFlight;
  }

  /** True when a PIN check now would be refused (LoginBusyError): a caller may refuse before any work. */
  get full(): boolean {
    return this.inFlight >= this.capacity;
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }

  private async run(pin: string, salt: string, n: number, length: number): Promise<string> {
    // Admission is decided synchronously, so a burst of a thousand sees the bound at once.
    if (this.inFlight >= this.capacity)
      throw new LoginBusyError(`${this.inFlight} PIN checks are already running or queued; try again in a second`);
    this.inFlight++;
    try {
      return (await this.pool.run({ pin, salt, n, length })) as string;
    } finally {
      this.inFlight--;
    }
  }
}
