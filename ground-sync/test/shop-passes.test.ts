/**
 * Wi-Fi and entertainment passes on a real appliance (catalogue from a real ground): the
 * catalogue tells each pass's duration; a bought 1-hour pass opens Wi-Fi at once and closes
 * it an hour later, a second hour follows the first, a whole-flight pass lasts; the durations
 * are journalled with the order, so a restarted appliance keeps the same expiry.
 */
import assert from 'node:assert/strict';
import test, { after, before, mock } from 'node:test';
import type { CardEncryptionKey } from '@ifec/protocol';
import {
  buildOrder,
  CARD_OK,
  cardKeyOf,
  postOrder,
  publishShop,
  seatLogin,
  seatSecrets,
  shopCatalogueFor,
} from './shop-support.ts';
import {
  startTestAircraft,
  startTestGround,
  type TestAircraft,
  type TestGround,
  tenantWithKey,
  waitFor,
} from './support.ts';

const TAIL = 'F-HPAS';
let ground: TestGround;
let aircraft: TestAircraft;
let cardKey: CardEncryptionKey;
let seatId: string;
let secret: string;

interface Entitlements {
  wifi: boolean;
  pass: boolean;
  wifiUntil: string | null;
  passUntil: string | null;
}

before(async () => {
  ground = await startTestGround('pglite');
  const apiKey = await tenantWithKey(ground, 'air-passes');
  aircraft = await startTestAircraft(ground, 'air-passes', TAIL, { IFEC_GROUND_URL: ground.url });
  cardKey = await cardKeyOf(ground.url, apiKey);
  const base = shopCatalogueFor(cardKey);
  await publishShop(
    ground.url,
    apiKey,
    {
      ...base,
      items: [
        ...base.items,
        { sku: 'wifi-hour', kind: 'wifi', name: { en: 'Wi-Fi, 1 hour' }, priceMinor: 500, durationMin: 60, maxQty: 1 },
      ],
    },
    1,
  );
  await waitFor(
    async () => ((await (await fetch(`${aircraft.url}/api/shop/catalogue`)).json()) as { open: boolean }).open,
    30_000,
    'the shop catalogue on the aircraft',
  );
  [seatId, secret] = seatSecrets(aircraft.dataDir)[0]!;
});
after(async () => {
  mock.timers.reset();
  await aircraft?.app.stop();
  await ground?.dispose();
});

test('the catalogue tells how long each pass lasts (null: the whole flight)', async () => {
  const c = (await (await fetch(`${aircraft.url}/api/shop/catalogue`)).json()) as {
    items: { sku: string; durationMin?: number | null }[];
    rates: Record<string, number>;
  };
  const duration = (sku: string) => c.items.find((i) => i.sku === sku)?.durationMin;
  assert.equal(duration('wifi-hour'), 60);
  assert.equal(duration('wifi-flight'), null);
  assert.equal(duration('pass-entertainment'), null);
  assert.equal('durationMin' in c.items.find((i) => i.sku === 'drink-cola')!, false);
  assert.deepEqual(c.rates, { USD: 1.08, GBP: 0.86 });
});

test('a 1-hour Wi-Fi pass ends after its hour, a second hour follows the first, a whole-flight pass lasts; a restart keeps them', async () => {
  const auth = `Bearer ${await seatLogin(aircraft.url, seatId, secret)}`;
  const entitlements = async (a = auth) =>
    (await (
      await fetch(`${aircraft.url}/api/shop/entitlements`, { headers: { authorization: a } })
    ).json()) as Entitlements;
  assert.equal((await entitlements()).wifi, false);

  const buy = async (sku: string, price: number) => {
    const res = await postOrder(
      aircraft.url,
      auth,
      await buildOrder(seatId, [{ sku, qty: 1, unitPriceMinor: price }], CARD_OK, cardKey),
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
  };
  const t0 = Date.now();
  await buy('wifi-hour', 500);
  const first = await entitlements();
  assert.equal(first.wifi, true, 'Wi-Fi opens at once');
  const until = Date.parse(first.wifiUntil!);
  assert.ok(until >= t0 + 3600_000 && until <= Date.now() + 3600_000, `an hour from the order: ${first.wifiUntil}`);
  assert.equal(first.pass, false);

  // A second hour bought while the first runs starts when the first ends.
  await buy('wifi-hour', 500);
  const second = await entitlements();
  assert.equal(Date.parse(second.wifiUntil!), until + 3600_000);
  await buy('pass-entertainment', 1299);
  assert.equal((await entitlements()).pass, true);

  // The appliance restarts (orders replayed from its store): the same expiry.
  const dataDir = aircraft.dataDir;
  await aircraft.app.stop();
  aircraft = await startTestAircraft(undefined, undefined, TAIL, { IFEC_GROUND_URL: ground.url }, dataDir);
  const again = `Bearer ${await seatLogin(aircraft.url, seatId, secret)}`;
  assert.equal((await entitlements(again)).wifiUntil, second.wifiUntil);

  // Two hours and a minute later: the Wi-Fi passes have ended, the whole-flight pass has not.
  mock.timers.enable({ apis: ['Date'], now: until + 3600_000 + 60_000 });
  try {
    const later = await entitlements(again);
    assert.deepEqual([later.wifi, later.wifiUntil, later.pass], [false, null, true]);
    assert.equal(
      aircraft.app.commerce.purchased({ subject: `seat:${seatId}`, device: 'seat', seatId }, 'copper-sky'),
      true,
      'the entertainment pass still unlocks titles',
    );
  } finally {
    mock.timers.reset();
  }
  // Just before the end: still open.
  mock.timers.enable({ apis: ['Date'], now: until + 3600_000 - 60_000 });
  try {
    assert.equal((await entitlements(again)).wifi, true);
  } finally {
    mock.timers.reset();
  }
});
