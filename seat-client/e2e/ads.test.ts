/**
 * Regional ads in Debian's Chromium against a real appliance with the demo content: the ad
 * set comes as a signed publication; home shows the banner; a free title plays after a
 * skippable pre-roll; a kids' title starts with no pre-roll at all (watched by a
 * MutationObserver in the page for the whole visit).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { AdSet } from '@ifec/protocol';
import { signBlock } from '@ifec/protocol/node';
import { cabinForFile, KIOSK, openApp, screenshot, seatContext } from './cabin-harness.ts';
import { waitForPlayback } from './pages.ts';

const FREE = 'the-last-runway';
const KIDS = 'paper-planes';
const groundKeys = crypto.generateKeyPairSync('ed25519');
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-ads-e2e-'));
const groundKeyFile = path.join(keyDir, 'ground.pem');
fs.writeFileSync(groundKeyFile, groundKeys.publicKey.export({ type: 'spki', format: 'pem' }));
const env = cabinForFile({ env: { IFEC_GROUND_PUBLIC_KEY: groundKeyFile } });

const ads: AdSet = {
  id: 'e2e-ads',
  frequencyCaps: { 'home-banner': 5, 'pre-roll': 3 },
  adFreeCabins: [],
  ads: [
    {
      id: 'dutyfree-banner',
      placement: 'home-banner',
      advertiser: 'Sky Shop',
      text: { en: 'Duty-free on board: 20% off perfume today' },
      durationS: 10,
      skippableAfterS: 5,
    },
    {
      id: 'car-preroll',
      placement: 'pre-roll',
      advertiser: 'Contrail Cars',
      text: { en: 'Your car waits at arrivals. Book on the ground, drive away.' },
      durationS: 20,
      skippableAfterS: 2,
    },
  ],
};

test('home shows the ad banner; a pre-roll plays before a free title and is skipped; none before a kids title', {
  timeout: 300_000,
}, async () => {
  const app = env.cabin.appliance!;
  await app.sync.publications.accept([
    signBlock(
      {
        kind: 'policy' as const,
        name: 'ad-set',
        version: 1,
        aircraftId: null,
        payload: ads as unknown as Record<string, unknown>,
        files: [],
        seq: 1,
        tenantId: 'demo-air',
        publishedAt: new Date().toISOString(),
      },
      groundKeys.privateKey,
    ),
  ]);
  const kiosk = await seatContext(env.browser, env.cabin, '12A', KIOSK);
  const seat = await kiosk.newPage();
  try {
    await openApp(seat, env.cabin, '#/');
    const banner = seat.locator('#ad-banner:not([hidden])');
    await banner.waitFor({ timeout: 20_000 });
    assert.match(await banner.innerText(), /Sky Shop — Duty-free on board/);
    await screenshot(seat, 'ads-home-banner');

    await seat.goto(`${env.cabin.baseUrl}/#/play/${FREE}?from=0`);
    const preRoll = seat.locator('#pre-roll[data-ad-id="car-preroll"]');
    await preRoll.waitFor({ timeout: 20_000 });
    assert.match(await preRoll.innerText(), /Contrail Cars/);
    assert.equal(await seat.locator('#ad-skip').isDisabled(), true, 'not skippable at first');
    assert.equal(await seat.locator('video').count(), 0, 'the title waits for the ad');
    await screenshot(seat, 'ads-pre-roll');
    await seat.waitForSelector('#ad-skip:not([disabled])', { timeout: 20_000 });
    await seat.click('#ad-skip');
    await waitForPlayback(seat, 0.5, 60_000);
    assert.equal(await seat.locator('#pre-roll').count(), 0);
    await screenshot(seat, 'ads-free-title-after-pre-roll');

    // A kids' title: watch the page for any pre-roll from before the navigation to playback.
    await seat.evaluate(() => {
      const w = window as unknown as { sawPreRoll: boolean };
      w.sawPreRoll = false;
      new MutationObserver(() => {
        if (document.getElementById('pre-roll')) w.sawPreRoll = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await seat.evaluate((id) => {
      location.hash = `#/play/${id}?from=0`;
    }, KIDS);
    await waitForPlayback(seat, 0.5, 60_000);
    assert.equal(await seat.evaluate(() => (window as unknown as { sawPreRoll: boolean }).sawPreRoll), false);
    await screenshot(seat, 'ads-kids-title-no-pre-roll');
  } finally {
    await kiosk.close();
  }
});
