/**
 * The airspace journey in Debian's Chromium, end to end on a real appliance: the position
 * comes from the appliance's own flight domain (NMEA epochs over UDP to its `nmea-udp`
 * source, as a GNSS receiver on the cabin LAN sends them), the airspace from its geo engine,
 * the rules from a policy signed on the ground and delivered by the publication path. A seat
 * in French plays a title over England; the aircraft crosses into French airspace, where the
 * policy blocks it: playback stops with the notice in French, the title leaves the catalogue,
 * and the key the player fetched a moment ago is refused with 451 REGION_BLOCKED, so a client
 * that ignored the notice could still not play it.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import type { AirspacePolicy } from '@ifec/protocol';
import { signBlock } from '@ifec/protocol/node';
import { cabinForFile, KIOSK, openApp, screenshot, seatContext } from './cabin-harness.ts';
import { gnssSender } from './flight-service.ts';
import { cardIds, waitForPlayback } from './pages.ts';

const ground = crypto.generateKeyPairSync('ed25519');
const env = cabinForFile({
  env: {
    IFEC_FLIGHT_SOURCES: 'nmea-udp:0',
    IFEC_GROUND_PUBLIC_KEY: ground.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  },
});

const BLOCKED = 'the-last-runway';
const policy: AirspacePolicy = {
  id: 'e2e-airspace',
  version: 1,
  regionTags: { FR: ['eu'] },
  defaults: { wifi: true, voip: false, messaging: true, priceZone: 'standard' },
  rules: [{ id: 'last-runway-not-over-france', when: { regions: ['FR'] }, blockTitles: [BLOCKED] }],
};
const OVER_ENGLAND = { lat: 51.47, lon: -0.46 };
const OVER_FRANCE = { lat: 49.5, lon: 1.5 };

test('a title playing over England stops with a French notice when the aircraft enters French airspace, leaves the catalogue, and its key is refused with 451', async () => {
  const appliance = env.cabin.appliance!;
  // The ground's policy, signed, through the publication path the sync domain uses.
  await appliance.sync.publications.accept([
    signBlock(
      {
        kind: 'policy' as const,
        name: 'airspace',
        version: 1,
        aircraftId: null,
        payload: policy as unknown as Record<string, unknown>,
        files: [],
        seq: 1,
        tenantId: 'e2e',
        publishedAt: new Date().toISOString(),
      },
      ground.privateKey,
    ),
  ]);
  await appliance.flight.refreshPolicy();
  assert.equal(appliance.flight.currentPolicy()?.policyId, 'e2e-airspace');

  // A receiver sends an epoch twice a second; `here` is where the aircraft is.
  const gnss = gnssSender(env.cabin);
  let here = OVER_ENGLAND;
  const beat = setInterval(() => void gnss.send(here.lat, here.lon).catch(() => undefined), 500);
  const context = await seatContext(env.browser, env.cabin, '23A', KIOSK, { locale: 'fr-FR' });
  const page = await context.newPage();
  const keyUrls: string[] = [];
  // What the seat heard on the bus, said when the notice does not come: a test that fails says why.
  const frames: string[] = [];
  let received = 0;
  page.on('websocket', (ws) => {
    frames.push(`open ${ws.url()}`);
    ws.on('framereceived', (f) => {
      received++;
      const text = typeof f.payload === 'string' ? f.payload : f.payload.toString('latin1');
      if (text.includes('policy/current'))
        frames.push(`policy ${text.includes('"FR"') ? 'FR' : 'other'} at ${Date.now()}`);
    });
    ws.on('close', () => frames.push(`closed at ${Date.now()}`));
  });
  page.on('request', (r) => {
    if (r.url().includes('/api/keys/')) keyUrls.push(r.url());
  });
  try {
    await gnss.send(here.lat, here.lon);
    const deadline = Date.now() + 5000;
    while (appliance.flight.currentPolicy()?.region !== 'GB') {
      assert.ok(Date.now() < deadline, 'the flight domain places the aircraft over GB from the NMEA fixes');
      await new Promise((r) => setTimeout(r, 100));
    }
    await openApp(page, env.cabin, `#/title/${BLOCKED}`);
    await page.waitForSelector('#play');
    await page.click('#play');
    await waitForPlayback(page, 0.5);
    assert.ok(keyUrls.length > 0, 'the player fetched the title key');
    const keyUrl = keyUrls[0]!;
    assert.equal(await page.evaluate(async (u) => (await fetch(u)).status, keyUrl), 200, 'the key is released over GB');

    // Into French airspace.
    here = OVER_FRANCE;
    const before = received;
    await gnss.send(here.lat, here.lon);
    await page.waitForSelector('#policy-notice:not([hidden])', { timeout: 10_000 }).catch((error: Error) => {
      const p = appliance.flight.currentPolicy();
      throw new Error(
        `${error.message}; the appliance decided ${p?.region} blocking ${p?.blocked.titles}; page at ${page.url()}; bus: ${frames.join(', ')}; ${received - before} frames since the fix over France`,
      );
    });
    assert.equal(appliance.flight.currentPolicy()?.region, 'FR');
    assert.match(await page.locator('#policy-notice').innerText(), /ne peut pas être diffusé/);
    assert.equal(await page.locator('video').count(), 0, 'the player is gone');
    await page.waitForSelector('a.card-link');
    const ids = await cardIds(page);
    assert.ok(ids.length > 0 && !ids.includes(BLOCKED), `the title is gone from the catalogue: ${ids.join(', ')}`);
    await screenshot(page, 'airspace-policy-stopped-kiosk-fr');

    // A client that ignores the notice: the same key URL, the same playback token, now 451.
    const refused = await page.evaluate(async (u) => {
      const res = await fetch(u);
      return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
    }, keyUrl);
    assert.equal(refused.status, 451);
    assert.equal(refused.body.error.code, 'REGION_BLOCKED');
    assert.match(refused.body.error.message, /last-runway-not-over-france/);
    // And a fresh playback is refused before any playlist is handed out.
    const seat = env.cabin.credentials.seats['23A']!;
    const again = await fetch(`${env.cabin.baseUrl}/api/playback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`seat:23A:${seat}`).toString('base64')}`,
      },
      body: JSON.stringify({ titleId: BLOCKED, device: 'seat' }),
    });
    assert.equal(again.status, 451);
  } finally {
    clearInterval(beat);
    gnss.close();
    await context.close();
  }
});
