/**
 * Shop tests' helpers: the airline publishes a catalogue with the ground's card key; seats
 * log in and phones pair through the appliance's real routes; orders are built and their
 * cards sealed with the seat app's own card-capture code (WebCrypto, as in the browser).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CardEncryptionKey, OrderRequest, ShopCatalogue } from '@ifec/protocol';
import { CREDENTIALS_FILE } from '../../appliance/src/demo/first-run.ts';
import { type CardDetails, sealCard } from '../../seat-client/src/shop/card-capture.ts';

export const CARD_OK: CardDetails = { pan: '4242424242424242', expMonth: 12, expYear: 2030 };
export const CARD_FUNDS: CardDetails = { pan: '4000000000009995', expMonth: 12, expYear: 2030 };
export const CARD_STOLEN: CardDetails = { pan: '4000000000009979', expMonth: 12, expYear: 2030 };
export const TEST_PANS = ['4242424242424242', '4000000000009995', '4000000000009979', '4242424242424241'];
export const SALT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

export function shopCatalogueFor(cardKey: CardEncryptionKey, overrides: Partial<ShopCatalogue> = {}): ShopCatalogue {
  return {
    currency: 'EUR',
    rates: { USD: 1.08, GBP: 0.86 },
    titleTiers: { 'premium-1': 399, 'premium-2': 499 },
    items: [
      { sku: 'drink-cola', kind: 'drink', name: { en: 'Cola', fr: 'Cola' }, priceMinor: 350, stock: 400, maxQty: 10 },
      { sku: 'food-sandwich', kind: 'food', name: { en: 'Club sandwich' }, priceMinor: 890, stock: 300, maxQty: 10 },
      {
        sku: 'dutyfree-perfume',
        kind: 'duty-free',
        name: { en: 'Eau de parfum 50 ml' },
        priceMinor: 6900,
        stock: 3,
        maxQty: 2,
      },
      {
        sku: 'wifi-flight',
        kind: 'wifi',
        name: { en: 'Wi-Fi for the flight' },
        priceMinor: 1500,
        zonePrices: { europe: 1200, default: 1500 },
        maxQty: 1,
      },
      { sku: 'pass-entertainment', kind: 'pass', name: { en: 'Entertainment pass' }, priceMinor: 1299, maxQty: 1 },
      {
        sku: 'title:night-flight',
        kind: 'title',
        name: { en: 'Night Flight' },
        priceMinor: 499,
        titleId: 'night-flight',
        maxQty: 1,
      },
    ],
    cardKey,
    cardHashSalt: SALT,
    limits: { floorLimitMinor: 20_000, perCardFlightMinor: 200_000, perCardOrders: 500, cardsPerSeat: 3 },
    ...overrides,
  };
}

export async function publishShop(
  groundUrl: string,
  apiKey: string,
  catalogue: ShopCatalogue,
  version: number,
  denied: string[] = [],
): Promise<void> {
  const post = async (body: unknown) => {
    const res = await fetch(`${groundUrl}/admin/v1/publications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
  };
  await post({ kind: 'price-list', name: 'shop', version, payload: catalogue });
  await post({ kind: 'deny-list', name: 'shop-cards', version, payload: { cardHashes: denied } });
}

export async function cardKeyOf(groundUrl: string, apiKey: string): Promise<CardEncryptionKey> {
  const res = await fetch(`${groundUrl}/admin/v1/card-key`, { headers: { authorization: `Bearer ${apiKey}` } });
  return ((await res.json()) as { cardKey: CardEncryptionKey }).cardKey;
}

export function seatSecrets(dataDir: string): [string, string][] {
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as {
    seats: Record<string, string>;
  };
  return Object.entries(credentials.seats);
}

export async function seatLogin(url: string, seatId: string, secret: string): Promise<string> {
  const res = await fetch(`${url}/api/seats/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId, secret }),
  });
  if (!res.ok) throw new Error(`seat login ${seatId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A phone registers and pairs with a seat (the seat shows the code). Returns its Basic header. */
export async function pairPhone(url: string, seatToken: string): Promise<{ auth: string; deviceId: string }> {
  const phone = (await (await fetch(`${url}/api/phones`, { method: 'POST' })).json()) as {
    deviceId: string;
    mqtt: { password: string };
  };
  const code = (await (
    await fetch(`${url}/api/pairing/codes`, { method: 'POST', headers: { authorization: `Bearer ${seatToken}` } })
  ).json()) as { code: string };
  const claim = await fetch(`${url}/api/pairing/claim`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deviceId: phone.deviceId, password: phone.mqtt.password, code: code.code }),
  });
  if (!claim.ok) throw new Error(`pairing: ${claim.status} ${await claim.text()}`);
  const auth = `Basic ${Buffer.from(`phone:${phone.deviceId}:${phone.mqtt.password}`).toString('base64')}`;
  return { auth, deviceId: phone.deviceId };
}

export async function buildOrder(
  seatId: string,
  lines: { sku: string; qty: number; unitPriceMinor: number }[],
  card: CardDetails,
  cardKey: CardEncryptionKey,
  options: { check?: boolean; orderId?: string } = {},
): Promise<OrderRequest> {
  const orderId = options.orderId ?? crypto.randomUUID();
  return {
    orderId,
    seatId,
    lines,
    currency: 'EUR',
    totalMinor: lines.reduce((s, l) => s + l.qty * l.unitPriceMinor, 0),
    card: await sealCard(card, orderId, cardKey, SALT, { check: options.check }),
  };
}

export async function postOrder(
  url: string,
  auth: string,
  order: unknown,
): Promise<{
  status: number;
  body: { orderId?: string; duplicate?: boolean; error?: { code: string; message: string } };
}> {
  const res = await fetch(`${url}/api/shop/orders`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  return { status: res.status, body: (await res.json()) as never };
}
