// A PIN hashing worker (piscina). scryptSync runs on this worker's own thread, never on libuv's
// shared pool, so a login burst cannot queue ahead of the journal's fdatasync or a segment read.
// Plain JavaScript so it loads in a worker thread with or without a TypeScript loader.
import crypto from 'node:crypto';

export default function run({ pin, salt, n, length }) {
  const key = crypto.scryptSync(pin, Buffer.from(salt, 'base64url'), length, {
    N: n,
    r: 8,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  });
  return key.toString('base64url');
}
