/**
 * Card capture in the client: the number is checked (Luhn, expiry, brand), hashed for the
 * deny list and encrypted with the ground's RSA-OAEP key in WebCrypto before anything leaves
 * the screen. The aircraft gets only the sealed token (see docs/pci-dss-scope.md). Runs the
 * same in the browser and in Node 20 (globalThis.crypto.subtle), so tests use this very code.
 */
import {
  brandOf,
  CARD_HASH_ITERATIONS,
  type CardEncryptionKey,
  type CardToken,
  cardExpired,
  luhnRestOf,
  luhnValid,
} from '@ifec/protocol';

export type CardProblem = 'CARD_INVALID_NUMBER' | 'CARD_EXPIRED' | 'CARD_BRAND_UNKNOWN';

export class CardRefused extends Error {
  constructor(
    readonly code: CardProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface CardDetails {
  pan: string;
  expMonth: number;
  expYear: number;
}

/** A card reader (chip/contactless) as the shop sees it: one read per payment. */
export interface CardReader {
  readonly name: string;
  read(signal?: AbortSignal): Promise<CardDetails>;
}

/** A reader for tests and demos: hands over the card it was given. */
export class SoftwareCardReader implements CardReader {
  readonly name = 'software';
  constructor(private readonly card: CardDetails) {}
  async read(): Promise<CardDetails> {
    return { ...this.card };
  }
}

const bytesOfHex = (hex: string) => new Uint8Array(hex.match(/../g)!.map((h) => Number.parseInt(h, 16)));
const hexOf = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
const bytesOfBase64 = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const base64Of = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** Checks a typed card as the passenger types it: undefined when it may be sent. */
export function cardProblem(card: CardDetails, now = new Date()): CardRefused | undefined {
  const pan = card.pan.replace(/[\s-]/g, '');
  if (!luhnValid(pan)) return new CardRefused('CARD_INVALID_NUMBER', 'this card number is not valid');
  if (!brandOf(pan)) return new CardRefused('CARD_BRAND_UNKNOWN', 'this kind of card is not accepted');
  if (cardExpired(card.expMonth, card.expYear, now)) return new CardRefused('CARD_EXPIRED', 'this card has expired');
  return undefined;
}

/** The deny-list hash: PBKDF2-SHA256 of the number with the catalogue's salt (slow on purpose). */
export async function cardHash(pan: string, saltHex: string): Promise<string> {
  const subtle = globalThis.crypto.subtle;
  const base = await subtle.importKey('raw', new TextEncoder().encode(pan), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: bytesOfHex(saltHex), iterations: CARD_HASH_ITERATIONS },
    base,
    256,
  );
  return hexOf(bits);
}

/**
 * Seals a card for one order. `check: false` skips the client's own checks (tests use it to
 * show that the aircraft refuses what a broken or hostile client sends).
 */
export async function sealCard(
  card: CardDetails,
  orderId: string,
  key: CardEncryptionKey,
  saltHex: string,
  options: { source?: 'keyed' | 'reader'; check?: boolean; now?: Date } = {},
): Promise<CardToken> {
  const pan = card.pan.replace(/[\s-]/g, '');
  if (options.check !== false) {
    const problem = cardProblem({ ...card, pan }, options.now);
    if (problem) throw problem;
  }
  const subtle = globalThis.crypto.subtle;
  const publicKey = await subtle.importKey(
    'spki',
    bytesOfBase64(key.spki),
    { name: 'RSA-OAEP', hash: 'SHA-256' },
    false,
    ['encrypt'],
  );
  const plaintext = JSON.stringify({ pan, expMonth: card.expMonth, expYear: card.expYear, orderId });
  const ciphertext = await subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, new TextEncoder().encode(plaintext));
  return {
    ciphertext: base64Of(ciphertext),
    keyId: key.keyId,
    last4: pan.slice(-4),
    brand: brandOf(pan) ?? 'visa',
    expMonth: card.expMonth,
    expYear: card.expYear,
    luhnRest: luhnRestOf(pan),
    hash: await cardHash(pan, saltHex),
    source: options.source ?? 'keyed',
  };
}
