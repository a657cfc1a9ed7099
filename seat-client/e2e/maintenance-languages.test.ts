/**
 * The maintenance screen (ground link, USB, history, key, software updates with a rollout
 * under way) in English, Arabic and Japanese at 1280×800, against a real appliance: every
 * panel's words come from maintenance-strings.ts (no English label left in Japanese or
 * Arabic), Arabic lays out right to left, and no panel or updates table is wider than its
 * column (the tables were cramped). Screenshots are written and looked at.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SYNC_ERROR_CODES, SYNC_ERROR_WORDS, type SyncErrorCode, updatesPaths } from '@ifec/protocol';
import type { Browser } from 'playwright-core';
import type { RunningAppliance } from '../../appliance/src/main.ts';
import { maintenanceStrings } from '../src/crew-console/maintenance-strings.ts';
import { buildSeatApp, type Credentials, KIOSK, launchChromium, screenshot } from './cabin-harness.ts';
import { seatOsStick, startAircraft } from './maintenance-harness.ts';
import { crewToken, expectNoAxeViolations } from './pages.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-e2e-maint-lang-'));
const repoDir = path.join(work, 'repo');
let appliance: RunningAppliance;
let browser: Browser;
let credentials: Credentials;
let baseUrl: string;

before(async () => {
  buildSeatApp();
  seatOsStick(work);
  ({ appliance, baseUrl, credentials } = await startAircraft(work, {
    IFEC_UPDATES_TRUSTED_ROOT: path.join(repoDir, 'metadata', '1.root.json'),
  }));
  await appliance.updates.verify({ from: 'folder', dir: repoDir }, 'test');
  // A rollout under way, so the units table is on the screen too.
  const engineer = credentials.crew.find((c) => c.role === 'maintenance')!;
  const token = await crewToken(baseUrl, engineer.crewId, engineer.pin);
  const { releases } = (await appliance.updates.overview()) as { releases: { target: string }[] };
  const started = await fetch(`${baseUrl}${updatesPaths.crewRollouts}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ target: releases[0]!.target, canaryCount: 3, healthDeadlineS: 900 }),
  });
  assert.equal(started.status < 300, true, await started.clone().text());
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await appliance?.stop();
});

/** English labels of the screen that must not show in another language. */
const ENGLISH_LABELS = [
  'Ground link',
  'Sync now',
  'USB stick',
  'Export to USB',
  'History of syncs',
  'public key',
  'Software updates',
  'Trusted root',
  'Verified releases',
  'Part number',
  'Rollout of',
  'Stop rollout',
  'Seat map',
];

for (const lang of ['en', 'ar', 'ja'] as const) {
  test(`the maintenance screen in ${lang} at 1280×800: translated, laid out, tables fit`, {
    timeout: 120_000,
  }, async () => {
    const context = await browser.newContext({ viewport: KIOSK });
    await context.addInitScript((l) => localStorage.setItem('ifec.crew.lang', l), lang);
    const page = await context.newPage();
    const engineer = credentials.crew.find((c) => c.role === 'maintenance')!;
    await page.goto(`${baseUrl}/crew`);
    await page.fill('#crew-id', engineer.crewId);
    await page.fill('#crew-pin', engineer.pin);
    await page.click('#crew-login');
    await page.click('#open-maintenance');
    await page.waitForSelector('#link-facts');
    await page.waitForSelector('#public-key');
    await page.waitForSelector('#rollout-units');
    const t = maintenanceStrings[lang];
    assert.equal(await page.locator('h1').innerText(), t.title);
    assert.equal(await page.locator('#updates-heading').innerText(), t.updatesHeading);
    assert.equal(await page.locator('#export-usb').innerText(), t.exportUsb);
    assert.equal(await page.evaluate(() => document.documentElement.dir), lang === 'ar' ? 'rtl' : 'ltr');
    const text = await page.locator('body').innerText();
    if (lang !== 'en') for (const label of ENGLISH_LABELS) assert.ok(!text.includes(label), `${lang}: "${label}" left`);

    // Nothing is wider than the screen, and no panel's content overflows its column.
    const overflow = await page.evaluate(() => {
      const wide: string[] = [];
      if (document.documentElement.scrollWidth > innerWidth + 1)
        wide.push(`page ${document.documentElement.scrollWidth}`);
      for (const panel of document.querySelectorAll<HTMLElement>('.maintenance-main > section')) {
        if (panel.scrollWidth > panel.clientWidth + 1)
          wide.push(`${panel.id} ${panel.scrollWidth}>${panel.clientWidth}`);
        for (const table of panel.querySelectorAll('table')) {
          const box = table.getBoundingClientRect();
          const outer = panel.getBoundingClientRect();
          if (box.left < outer.left - 1 || box.right > outer.right + 1) wide.push(`${panel.id} table ${table.id}`);
        }
      }
      return wide;
    });
    assert.deepEqual(overflow, []);
    if (lang === 'ar') {
      // Right to left: the heading starts at the right edge of its panel.
      const { heading, panel } = await page.evaluate(() => ({
        heading: document.querySelector('#link-heading')!.getBoundingClientRect().right,
        panel: document.querySelector('#maintenance-link')!.getBoundingClientRect().right,
      }));
      assert.ok(panel - heading < 40, `the Arabic heading sits at the right (${heading} vs ${panel})`);
    }
    await screenshot(page, `maintenance-${lang}-top`);
    await page.locator('#maintenance-updates').scrollIntoViewIfNeeded();
    await screenshot(page, `maintenance-${lang}-updates`);
    await page.screenshot({
      path: path.resolve(import.meta.dirname, `../../test-artifacts/maintenance-${lang}-full.png`),
      fullPage: true,
    });
    await expectNoAxeViolations(page, `maintenance screen (${lang})`);
    await context.close();
  });
}

test('in Japanese, a refused bundle, its history entry and the rollout stopped by the crew say why in Japanese', {
  timeout: 120_000,
}, async () => {
  const context = await browser.newContext({ viewport: KIOSK });
  await context.addInitScript(() => localStorage.setItem('ifec.crew.lang', 'ja'));
  const page = await context.newPage();
  const engineer = credentials.crew.find((c) => c.role === 'maintenance')!;
  await page.goto(`${baseUrl}/crew`);
  await page.fill('#crew-id', engineer.crewId);
  await page.fill('#crew-pin', engineer.pin);
  await page.click('#crew-login');
  await page.click('#open-maintenance');
  await page.waitForSelector('#rollout-stop');
  const t = maintenanceStrings.ja;

  // A file that is no bundle of this aircraft's ground: refused with a code and English text
  // (BUNDLE_SIGNATURE here: no ground key is configured, so nothing from the ground verifies).
  const broken = path.join(work, 'truncated.ifecb');
  fs.writeFileSync(broken, 'IFECB not a whole bundle');
  await page.setInputFiles('#import-file', broken);
  await page.waitForSelector('#import-summary [role="alert"]');
  const refused = await page.locator('#import-summary').innerText();
  const code = /\((BUNDLE_[A-Z_]+)\)/.exec(refused)?.[1] as SyncErrorCode | undefined;
  assert.ok(code && SYNC_ERROR_CODES.includes(code), refused);
  const words = t[`syncError_${code}`];
  assert.ok(refused.includes(words), refused);
  assert.ok(!refused.includes(SYNC_ERROR_WORDS[code]), `English left: ${refused}`);
  await page.waitForFunction(
    (w) => document.querySelector('#maintenance-history tbody')?.textContent?.includes(w),
    words,
  );

  await page.click('#rollout-stop');
  await page.waitForSelector('#rollout-stopped');
  assert.equal(await page.locator('#rollout-stopped').innerText(), t.stop_STOPPED_BY_CREW);
  const overview = (await appliance.updates.overview()) as { rollout: { stoppedBecause: string } };
  assert.equal(overview.rollout.stoppedBecause, 'stopped by crew', 'the ground and the audit keep the English');
  await page.locator('#maintenance-usb').scrollIntoViewIfNeeded();
  await screenshot(page, 'maintenance-ja-import-refused');
  await page.locator('#rollout-progress').scrollIntoViewIfNeeded();
  await screenshot(page, 'maintenance-ja-rollout-stopped');
  await context.close();
});
