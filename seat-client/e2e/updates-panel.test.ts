/**
 * The software-updates panel on the maintenance screen, in Chromium against a real appliance:
 * the engineer sees the trusted root and the verified release, starts a rollout from the
 * form, and follows it: the canary that misses its health deadline shows as rolled back with
 * the reason the wave stopped, and the versions the seats report. Screenshots are looked at.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { updatesPaths } from '@ifec/protocol';
import type { Browser } from 'playwright-core';
import type { RunningAppliance } from '../../appliance/src/main.ts';
import { buildSeatApp, type Credentials, KIOSK, launchChromium, screenshot } from './cabin-harness.ts';
import { seatOsStick, startAircraft } from './maintenance-harness.ts';
import { expectNoAxeViolations } from './pages.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-e2e-updates-'));
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
  // The stick from the ground, verified before the engineer opens the screen.
  await appliance.updates.verify({ from: 'folder', dir: repoDir }, 'test');
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await appliance?.stop();
});

async function seatToken(seatId: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/seats/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId, secret: credentials.seats[seatId] }),
  });
  return ((await res.json()) as { token: string }).token;
}

test('the engineer starts a rollout from the panel and sees the silent canary roll back and stop the wave', {
  timeout: 240_000,
}, async () => {
  const context = await browser.newContext({ viewport: KIOSK });
  const page = await context.newPage();
  const engineer = credentials.crew.find((c) => c.role === 'maintenance')!;
  await page.goto(`${baseUrl}/crew`);
  await page.fill('#crew-id', engineer.crewId);
  await page.fill('#crew-pin', engineer.pin);
  await page.click('#crew-login');
  await page.click('#open-maintenance');
  await page.waitForSelector('#updates-releases td');
  assert.match(await page.locator('#updates-trust').innerText(), /version 1/);
  assert.match(await page.locator('#updates-servable').innerText(), /may be updated now \(flight phase gate/);
  assert.match(await page.locator('#updates-releases').innerText(), /IFE-SEAT-0042\s+4\.2\.0\s+os-image/);
  await page.locator('#maintenance-updates').scrollIntoViewIfNeeded();
  await screenshot(page, 'updates-panel-verified');

  // Start: 2 canary units, the shortest deadline the form takes.
  await page.fill('#rollout-canary', '2');
  await page.fill('#rollout-deadline', '60');
  await page.click('#rollout-start');
  await page.waitForSelector('#rollout-progress');
  const { rollout } = (await appliance.updates.overview()) as {
    rollout: { id: string; units: { seatId: string; wave: string }[] };
  };
  const canaries = rollout.units.filter((u) => u.wave === 'canary').map((u) => u.seatId);
  assert.equal(canaries.length, 2);
  assert.equal(rollout.units.length, Object.keys(credentials.seats).length);

  // Canary 1 installs and is healthy; canary 2 installs and says nothing more.
  for (const [i, seatId] of canaries.entries()) {
    const auth = { authorization: `Bearer ${await seatToken(seatId)}` };
    const a = (await (await fetch(`${baseUrl}${updatesPaths.assignment}`, { headers: auth })).json()) as {
      action: string;
      rolloutId: string;
    };
    assert.equal(a.action, 'install');
    const steps = i === 0 ? ['downloaded', 'installed', 'rebooted', 'healthy'] : ['downloaded', 'installed'];
    for (const step of steps) {
      const res = await fetch(`${baseUrl}${updatesPaths.report}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          rolloutId: a.rolloutId,
          step,
          ...(step === 'rebooted' || step === 'healthy' ? { version: '4.2.0' } : {}),
        }),
      });
      assert.equal(res.status, 200);
    }
  }
  await page.waitForFunction(
    () => /1 healthy/.test(document.querySelector('#rollout-counts')?.textContent ?? ''),
    null,
    {
      timeout: 30_000,
    },
  );
  await screenshot(page, 'updates-panel-canary');
  await expectNoAxeViolations(page, 'updates panel');

  // The silent canary's deadline passes: the wave stops and the screen says why.
  await page.waitForSelector('#rollout-stopped', { timeout: 120_000 });
  // In words from the stop's code; the appliance's detail (also from a code) beneath.
  assert.match(
    await page.locator('#rollout-stopped').innerText(),
    new RegExp(
      `Canary seat ${canaries[1]}: timed-out\\. The other units do not get this release\\.\\s+no health report within \\d+ s \\(was installed\\)`,
    ),
  );
  assert.match(await page.locator(`#rollout-units tr[data-seat="${canaries[1]}"]`).innerText(), /timed-out/);
  assert.match(await page.locator('#updates-versions').innerText(), /4\.2\.0 on 1 seats/);
  await page.locator('#rollout-progress').scrollIntoViewIfNeeded();
  await screenshot(page, 'updates-panel-stopped');
  await context.close();
});
