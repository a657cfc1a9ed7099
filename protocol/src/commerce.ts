/**
 * The onboard shop: what the seat, the phone, the appliance and the ground must agree on.
 *
 * The catalogue comes down as a signed publication (kind `price-list`, name `shop`), the deny
 * list of card hashes as another (kind `deny-list`, name `shop-cards`). An order is chosen
 * and numbered by the client (its id is the idempotency key from the seat to the acquirer);
 * card data is encrypted in the client with the ground's RSA-OAEP key from the catalogue, so
 * the aircraft only ever holds ciphertext, the last four digits, the brand, the expiry and a
 * keyed hash. Amounts are integers in the currency's minor unit (cents): no float money.
 *
 * Browser-safe: no `node:` import (the seat app imports the Luhn and brand helpers too).
 */
import { z } from 'zod';
import { policyRegion } from './policy.ts';

/** The publications the shop reads. */
export const SHOP_CATALOGUE_PUBLICATION = 'shop';
export const SHOP_DENY_LIST_PUBLICATION = 'shop-cards';

/** Kinds of the journal records the shop writes (the order goes to the ground on the critical stream). */
export const ORDER_RECORD = 'order';
export const ORDER_STATUS_RECORD = 'order.status';

export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as EUR');
const minor = z.number().int().min(0).max(10_000_000);
const sku = z.string().regex(/^[a-z0-9][a-z0-9:._-]{0,63}$/, 'a sku such as drink-cola or title:night-flight');
const text = z.record(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/), z.string().min(1).max(200));

export const shopItemKind = z.enum(['duty-free', 'food', 'drink', 'wifi', 'title', 'pass', 'bundle']);
export type ShopItemKind = z.infer<typeof shopItemKind>;
/** Goods a crew member brings to the seat; the rest (passes, titles) is delivered by the system at once. */
export const PHYSICAL_KINDS: ReadonlySet<ShopItemKind> = new Set(['duty-free', 'food', 'drink']);

export const shopItem = z
  .object({
    sku,
    kind: shopItemKind,
    /** Per language; `en` is the fallback. */
    name: text.refine((n) => n.en !== undefined, 'a name in en'),
    priceMinor: minor,
    /** Wi-Fi passes: price per price zone of the airspace policy (`priceZone`); absent zone = priceMinor. */
    zonePrices: z.record(z.string().regex(/^[a-z0-9-]{1,32}$/), minor).optional(),
    /** Loaded for this flight; absent = unlimited (digital goods). */
    stock: z.number().int().min(0).max(100_000).optional(),
    /** Pay-per-view: the title this sku unlocks. */
    titleId: z.string().min(1).max(64).optional(),
    /** Wi-Fi and entertainment passes: how long they last; absent = the whole flight. */
    durationMin: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
    /** Bundles: the skus inside (they count against their stock). */
    includes: z.array(sku).max(10).optional(),
    /** An image from the media pipeline's image step (a path under the content load). */
    image: z.string().max(256).optional(),
    /** Most one seat may buy in one order. */
    maxQty: z.number().int().min(1).max(20).default(10),
  })
  .strict();
export type ShopItem = z.infer<typeof shopItem>;

export const cardEncryptionKey = z
  .object({
    alg: z.literal('RSA-OAEP-256'),
    /** SubjectPublicKeyInfo, base64 (WebCrypto `importKey('spki', …)`). */
    spki: z.string().min(100).max(2000),
    keyId: z.string().regex(/^[0-9a-f]{16,64}$/),
  })
  .strict();
export type CardEncryptionKey = z.infer<typeof cardEncryptionKey>;

export const offlineLimits = z
  .object({
    /** Largest order a card may pay offline (no authorisation is possible in the air). */
    floorLimitMinor: minor,
    /** Per card per flight: total spent and orders placed. */
    perCardFlightMinor: minor,
    perCardOrders: z.number().int().min(1).max(1000),
    /** Different cards one seat may use in a flight (many cards from one seat is a fraud signal). */
    cardsPerSeat: z.number().int().min(1).max(50),
  })
  .strict();
export type OfflineLimits = z.infer<typeof offlineLimits>;

/** The payload of the `price-list`/`shop` publication. */
export const shopCatalogue = z
  .object({
    currency: currencyCode,
    /** Display rates: 1 unit of the airline's currency in others (the charge is always in `currency`). */
    rates: z.record(currencyCode, z.number().positive().max(1_000_000)).default({}),
    /** Pay-per-view prices by the content load's price tier (`premium-2` -> 499). */
    titleTiers: z.record(z.string().min(1).max(32), minor).default({}),
    items: z.array(shopItem).max(2000),
    cardKey: cardEncryptionKey,
    /** PBKDF2 salt for the deny-list hash of a card number (the ground builds the list with the same). */
    cardHashSalt: z.string().regex(/^[0-9a-f]{32,128}$/),
    limits: offlineLimits,
  })
  .strict();
export type ShopCatalogue = z.infer<typeof shopCatalogue>;

/** The payload of the `deny-list`/`shop-cards` publication. */
export const shopDenyList = z.object({ cardHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(200_000) }).strict();

export const cardBrand = z.enum(['visa', 'mastercard', 'amex', 'discover', 'jcb', 'unionpay', 'diners']);
export type CardBrand = z.infer<typeof cardBrand>;

/** Iterations of PBKDF2-SHA256 for the card hash: slow on purpose (see docs/pci-dss-scope.md). */
export const CARD_HASH_ITERATIONS = 100_000;

/**
 * What leaves the client about a card. `ciphertext` is RSA-OAEP-256 over the JSON of
 * `cardPlaintext`; the rest is what the aircraft may know. `luhnRest` is the Luhn sum of
 * every digit but the last four, mod 10: with the last four it lets the aircraft check the
 * check digit, and for a valid card it tells nothing the last four do not already imply.
 */
export const cardToken = z
  .object({
    ciphertext: z
      .string()
      .regex(/^[A-Za-z0-9+/]+=*$/)
      .min(300)
      .max(1400),
    keyId: z.string().regex(/^[0-9a-f]{16,64}$/),
    last4: z.string().regex(/^[0-9]{4}$/),
    brand: cardBrand,
    expMonth: z.number().int().min(1).max(12),
    expYear: z.number().int().min(2000).max(2100),
    luhnRest: z.number().int().min(0).max(9),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    /** How it was read: typed on a screen, or from a card reader (a P2PE device encrypts itself). */
    source: z.enum(['keyed', 'reader']).default('keyed'),
  })
  .strict();
export type CardToken = z.infer<typeof cardToken>;

/** Inside the ciphertext: the card and the order it pays (so a ciphertext cannot pay another order). */
export const cardPlaintext = z
  .object({
    pan: z.string().regex(/^[0-9]{12,19}$/),
    expMonth: z.number().int().min(1).max(12),
    expYear: z.number().int().min(2000).max(2100),
    orderId: z.string().uuid(),
  })
  .strict();
export type CardPlaintext = z.infer<typeof cardPlaintext>;

export const MAX_ORDER_LINES = 20;
export const MAX_LINE_QTY = 20;

export const orderLine = z
  .object({
    sku,
    qty: z.number().int().min(1).max(MAX_LINE_QTY),
    /** What the screen showed: an order whose price differs from the catalogue's is refused. */
    unitPriceMinor: minor,
  })
  .strict();
export type OrderLine = z.infer<typeof orderLine>;

/** Where the receipt is mailed after landing: personal data, kept only until the mail is sent. */
export const receiptEmail = z
  .email('an e-mail address such as name@example.com')
  .max(200, 'an e-mail address of at most 200 characters');

/** POST /api/shop/orders */
export const orderRequest = z
  .object({
    orderId: z.string().uuid(),
    seatId: z.string().regex(/^[0-9]{1,3}[A-Z]$/, 'a seat id such as 12A'),
    lines: z.array(orderLine).min(1).max(MAX_ORDER_LINES),
    currency: currencyCode,
    totalMinor: minor,
    card: cardToken,
    /** For the receipt after landing (through the ground's mail relay). */
    email: receiptEmail.optional(),
  })
  .strict();
export type OrderRequest = z.infer<typeof orderRequest>;

export const orderStatus = z.enum(['placed', 'accepted', 'delivered', 'fulfilled', 'cancelled', 'out-of-stock']);
export type OrderStatus = z.infer<typeof orderStatus>;

/** What the aircraft journals and sends to the ground (record kind `order`, id = orderId). */
export const orderRecord = z
  .object({
    orderId: z.string().uuid(),
    aircraftId: z.string().min(1).max(16),
    seatId: z.string().min(1).max(8),
    /** The passenger session the order belongs to: its titles and passes end with it. */
    sessionId: z.string().min(1).max(64),
    /** `seat:12A` or `phone:<deviceId>`. */
    placedBy: z.string().min(1).max(64),
    placedAt: z.string(),
    currency: currencyCode,
    lines: z.array(
      orderLine.extend({
        kind: shopItemKind,
        titleId: z.string().optional(),
        /** A bundle's items: they count against their own stock. */
        includes: z.array(z.string()).max(10).optional(),
        /** Wi-Fi and entertainment passes: minutes each unit lasts, as sold; absent = the whole flight. */
        durationMin: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .optional(),
      }),
    ),
    totalMinor: minor,
    card: cardToken.omit({ luhnRest: true }),
    priceZone: z.string().max(32),
    region: policyRegion.nullable(),
    email: z.string().max(200).optional(),
    status: orderStatus,
  })
  .strict();
export type OrderRecord = z.infer<typeof orderRecord>;

/** Crew: POST /api/crew/shop/orders/:orderId/status */
export const orderStatusChange = z
  .object({ status: z.enum(['accepted', 'delivered', 'cancelled', 'out-of-stock']) })
  .strict();

/** Journal record `order.status` (to the ground: a cancelled order is refunded or never charged). */
export const orderStatusRecord = z
  .object({ orderId: z.string().uuid(), status: orderStatus, by: z.string().max(64), at: z.string() })
  .strict();
export type OrderStatusRecord = z.infer<typeof orderStatusRecord>;

/** The answer to an accepted order. */
export const orderReceipt = z
  .object({
    orderId: z.string().uuid(),
    seatId: z.string(),
    status: orderStatus,
    totalMinor: minor,
    currency: currencyCode,
    lines: z.array(orderLine),
    card: z.object({ brand: cardBrand, last4: z.string() }),
    placedAt: z.string(),
    /** True when this id was accepted before (a client retry): nothing new was stored. */
    duplicate: z.boolean(),
  })
  .strict();
export type OrderReceipt = z.infer<typeof orderReceipt>;

export const shopPaths = {
  catalogue: '/api/shop/catalogue',
  orders: '/api/shop/orders',
  entitlements: '/api/shop/entitlements',
  crewOrders: '/api/crew/shop/orders',
  crewOrderStatus: '/api/crew/shop/orders/:orderId/status',
  crewStock: '/api/crew/shop/stock',
  crewGalley: '/api/crew/shop/galley',
} as const;

/** Refusals of an order; each has an HTTP status in the appliance's table. */
export type OrderRefusalCode =
  | 'ORDER_INVALID'
  | 'SHOP_CLOSED'
  | 'UNKNOWN_ITEM'
  | 'PRICE_CHANGED'
  | 'TOTAL_MISMATCH'
  | 'WRONG_CURRENCY'
  | 'QTY_TOO_LARGE'
  | 'OUT_OF_STOCK'
  | 'NOT_YOUR_SEAT'
  | 'ORDER_ID_REUSED'
  | 'CARD_INVALID_NUMBER'
  | 'CARD_EXPIRED'
  | 'CARD_KEY_UNKNOWN'
  | 'CARD_DENIED'
  | 'ABOVE_FLOOR_LIMIT'
  | 'CARD_LIMIT_REACHED'
  | 'TOO_MANY_CARDS'
  | 'ORDER_RATE_LIMITED'
  | 'SHOP_LOGIN_REQUIRED'
  | 'UNKNOWN_ORDER'
  | 'ORDER_STATUS_INVALID';

// ---- helpers both the client and the aircraft run -----------------------------------------

/** Luhn sum (mod 10) of digits, the rightmost being at `firstPosition` (1 = the check digit, not doubled). */
export function luhnSum(digits: string, firstPosition = 1): number {
  let sum = 0;
  for (let i = digits.length - 1, pos = firstPosition; i >= 0; i--, pos++) {
    let d = digits.charCodeAt(i) - 48;
    if (pos % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10;
}

export function luhnValid(pan: string): boolean {
  return /^[0-9]{12,19}$/.test(pan) && luhnSum(pan) === 0;
}

/** The Luhn sum of every digit but the last four (what the client sends as `luhnRest`). */
export function luhnRestOf(pan: string): number {
  return luhnSum(pan.slice(0, -4), 5);
}

/** The check the aircraft can make without the number: the rest's sum and the last four add up. */
export function luhnConsistent(last4: string, luhnRest: number): boolean {
  return (luhnSum(last4, 1) + luhnRest) % 10 === 0;
}

/** The brand from the number's leading digits (IIN ranges). */
export function brandOf(pan: string): CardBrand | undefined {
  if (/^4/.test(pan)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6][0-9]|7[01]|720))/.test(pan)) return 'mastercard';
  if (/^3[47]/.test(pan)) return 'amex';
  if (/^3(0[0-5]|[689])/.test(pan)) return 'diners';
  if (/^(6011|65|64[4-9])/.test(pan)) return 'discover';
  if (/^35(2[89]|[3-8][0-9])/.test(pan)) return 'jcb';
  if (/^62/.test(pan)) return 'unionpay';
  return undefined;
}

/** Whether a card is still valid in the month of `now` (a card works through its expiry month). */
export function cardExpired(expMonth: number, expYear: number, now: Date): boolean {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() + 1;
  return expYear < y || (expYear === y && expMonth < m);
}

/** Shown in the passenger's currency at the published rate; charged in the airline's. */
export function displayPrice(priceMinor: number, rate: number | undefined): number {
  return rate === undefined ? priceMinor : Math.round(priceMinor * rate);
}
