/**
 * The shop's anomaly rules on a real appliance and a real ground (PGlite, in process): the
 * rules come down in the signed airspace policy publication; a seat reaching a threshold is
 * flagged once per rule, shown to the crew and kept by the ground as a case. A new policy
 * publication with other thresholds changes the outcome: the rules are data, not code.
 */
import assert from 'node:assert/strict';
import test, { after, before } from 'node:test';
import { airspacePolicy, type CardEncryptionKey, type ShopAnomaly } from '@ifec/protocol';
import { cardHash } from '../../seat-client/src/shop/card-capture.ts';
import {
  buildOrder,
  CARD_FUNDS,
  CARD_OK,
  CARD_STOLEN,
  cardKeyOf,
  postOrder,
  publishShop,
  SALT,
  seatLogin,
  seatSecrets,
  shopCatalogueFor,
} from './shop-support.ts';
import {
  crewToken,
  startTestAircraft,
  startTestGround,
  type TestAircraft,
  type TestGround,
  tenantWithKey,
  waitFor,
} from './support.ts';

const TAIL = 'F-HFRD';
let ground: TestGround;
let aircraft: TestAircraft;
let apiKey: string;
let cardKey: CardEncryptionKey;
let seats: { seatId: string; auth: string }[];

const policy = (version: number, shopAnomalies: Record<string, number>) => ({
  id: 'fraud-test',
  version,
  defaults: { wifi: true, voip: false, messaging: true, priceZone: 'default' },
  rules: [],
  shopAnomalies,
});
async function publishPolicy(version: number, rules: Record<string, number>): Promise<void> {
  const res = await fetch(`${ground.url}/admin/v1/publications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'policy', name: 'airspace', version, payload: policy(version, rules) }),
  });
  assert.equal(res.status, 201, await res.text());
  await waitFor(
    async () => (await aircraft.app.sync.publications.latest('policy', 'airspace'))?.version === version,
    30_000,
    `policy ${version} on the aircraft`,
  );
  await waitFor(
    async () => (await aircraft.app.commerce.anomalies.rulesInForce())?.policyVersion === version,
    30_000,
    `the anomaly rules of policy ${version} in force`,
  );
}
async function flagged(): Promise<ShopAnomaly[]> {
  const crew = await crewToken(aircraft.url, aircraft.dataDir);
  const res = await fetch(`${aircraft.url}/api/crew/shop/anomalies`, { headers: { authorization: `Bearer ${crew}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { flagged: ShopAnomaly[] }).flagged;
}
const cola = { sku: 'drink-cola', qty: 1, unitPriceMinor: 350 };

before(async () => {
  ground = await startTestGround('pglite');
  apiKey = await tenantWithKey(ground, 'air-fraud');
  aircraft = await startTestAircraft(ground, 'air-fraud', TAIL, { IFEC_GROUND_URL: ground.url });
  cardKey = await cardKeyOf(ground.url, apiKey);
  await publishShop(ground.url, apiKey, shopCatalogueFor(cardKey), 1, [await cardHash(CARD_STOLEN.pan, SALT)]);
  await waitFor(
    async () => ((await (await fetch(`${aircraft.url}/api/shop/catalogue`)).json()) as { open: boolean }).open,
    30_000,
    'the shop catalogue on the aircraft',
  );
  seats = [];
  for (const [seatId, secret] of seatSecrets(aircraft.dataDir).slice(0, 3))
    seats.push({ seatId, auth: `Bearer ${await seatLogin(aircraft.url, seatId, secret)}` });
});
after(async () => {
  await aircraft?.app.stop();
  await ground?.dispose();
});

test('the anomaly rules are a strict, bounded part of the airspace policy', () => {
  assert.ok(airspacePolicy.safeParse(policy(1, { declinedAttempts: 3 })).success);
  assert.ok(airspacePolicy.safeParse({ ...policy(1, {}), shopAnomalies: undefined }).success, 'optional');
  assert.ok(!airspacePolicy.safeParse(policy(1, { declinedAttempts: 0 })).success);
  assert.ok(!airspacePolicy.safeParse(policy(1, { distinctCards: 1.5 })).success);
  assert.ok(!airspacePolicy.safeParse(policy(1, { orderTotalMinor: 1e12 })).success);
  assert.ok(!airspacePolicy.safeParse(policy(1, { anythingElse: 1 })).success);
});

test('no rules, no flags; with the rules of the policy, declined attempts flag a seat once; the crew see it; the ground keeps the case', async () => {
  const [a, b] = seats;
  // No policy yet: denied cards are refused, nobody is flagged.
  for (let i = 0; i < 3; i++)
    assert.equal(
      (await postOrder(aircraft.url, b!.auth, await buildOrder(b!.seatId, [cola], CARD_STOLEN, cardKey))).body.error
        ?.code,
      'CARD_DENIED',
    );
  assert.deepEqual(await flagged(), []);

  await publishPolicy(1, { declinedAttempts: 3, distinctCards: 5, orderTotalMinor: 100_000 });
  const deny = async () =>
    (await postOrder(aircraft.url, a!.auth, await buildOrder(a!.seatId, [cola], CARD_STOLEN, cardKey))).body.error
      ?.code;
  assert.equal(await deny(), 'CARD_DENIED');
  assert.equal(await deny(), 'CARD_DENIED');
  // A sold-out or mispriced order says nothing about the payer: not counted.
  const mispriced = await buildOrder(a!.seatId, [{ ...cola, unitPriceMinor: 1 }], CARD_OK, cardKey);
  assert.equal((await postOrder(aircraft.url, a!.auth, mispriced)).body.error?.code, 'PRICE_CHANGED');
  assert.equal((await flagged()).filter((f) => f.seatId === a!.seatId).length, 0, 'two declines: below the threshold');
  assert.equal(await deny(), 'CARD_DENIED');
  const onA = (await flagged()).filter((f) => f.seatId === a!.seatId);
  assert.deepEqual(
    onA.map((f) => [f.rule, f.observed, f.threshold, f.policyVersion]),
    [['declined-attempts', 3, 3, 1]],
  );
  assert.equal(await deny(), 'CARD_DENIED');
  assert.equal((await flagged()).filter((f) => f.seatId === a!.seatId).length, 1, 'flagged once per rule');
  // Seat B's three declines came before the rules: B is flagged only at its next decline.
  assert.equal((await flagged()).filter((f) => f.seatId === b!.seatId).length, 0);

  const cases = await waitFor(
    async () => {
      const res = await fetch(`${ground.url}/admin/v1/shop/anomaly-cases?aircraftId=${TAIL}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      const body = (await res.json()) as { cases: (ShopAnomaly & { aircraftId: string })[] };
      return body.cases.length ? body.cases : undefined;
    },
    60_000,
    'the case on the ground',
  );
  assert.deepEqual(
    cases.map((c) => [c.aircraftId, c.seatId, c.rule, c.caseId]),
    [[TAIL, a!.seatId, 'declined-attempts', onA[0]!.caseId]],
  );
  const noKey = await fetch(`${ground.url}/admin/v1/shop/anomaly-cases`);
  assert.equal(noKey.status, 401);
  const garbage = await fetch(`${ground.url}/admin/v1/shop/anomaly-cases?limit=lots`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  assert.equal(garbage.status, 400);
  const doc = (await (await fetch(`${ground.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  assert.ok(doc.paths['/admin/v1/shop/anomaly-cases'], "the case route is in the ground's OpenAPI");
  assert.equal((await fetch(`${aircraft.url}/api/crew/shop/anomalies`)).status, 401, 'crew only');
});

test('a new policy publication with a lower threshold flags what the old one let through', async () => {
  const c = seats[2]!;
  const order = async (card: typeof CARD_OK) =>
    (await postOrder(aircraft.url, c.auth, await buildOrder(c.seatId, [cola], card, cardKey))).status;
  assert.equal(await order(CARD_OK), 201);
  assert.equal(await order(CARD_FUNDS), 201, 'a second card (declined on the ground later, accepted offline)');
  assert.equal((await flagged()).filter((f) => f.seatId === c.seatId).length, 0, 'two cards: policy 1 allows five');

  await publishPolicy(2, { declinedAttempts: 3, distinctCards: 2 });
  // The appliance reads the policy it holds at the next order (its cache lasts half a second).
  const onC = await waitFor(
    async () => {
      assert.equal(await order(CARD_OK), 201);
      const mine = (await flagged()).filter((f) => f.seatId === c.seatId);
      return mine.length ? mine : undefined;
    },
    30_000,
    'seat flagged under policy 2',
  );
  assert.deepEqual(
    onC.map((f) => [f.rule, f.observed, f.threshold, f.policyVersion]),
    [['distinct-cards', 2, 2, 2]],
  );
  await waitFor(
    async () => {
      const res = await fetch(`${ground.url}/admin/v1/shop/anomaly-cases`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      const body = (await res.json()) as { cases: (ShopAnomaly & { payments: unknown[] })[] };
      const mine = body.cases.find((x) => x.seatId === c.seatId);
      return mine && mine.payments.length >= 2;
    },
    60_000,
    "the second case on the ground, with the session's orders",
  );
});

test("an ad the seat was served reaches the ground's ad report as an anonymous count", async () => {
  const c = seats[2]!;
  const res = await fetch(`${ground.url}/admin/v1/publications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'policy',
      name: 'ad-set',
      version: 1,
      payload: {
        id: 'g',
        frequencyCaps: { 'home-banner': 3, 'pre-roll': 0 },
        ads: [{ id: 'sky-shop', placement: 'home-banner', advertiser: 'Sky Shop', text: { en: 'Perfume -20%' } }],
      },
    }),
  });
  assert.equal(res.status, 201, await res.text());
  const served = await waitFor(
    async () => {
      const r = await fetch(`${aircraft.url}/api/ads/next?placement=home-banner&lang=en`, {
        headers: { authorization: c.auth },
      });
      return ((await r.json()) as { ad: { id: string } | null }).ad ?? undefined;
    },
    30_000,
    'the ad set on the aircraft',
  );
  assert.equal(served.id, 'sky-shop');
  await aircraft.app.commerce.ads.flush();
  const counts = await waitFor(
    async () => {
      const r = await fetch(`${ground.url}/admin/v1/ads/counts?aircraftId=${TAIL}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      const body = (await r.json()) as { counts: { adId: string; impressions: number; clicks: number }[] };
      return body.counts.length ? body.counts : undefined;
    },
    60_000,
    'the ad counts on the ground',
  );
  assert.deepEqual(
    counts.map((x) => [x.adId, x.impressions, x.clicks]),
    [['sky-shop', 1, 0]],
  );
  assert.ok(!JSON.stringify(counts).includes(c.seatId), 'no seat in the report');
});
