/**
 * Maintenance at the gate, from the crew console, against a real appliance and a real ground
 * (ground-sync in-process on PGlite): the engineer reads the aircraft's public key off the
 * screen and registers it on the ground, exports a USB bundle (summary), the ground imports
 * it and exports its answer (a policy and a 6 MB software file), the engineer imports that
 * through the console (upload progress bar, summary of what was applied), imports it again
 * ("already imported, nothing to do"), and the history lists it all. Screenshots are looked at.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import type { RunningAppliance } from '../../appliance/src/main.ts';
import { loadGroundConfig } from '../../ground-sync/src/config.ts';
import { type RunningGround, startGround } from '../../ground-sync/src/main.ts';
import { createTenant } from '../../ground-sync/src/tenants/tenants.ts';
import { buildSeatApp, type Credentials, KIOSK, launchChromium, PHONE, screenshot } from './cabin-harness.ts';
import { startAircraft } from './maintenance-harness.ts';
import { crewToken, expectNoAxeViolations } from './pages.ts';

const TAIL = 'F-HUSB';
const quiet = pino({ level: process.env.E2E_LOG ?? 'silent' });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-e2e-maint-'));
let ground: RunningGround;
let appliance: RunningAppliance;
let browser: Browser;
let apiKey: string;
let credentials: Credentials;
let baseUrl: string;

const admin = (method: string, p: string, body?: unknown, raw?: Buffer) =>
  fetch(`${ground.url}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      'content-type': raw ? 'application/octet-stream' : 'application/json',
    },
    body: raw ? new Uint8Array(raw) : body !== undefined ? JSON.stringify(body) : undefined,
  });

before(async () => {
  buildSeatApp();
  ground = await startGround(
    loadGroundConfig({ GROUND_PORT: '0', GROUND_HOST: '127.0.0.1', GROUND_DATA_DIR: path.join(work, 'ground') }),
    quiet,
  );
  apiKey = (await createTenant(ground.db, 'air-usb', 'Air USB')).apiKey;
  // The airline gives the aircraft the ground's key (`ifec-ground public-key`); no ground URL: USB only.
  fs.writeFileSync(path.join(work, 'ground-public-key.pem'), ground.publicKeyPem);
  ({ appliance, baseUrl, credentials } = await startAircraft(work, {
    IFEC_TAIL_NUMBER: TAIL,
    IFEC_GROUND_PUBLIC_KEY: path.join(work, 'ground-public-key.pem'),
  }));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await appliance?.stop();
  await ground?.stop();
});

async function loginAsEngineer(page: Page): Promise<void> {
  const engineer = credentials.crew.find((c) => c.role === 'maintenance')!;
  await page.goto(`${baseUrl}/crew`);
  await page.fill('#crew-id', engineer.crewId);
  await page.fill('#crew-pin', engineer.pin);
  await page.click('#crew-login');
  await page.click('#open-maintenance');
  await page.waitForSelector('#public-key');
}

test('an engineer does a USB round trip with the ground from the maintenance screen', {
  timeout: 180_000,
}, async () => {
  const context = await browser.newContext({ viewport: KIOSK, acceptDownloads: true });
  const page = await context.newPage();
  await loginAsEngineer(page);
  await page.waitForSelector('#link-facts');
  assert.match(await page.locator('#link-facts').innerText(), /None configured \(IFEC_GROUND_URL\): USB bundles only/);
  assert.equal(await page.locator('#sync-now').isDisabled(), true, 'no link: Sync now is off, USB is the way');
  await screenshot(page, 'maintenance-screen');
  await expectNoAxeViolations(page, 'maintenance screen');

  // 1. Register the aircraft with the key shown on the screen (the public half only).
  const publicKey = await page.locator('#public-key').inputValue();
  assert.match(publicKey, /BEGIN PUBLIC KEY/);
  assert.doesNotMatch(publicKey, /PRIVATE/);
  const registered = await admin('POST', '/admin/v1/aircraft', { aircraftId: TAIL, publicKey });
  assert.equal(registered.status, 201, await registered.clone().text());

  // Something for the ground: a seat fault and a PA (journalled, in the outbox).
  const purser = credentials.crew.find((c) => c.role === 'purser')!;
  const login = { token: await crewToken(baseUrl, purser.crewId, purser.pin) };
  const pa = await fetch(`${baseUrl}/api/crew/pa`, {
    method: 'POST',
    headers: { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'start', announcementId: 'seatbelt' }),
  });
  assert.equal(pa.status, 201);

  // 2. Export to USB: the bundle downloads, the summary says what it holds.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-usb')]);
  const uplink = path.join(work, download.suggestedFilename());
  await download.saveAs(uplink);
  await page.waitForSelector('#export-facts');
  const exportText = await page.locator('#export-summary').innerText();
  const outbox = (await appliance.store.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n;
  assert.match(
    exportText,
    new RegExp(`Records\\s+${outbox - 1} records in \\d+ batch`),
    "every record but the export's own audit",
  );
  assert.match(exportText, /Size\s+\d/);
  assert.match(exportText, /Publications acknowledged\s+through 0/);
  await screenshot(page, 'maintenance-export-summary');

  // 3. On the ground: import the stick, then export the ground's answer for this aircraft.
  const imported = await admin('POST', '/admin/v1/bundles/import', undefined, fs.readFileSync(uplink));
  assert.equal(imported.status, 200, await imported.clone().text());
  const stored = ((await imported.json()) as { imported: { stored: number } }).imported.stored;
  assert.equal(stored, outbox - 1);
  const software = crypto.randomBytes(6 * 1024 * 1024);
  const sha = crypto.createHash('sha256').update(software).digest('hex');
  assert.equal((await admin('PUT', `/admin/v1/files/${sha}`, undefined, software)).status, 201);
  assert.equal(
    (
      await admin('POST', '/admin/v1/publications', {
        kind: 'policy',
        name: 'geo',
        version: 7,
        payload: { wifi: { FR: true } },
      })
    ).status,
    201,
    'fleet-wide: no aircraftId',
  );
  assert.equal(
    (
      await admin('POST', '/admin/v1/publications', {
        kind: 'software',
        name: 'seat-app',
        version: 42,
        payload: { channel: 'stable' },
        files: [{ path: 'seat-app.bin', size: software.length, sha256: sha }],
      })
    ).status,
    201,
  );
  const answer = await admin('POST', `/admin/v1/aircraft/${TAIL}/bundles`);
  assert.equal(answer.status, 200);
  const downlink = path.join(work, `${TAIL}.downlink.ifecb`);
  fs.writeFileSync(downlink, Buffer.from(await answer.arrayBuffer()));

  // 4. Import from USB through the console, on a slow link so the progress bar can be seen.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 1.5 * 1024 * 1024,
  });
  await page.setInputFiles('#import-file', downlink);
  await page.waitForFunction(
    () => {
      const p = document.querySelector<HTMLProgressElement>('#import-progress');
      return p && !p.hidden && p.value >= 25 && p.value < 90;
    },
    undefined,
    { timeout: 30_000 },
  );
  const midway = await page.locator('#import-progress-text').innerText();
  assert.match(midway, /Uploading F-HUSB\.downlink\.ifecb: \d+ % \(/);
  await screenshot(page, 'maintenance-import-progress');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await page.waitForSelector('#import-facts', { timeout: 60_000 });
  const importText = await page.locator('#import-summary').innerText();
  assert.match(importText, /Imported bundle \d+/);
  assert.match(importText, /Publications\s+2 in the bundle, 2 new/);
  assert.match(importText, /Activated\s+policy geo v7, software seat-app v42/);
  assert.match(importText, /Ground holds\s+critical through \d+/);
  await screenshot(page, 'maintenance-import-summary');
  const publications = await appliance.sync.publications.list();
  assert.deepEqual(
    publications.map((p) => [p.kind, p.state]),
    [
      ['policy', 'active'],
      ['software', 'active'],
    ],
  );
  const status = await appliance.sync.service.status();
  assert.equal(
    status.backlog.critical + status.backlog.bulk,
    2,
    'the ground acknowledged everything the stick carried (the audit records of this export and import wait for the next one)',
  );

  // 5. The same stick again: not an attack, nothing to do.
  await page.setInputFiles('#import-file', downlink);
  await page.waitForFunction(
    () => /Already imported, nothing to do/.test(document.querySelector('#import-summary')?.textContent ?? ''),
    undefined,
    { timeout: 30_000 },
  );
  // The history lists the export and both imports, newest first.
  await page.waitForFunction(
    () => (document.querySelectorAll('#maintenance-history tbody tr').length ?? 0) >= 3,
    undefined,
    { timeout: 10_000 },
  );
  const rows = await page.locator('#maintenance-history tbody tr').allInnerTexts();
  assert.match(rows[0]!, /Import from USB · usb\s+✓ bundle \d+: already imported, nothing to do/);
  assert.match(rows[1]!, /Import from USB · usb\s+✓ bundle \d+: 2 new publications, 2 activated/);
  assert.match(rows[2]!, /Export to USB · usb\s+✓ bundle \d+: \d+ records/);
  await page.locator('#maintenance-history').scrollIntoViewIfNeeded();
  await screenshot(page, 'maintenance-history');

  // A bundle for another aircraft is refused, in words.
  await admin('POST', '/admin/v1/aircraft', {
    aircraftId: 'F-HOTH',
    publicKey: crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  const other = await admin('POST', '/admin/v1/aircraft/F-HOTH/bundles');
  const otherFile = path.join(work, 'F-HOTH.downlink.ifecb');
  fs.writeFileSync(otherFile, Buffer.from(await other.arrayBuffer()));
  await page.setInputFiles('#import-file', otherFile);
  await page.waitForSelector('#import-summary [role="alert"]');
  assert.match(
    await page.locator('#import-summary').innerText(),
    /Import refused \(BUNDLE_WRONG_AIRCRAFT\)[\s\S]*for another aircraft/,
  );
  await screenshot(page, 'maintenance-import-refused');

  await page.setViewportSize(PHONE);
  await screenshot(page, 'maintenance-phone');
  await context.close();
});

test('cabin crew see no maintenance screen; the purser does', async () => {
  const context = await browser.newContext({ viewport: KIOSK });
  const page = await context.newPage();
  for (const role of ['cabin_crew', 'purser'] as const) {
    const who = credentials.crew.find((c) => c.role === role)!;
    await page.goto(`${baseUrl}/crew`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.fill('#crew-id', who.crewId);
    await page.fill('#crew-pin', who.pin);
    await page.click('#crew-login');
    await page.waitForSelector('#crew-logout');
    assert.equal(await page.locator('#open-maintenance').count(), role === 'purser' ? 1 : 0, role);
  }
  await context.close();
});
