/**
 * Ed25519 signatures of the sync: aircraft -> ground requests, and the ground's publications.
 * Node only (node:crypto): imported from `@ifec/protocol/node`.
 */
import crypto from 'node:crypto';
import { canonicalJson, type KeyInput, publicKeyFingerprint } from './content-load.ts';
import type { SignatureBlock } from './sync.ts';

// ---- aircraft request signing ---------------------------------------------------------

/** Aircraft -> ground requests carry `authorization: IFEC-Aircraft id=..,ts=..,sig=..`. */
export const AIRCRAFT_AUTH_SCHEME = 'IFEC-Aircraft';
export const AIRCRAFT_AUTH_MAX_SKEW_MS = 10 * 60 * 1000;

function requestDigest(method: string, path: string, ts: number, body: Buffer | undefined): Buffer {
  const bodyHash = crypto
    .createHash('sha256')
    .update(body ?? Buffer.alloc(0))
    .digest('hex');
  return Buffer.from(`${method.toUpperCase()}\n${path}\n${ts}\n${bodyHash}`);
}

export function signAircraftRequest(
  aircraft: string,
  privateKey: crypto.KeyObject,
  method: string,
  path: string,
  body?: Buffer,
  now = Date.now(),
): string {
  const sig = crypto.sign(null, requestDigest(method, path, now, body), privateKey).toString('base64');
  return `${AIRCRAFT_AUTH_SCHEME} id=${aircraft},ts=${now},sig=${sig}`;
}

export function parseAircraftAuth(
  header: string | undefined,
): { aircraftId: string; ts: number; sig: Buffer } | undefined {
  const m = /^IFEC-Aircraft id=([A-Z0-9-]{2,10}),ts=(\d{1,16}),sig=([A-Za-z0-9+/=]{1,200})$/.exec(header ?? '');
  return m ? { aircraftId: m[1]!, ts: Number(m[2]), sig: Buffer.from(m[3]!, 'base64') } : undefined;
}

export function verifyAircraftRequest(
  auth: { ts: number; sig: Buffer },
  publicKey: KeyInput,
  method: string,
  path: string,
  body: Buffer | undefined,
  now = Date.now(),
): 'ok' | 'REQUEST_STALE' | 'BAD_SIGNATURE' {
  if (Math.abs(now - auth.ts) > AIRCRAFT_AUTH_MAX_SKEW_MS) return 'REQUEST_STALE';
  const key = typeof publicKey === 'string' ? crypto.createPublicKey(publicKey) : publicKey;
  return crypto.verify(null, requestDigest(method, path, auth.ts, body), key, auth.sig) ? 'ok' : 'BAD_SIGNATURE';
}

// ---- downlink publications ------------------------------------------------------------

export function signBlock<T extends object>(value: T, privateKey: crypto.KeyObject): T & { signature: SignatureBlock } {
  const sig = crypto.sign(null, Buffer.from(canonicalJson(value)), privateKey).toString('base64');
  return { ...value, signature: { alg: 'Ed25519', keyId: publicKeyFingerprint(privateKey), value: sig } };
}

/** True when `signature` is a valid signature of the rest by this key. */
export function verifyBlock(value: { signature: SignatureBlock }, publicKey: KeyInput): boolean {
  const key = typeof publicKey === 'string' ? crypto.createPublicKey(publicKey) : publicKey;
  if (value.signature.keyId !== publicKeyFingerprint(key)) return false;
  const { signature, ...rest } = value;
  try {
    return crypto.verify(null, Buffer.from(canonicalJson(rest)), key, Buffer.from(signature.value, 'base64'));
  } catch {
    return false;
  }
}
