/**
 * The shop's anomaly rules reach the crew console: with an airspace policy whose
 * `shopAnomalies` flag two declined attempts, a seat sending two expired cards shows as
 * flagged above the order queue; the purser switches ads off from the same panel and the
 * seat is served none.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { CardEncryptionKey } from '@ifec/protocol';
import { signBlock } from '@ifec/protocol/node';
import { buildOrder, CARD_OK, postOrder, shopCatalogueFor } from '../../ground-sync/test/shop-support.ts';
import { cabinForFile, screenshot } from './cabin-harness.ts';

const groundKeys = crypto.generateKeyPairSync('ed25519');
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-fraud-e2e-'));
const groundKeyFile = path.join(keyDir, 'ground.pem');
fs.writeFileSync(groundKeyFile, groundKeys.publicKey.export({ type: 'spki', format: 'pem' }));
const env = cabinForFile({ env: { IFEC_GROUND_PUBLIC_KEY: groundKeyFile } });

const published = (seq: number, kind: 'policy' | 'price-list', name: string, payload: unknown) =>
  signBlock(
    {
      kind,
      name,
      version: seq,
      aircraftId: null,
      payload: payload as Record<string, unknown>,
      files: [],
      seq,
      tenantId: 'demo-air',
      publishedAt: new Date().toISOString(),
    },
    groundKeys.privateKey,
  );

test('a seat flagged by the policy rules shows on the crew console; the purser switches ads off', {
  timeout: 300_000,
}, async () => {
  const app = env.cabin.appliance!;
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = rsa.publicKey.export({ type: 'spki', format: 'der' });
  const cardKey: CardEncryptionKey = {
    alg: 'RSA-OAEP-256',
    spki: spki.toString('base64'),
    keyId: crypto.createHash('sha256').update(spki).digest('hex').slice(0, 32),
  };
  await app.sync.publications.accept([
    published(1, 'price-list', 'shop', shopCatalogueFor(cardKey)),
    published(2, 'policy', 'airspace', {
      id: 'e2e-fraud',
      version: 2,
      defaults: { wifi: true, voip: false, messaging: true, priceZone: 'default' },
      rules: [],
      shopAnomalies: { declinedAttempts: 2 },
    }),
    published(3, 'policy', 'ad-set', {
      id: 'e2e-ads',
      frequencyCaps: { 'home-banner': 5, 'pre-roll': 3 },
      ads: [{ id: 'b', placement: 'home-banner', advertiser: 'Sky Shop', text: { en: 'Perfume -20%' } }],
    }),
  ]);
  const auth = `Basic ${Buffer.from(`seat:14C:${env.cabin.credentials.seats['14C']}`).toString('base64')}`;
  const expired = { ...CARD_OK, expMonth: 1, expYear: 2022 };
  for (let i = 0; i < 2; i++) {
    const order = await buildOrder('14C', [{ sku: 'drink-cola', qty: 1, unitPriceMinor: 350 }], expired, cardKey, {
      check: false,
    });
    assert.equal((await postOrder(env.cabin.baseUrl, auth, order)).body.error?.code, 'CARD_EXPIRED');
  }
  const banner = async () =>
    (
      (await (
        await fetch(`${env.cabin.baseUrl}/api/ads/next?placement=home-banner&lang=en`, {
          headers: { authorization: auth },
        })
      ).json()) as { ad: { id: string } | null }
    ).ad;
  assert.equal((await banner())?.id, 'b');

  const crewCtx = await env.browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const crew = await crewCtx.newPage();
  try {
    const purser = env.cabin.credentials.crew.find((c) => c.role === 'purser')!;
    await crew.goto(`${env.cabin.baseUrl}/crew`);
    await crew.fill('#crew-id', purser.crewId);
    await crew.fill('#crew-pin', purser.pin);
    await crew.click('#crew-login');
    const flag = crew.locator('#crew-flagged-seats li[data-seat="14C"][data-rule="declined-attempts"]');
    await flag.waitFor({ timeout: 20_000 });
    assert.match(await flag.innerText(), /Seat 14C flagged — 2 card payments refused \(alert at 2\)/);
    await crew.locator('#crew-orders').scrollIntoViewIfNeeded();
    await screenshot(crew, 'crew-orders-flagged-seat');
    await crew.click('#crew-ads-switch');
    await crew.waitForSelector('#crew-ads-switch:text("Switch ads on")');
    assert.equal(await banner(), null, 'ads off for the cabin');
  } finally {
    await crewCtx.close();
  }
});
