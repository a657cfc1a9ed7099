/**
 * The shop on a real appliance and a real ground (PGlite, in process): the catalogue comes
 * down as a signed publication; orders are refused for every bad reason with a clear code and
 * nothing journalled; good ones are journalled, uploaded and settled once by the sandbox
 * acquirer, declines reported on the admin API and in the audit; a cancelled order refunded.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test, { after, before } from 'node:test';
import { mountedRoutes, openApiPath } from '@ifec/http-kit';
import type { CardEncryptionKey } from '@ifec/protocol';
import { cardHash } from '../../seat-client/src/shop/card-capture.ts';
import { settlementRouter } from '../src/commerce/http.ts';
import { createGroundApp } from '../src/http/app.ts';
import {
  buildOrder,
  CARD_FUNDS,
  CARD_OK,
  CARD_STOLEN,
  cardKeyOf,
  pairPhone,
  postOrder,
  publishShop,
  SALT,
  seatLogin,
  seatSecrets,
  shopCatalogueFor,
} from './shop-support.ts';
import {
  crewToken,
  quietLog,
  startTestAircraft,
  startTestGround,
  type TestAircraft,
  type TestGround,
  tenantWithKey,
  waitFor,
} from './support.ts';

const TAIL = 'F-HSHP';
let ground: TestGround;
let aircraft: TestAircraft;
let apiKey: string;
let cardKey: CardEncryptionKey;
let seats: { seatId: string; token: string; auth: string }[];

const journalBytes = () => fs.statSync(path.join(aircraft.dataDir, 'journal.log')).size;
const admin = async (p: string, init: RequestInit = {}) => {
  const res = await fetch(`${ground.url}${p}`, {
    ...init,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown[]> };
};

before(async () => {
  ground = await startTestGround('pglite');
  apiKey = await tenantWithKey(ground, 'air-shop');
  aircraft = await startTestAircraft(ground, 'air-shop', TAIL, { IFEC_GROUND_URL: ground.url });
  cardKey = await cardKeyOf(ground.url, apiKey);
  await publishShop(ground.url, apiKey, shopCatalogueFor(cardKey), 1, [await cardHash(CARD_STOLEN.pan, SALT)]);
  await waitFor(
    async () => ((await (await fetch(`${aircraft.url}/api/shop/catalogue`)).json()) as { open: boolean }).open,
    30_000,
    'the shop catalogue on the aircraft',
  );
  seats = [];
  for (const [seatId, secret] of seatSecrets(aircraft.dataDir).slice(0, 4)) {
    const token = await seatLogin(aircraft.url, seatId, secret);
    seats.push({ seatId, token, auth: `Bearer ${token}` });
  }
});
after(async () => {
  await aircraft?.app.stop();
  await ground?.dispose();
});

test('the catalogue shows prices in the airline currency and in the passenger currency at the published rate', async () => {
  const res = await fetch(`${aircraft.url}/api/shop/catalogue?currency=USD&lang=fr`);
  const c = (await res.json()) as {
    currency: string;
    displayCurrency: string;
    items: { sku: string; name: string; unitPriceMinor: number; displayPriceMinor: number; left: number | null }[];
  };
  assert.equal(c.currency, 'EUR');
  assert.equal(c.displayCurrency, 'USD');
  const cola = c.items.find((i) => i.sku === 'drink-cola')!;
  assert.deepEqual([cola.unitPriceMinor, cola.displayPriceMinor, cola.left, cola.name], [350, 378, 400, 'Cola']);
  // No airspace policy yet: the fixed default zone prices the Wi-Fi pass.
  assert.equal(c.items.find((i) => i.sku === 'wifi-flight')!.unitPriceMinor, 1500);
  const garbage = await fetch(`${aircraft.url}/api/shop/catalogue?currency=dollars`);
  assert.equal(garbage.status, 400);
});

test('bad orders are refused with a clear code and nothing is journalled', async () => {
  const [a, b] = seats;
  const cola = { sku: 'drink-cola', qty: 1, unitPriceMinor: 350 };
  const good = await buildOrder(a!.seatId, [cola], CARD_OK, cardKey);
  const expired = { ...CARD_OK, expMonth: 1, expYear: 2021 };
  const cases: [string, string, unknown, string][] = [
    [
      'invalid Luhn',
      a!.auth,
      await buildOrder(a!.seatId, [cola], { ...CARD_OK, pan: '4242424242424241' }, cardKey, { check: false }),
      'CARD_INVALID_NUMBER',
    ],
    ['expired card', a!.auth, await buildOrder(a!.seatId, [cola], expired, cardKey, { check: false }), 'CARD_EXPIRED'],
    ['negative qty', a!.auth, { ...good, lines: [{ ...cola, qty: -1 }] }, 'INVALID_BODY'],
    ['huge qty', a!.auth, { ...good, lines: [{ ...cola, qty: 1_000_000 }] }, 'INVALID_BODY'],
    [
      'qty above the item limit',
      a!.auth,
      { ...good, lines: [{ ...cola, qty: 15 }], totalMinor: 15 * 350 },
      'QTY_TOO_LARGE',
    ],
    ['unknown item', a!.auth, { ...good, lines: [{ sku: 'caviar', qty: 1, unitPriceMinor: 350 }] }, 'UNKNOWN_ITEM'],
    [
      'price changed by the client',
      a!.auth,
      { ...good, lines: [{ ...cola, unitPriceMinor: 1 }], totalMinor: 1 },
      'PRICE_CHANGED',
    ],
    ['total that does not add up', a!.auth, { ...good, totalMinor: 1 }, 'TOTAL_MISMATCH'],
    ['another seat', b!.auth, good, 'NOT_YOUR_SEAT'],
    ['denied card', a!.auth, await buildOrder(a!.seatId, [cola], CARD_STOLEN, cardKey), 'CARD_DENIED'],
    [
      'above the floor limit',
      a!.auth,
      await buildOrder(
        a!.seatId,
        [
          { sku: 'dutyfree-perfume', qty: 2, unitPriceMinor: 6900 },
          { sku: 'food-sandwich', qty: 8, unitPriceMinor: 890 },
        ],
        CARD_OK,
        cardKey,
      ),
      'ABOVE_FLOOR_LIMIT',
    ],
    ['no login', '', good, 'SHOP_LOGIN_REQUIRED'],
    ['garbage', a!.auth, { orderId: 'x', lines: 'all of it' }, 'INVALID_BODY'],
    ['extra field', a!.auth, { ...good, discount: 100 }, 'INVALID_BODY'],
  ];
  const before = journalBytes();
  for (const [what, auth, body, code] of cases) {
    const res = await postOrder(aircraft.url, auth, body);
    assert.equal(res.body.error?.code, code, `${what}: ${JSON.stringify(res.body)}`);
    assert.ok(res.status >= 400 && res.body.error!.message.length > 10, what);
  }
  // The appliance journals other things meanwhile (its ground sync position): none of these orders is among them.
  const appended = fs.readFileSync(path.join(aircraft.dataDir, 'journal.log')).subarray(before).toString('utf8');
  for (const [what, , body] of cases) {
    const id = (body as { orderId?: unknown }).orderId;
    if (typeof id === 'string' && id.length > 8)
      assert.ok(!appended.includes(id), `${what}: nothing journalled for it`);
  }
  const crew = await crewToken(aircraft.url, aircraft.dataDir);
  const queue = (await (
    await fetch(`${aircraft.url}/api/crew/shop/orders`, { headers: { authorization: `Bearer ${crew}` } })
  ).json()) as { orders: unknown[] };
  assert.equal(queue.orders.length, 0, 'nothing stored');

  // The good one is accepted; sent again it is the same receipt (nothing new); changed under its id it is refused.
  const first = await postOrder(aircraft.url, a!.auth, good);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const afterFirst = journalBytes();
  const replay = await postOrder(aircraft.url, a!.auth, good);
  assert.deepEqual([replay.status, replay.body.duplicate], [200, true]);
  const reused = await postOrder(aircraft.url, a!.auth, { ...good, lines: [{ ...cola, qty: 2 }], totalMinor: 700 });
  assert.equal(reused.body.error?.code, 'ORDER_ID_REUSED');
  const replayedElsewhere = await postOrder(aircraft.url, b!.auth, { ...good, seatId: b!.seatId });
  assert.equal(replayedElsewhere.body.error?.code, 'ORDER_ID_REUSED');
  const afterReplays = fs
    .readFileSync(path.join(aircraft.dataDir, 'journal.log'))
    .subarray(afterFirst)
    .toString('utf8');
  assert.ok(!afterReplays.includes(good.orderId), 'a replay stores nothing');
});

test('a seat flooding orders is slowed with ORDER_RATE_LIMITED; a body past the size limit is refused; neither is stored', async () => {
  const c = seats[3]!;
  const orders = await Promise.all(
    Array.from({ length: 30 }, () =>
      buildOrder(c.seatId, [{ sku: 'drink-cola', qty: 1, unitPriceMinor: 350 }], CARD_OK, cardKey),
    ),
  );
  const before = journalBytes();
  const results = await Promise.all(orders.map((o) => postOrder(aircraft.url, c.auth, o)));
  const accepted = results.filter((r) => r.status === 201).length;
  const limited = results.filter((r) => r.body.error?.code === 'ORDER_RATE_LIMITED').length;
  assert.equal(accepted + limited, 30);
  assert.ok(limited >= 5 && accepted >= 10, `accepted ${accepted}, limited ${limited}`);
  const crew = await crewToken(aircraft.url, aircraft.dataDir);
  const queue = (await (
    await fetch(`${aircraft.url}/api/crew/shop/orders`, { headers: { authorization: `Bearer ${crew}` } })
  ).json()) as { orders: { orderId: string }[] };
  const ids = new Set(queue.orders.map((o) => o.orderId));
  for (const [i, r] of results.entries()) assert.equal(ids.has(orders[i]!.orderId), r.status === 201);
  assert.ok(journalBytes() > before);
  const huge = await postOrder(aircraft.url, c.auth, { ...orders[0]!, email: 'x'.repeat(100_000) });
  assert.equal(huge.status, 413);
});

test('qty above an item limit and stock running out are refused by the desk', async () => {
  const c = seats[2]!;
  const many = await buildOrder(c.seatId, [{ sku: 'drink-cola', qty: 15, unitPriceMinor: 350 }], CARD_OK, cardKey);
  assert.equal((await postOrder(aircraft.url, c.auth, many)).body.error?.code, 'QTY_TOO_LARGE');
  const perfume = (qty: number) =>
    buildOrder(c.seatId, [{ sku: 'dutyfree-perfume', qty, unitPriceMinor: 6900 }], CARD_OK, cardKey);
  const results = await Promise.all(
    [perfume(2), perfume(2)].map(async (o) => postOrder(aircraft.url, c.auth, await o)),
  );
  // 3 loaded: of two concurrent orders for 2 each, exactly one gets them.
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
  assert.equal(results.find((r) => r.status === 409)!.body.error?.code, 'OUT_OF_STOCK');
});

test('a paired phone orders for its seat only; a bought title plays at once; orders settle once; declines and refunds are reported', async () => {
  const [a] = seats;
  const phone = await pairPhone(aircraft.url, a!.token);
  const film = await buildOrder(
    a!.seatId,
    [{ sku: 'title:night-flight', qty: 1, unitPriceMinor: 499 }],
    CARD_OK,
    cardKey,
  );
  const other = seats[1]!;
  assert.equal(
    (await postOrder(aircraft.url, phone.auth, { ...film, seatId: other.seatId })).body.error?.code,
    'NOT_YOUR_SEAT',
  );
  assert.equal((await postOrder(aircraft.url, phone.auth, film)).status, 201);
  assert.equal(
    aircraft.app.commerce.purchased(
      { subject: `seat:${a!.seatId}`, device: 'seat', seatId: a!.seatId },
      'night-flight',
    ),
    true,
  );
  assert.equal(
    aircraft.app.commerce.purchased({ subject: `phone:${phone.deviceId}`, device: 'phone' }, 'night-flight'),
    true,
  );
  assert.equal(
    aircraft.app.commerce.purchased(
      { subject: `seat:${other.seatId}`, device: 'seat', seatId: other.seatId },
      'night-flight',
    ),
    false,
  );
  const ent = (await (
    await fetch(`${aircraft.url}/api/shop/entitlements`, { headers: { authorization: phone.auth } })
  ).json()) as { titles: string[] };
  assert.deepEqual(ent.titles, ['night-flight']);

  const declined = await buildOrder(
    other.seatId,
    [{ sku: 'drink-cola', qty: 2, unitPriceMinor: 350 }],
    CARD_FUNDS,
    cardKey,
  );
  assert.equal(
    (await postOrder(aircraft.url, other.auth, declined)).status,
    201,
    'accepted offline; declined on the ground',
  );
  const sandwich = await buildOrder(
    other.seatId,
    [{ sku: 'food-sandwich', qty: 1, unitPriceMinor: 890 }],
    CARD_OK,
    cardKey,
  );
  assert.equal((await postOrder(aircraft.url, other.auth, sandwich)).status, 201);

  const crew = await crewToken(aircraft.url, aircraft.dataDir);
  const orders = (await (
    await fetch(`${aircraft.url}/api/crew/shop/orders`, { headers: { authorization: `Bearer ${crew}` } })
  ).json()) as { orders: { orderId: string; status: string }[] };
  const placed = orders.orders.filter((o) => o.status === 'placed').length;
  assert.ok(placed >= 2, 'physical goods wait for the crew');
  const setStatus = (id: string, status: string) =>
    fetch(`${aircraft.url}/api/crew/shop/orders/${id}/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${crew}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status }),
    });
  assert.equal((await setStatus(sandwich.orderId, 'delivered')).status, 200);
  assert.equal((await setStatus(sandwich.orderId, 'accepted')).status, 409, 'delivered is final');
  const galley = (await (
    await fetch(`${aircraft.url}/api/crew/shop/galley`, { headers: { authorization: `Bearer ${crew}` } })
  ).json()) as { items: { sku: string; units: number }[] };
  assert.ok(galley.items.some((i) => i.sku === 'drink-cola' && i.units >= 1));

  // On the ground: every accepted order settled once.
  const accepted = orders.orders.length;
  await waitFor(
    async () => {
      await ground.settlement.runOnce();
      const { rows } = await ground.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM shop_payments WHERE state <> 'pending'",
      );
      return rows[0]!.n === accepted;
    },
    60_000,
    'every order settled',
  );
  const charges = await ground.db.query<{ n: number; keys: number }>(
    "SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM sandbox_acquirer_charges WHERE kind = 'charge'",
  );
  assert.deepEqual(charges.rows[0], { n: accepted, keys: accepted });
  await ground.settlement.runOnce();
  assert.equal(
    (
      await ground.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM sandbox_acquirer_charges WHERE kind = 'charge'",
      )
    ).rows[0]!.n,
    accepted,
    'another pass charges nothing',
  );

  const declines = await admin('/admin/v1/payments?state=declined');
  assert.deepEqual(
    (declines.body.payments as { orderId: string; declineCode: string }[]).map((p) => [p.orderId, p.declineCode]),
    [[declined.orderId, 'insufficient_funds']],
  );
  const audit = await admin('/admin/v1/audit');
  const events = audit.body.events as { event: string; subject: string }[];
  assert.equal(events.filter((e) => e.event === 'PaymentProcessed').length, accepted - 1);
  assert.deepEqual(
    events.filter((e) => e.event === 'payment.failed').map((e) => e.subject),
    [declined.orderId],
  );

  // The crew cancels an approved order: the ground refunds it once.
  assert.equal((await setStatus(film.orderId, 'cancelled')).status, 200);
  assert.equal(
    aircraft.app.commerce.purchased(
      { subject: `seat:${a!.seatId}`, device: 'seat', seatId: a!.seatId },
      'night-flight',
    ),
    false,
  );
  await waitFor(
    async () => {
      await ground.settlement.runOnce();
      const { rows } = await ground.db.query<{ state: string }>('SELECT state FROM shop_payments WHERE order_id = $1', [
        film.orderId,
      ]);
      return rows[0]?.state === 'refunded';
    },
    60_000,
    'the refund',
  );
  const refunds = await ground.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM sandbox_acquirer_charges WHERE kind = 'refund'",
  );
  assert.equal(refunds.rows[0]!.n, 1);
  const again = await admin(`/admin/v1/payments/${film.orderId}/refund`, {
    method: 'POST',
    body: JSON.stringify({ reason: 'twice' }),
  });
  assert.equal(again.status, 409);
});

test("settlement's admin routes are in the ground's OpenAPI document, with their error codes", async () => {
  const doc = (await (await fetch(`${ground.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
    'x-error-status': Record<string, number>;
  };
  const app = createGroundApp({
    db: ground.db,
    signingKey: ground.signingKey,
    log: quietLog,
    commerce: settlementRouter(ground.db, ground.settlement, ground.cardKey),
  });
  const mounted = mountedRoutes(app).filter(
    (r) => r.path.includes('payments') || r.path.includes('audit') || r.path.includes('card-key'),
  );
  assert.equal(mounted.length, 4);
  assert.deepEqual(
    mounted.filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method]),
    [],
  );
  assert.equal(doc['x-error-status'].PAYMENT_NOT_REFUNDABLE, 409);
});
