/**
 * The crew console at /crew against a real appliance, with a live seat kiosk beside it:
 * login, the seat map showing the seat's call light and DND, acknowledging the call, PA
 * start/stop from the library, locking and unlocking the seat; axe; screenshots.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { cabinForFile, KIOSK, openApp, PHONE, screenshot, seatContext } from './cabin-harness.ts';
import { expectNoAxeViolations } from './pages.ts';

const env = cabinForFile();

async function crewLogin(page: Page): Promise<void> {
  const purser = env.cabin.credentials.crew.find((c) => c.role === 'purser')!;
  await page.goto(`${env.cabin.baseUrl}/crew`);
  await page.fill('#crew-id', purser.crewId);
  await page.fill('#crew-pin', '0000');
  await page.click('#crew-login');
  await page.waitForSelector('[role="alert"]');
  await screenshot(page, 'crew-login-refused');
  await page.fill('#crew-id', purser.crewId);
  await page.fill('#crew-pin', purser.pin);
  await page.click('#crew-login');
  await page.waitForSelector('#seat-3C');
}

test('crew console: login, call light and DND, PA from the library, seat lock', async () => {
  const seatCtx = await seatContext(env.browser, env.cabin, '3C', KIOSK);
  const seat = await seatCtx.newPage();
  await openApp(seat, env.cabin);
  await seat.waitForSelector('a.card-link');

  const crewCtx = await env.browser.newContext({ viewport: KIOSK });
  const crew = await crewCtx.newPage();
  await crew.goto(`${env.cabin.baseUrl}/crew`);
  await screenshot(crew, 'crew-login');
  await expectNoAxeViolations(crew, 'crew login');
  await crewLogin(crew);
  await crew.waitForFunction(
    () => document.querySelector('#seat-3C')?.getAttribute('data-state') === 'online',
    undefined,
    { timeout: 15_000 },
  );

  // The passenger calls and asks not to be disturbed; the crew sees both and answers the call.
  await seat.click('#call-crew');
  await seat.click('#dnd');
  await crew.waitForSelector('#seat-3C[data-call="true"][data-dnd="true"]', { timeout: 15_000 });
  // Said in words too (the seat's label), not only by its bell mark and colour.
  assert.match((await crew.getAttribute('#seat-3C', 'aria-label')) ?? '', /Calling crew.*Do not disturb/);
  assert.equal(await crew.locator('#seat-3C.mark-call svg').count(), 1, 'a bell on the calling seat');
  await crew.click('#seat-3C');
  await screenshot(crew, 'crew-console-call');
  await expectNoAxeViolations(crew, 'crew console');
  await crew.click('#seat-ack');
  await seat.waitForFunction(
    () => document.querySelector('#call-crew')?.getAttribute('aria-pressed') === 'false',
    undefined,
    { timeout: 10_000 },
  );

  // PA from the library: the seat shows it; ending it clears the notice.
  await crew.click('button[data-announcement="turbulence"]');
  await seat.waitForSelector('#pa-notice:not([hidden])');
  assert.match(await seat.locator('#pa-text').innerText(), /turbulence/i);
  // The PA covers the screen but not the call button: the passenger can still call, the crew sees it.
  await seat.click('#pa-call-crew');
  await crew.waitForSelector('#seat-3C[data-call="true"]', { timeout: 15_000 });
  assert.equal(await seat.getAttribute('#pa-call-crew', 'aria-pressed'), 'true');
  await screenshot(seat, 'kiosk-pa-turbulence');
  await crew.waitForSelector('#pa-stop');
  await screenshot(crew, 'crew-console-pa');
  await crew.click('#pa-stop');
  await seat.waitForSelector('#pa-notice', { state: 'hidden' });
  await crew.click('#calls .call-ack[data-seat="3C"]');
  await seat.waitForSelector('#call-status[data-call="acknowledged"]', { timeout: 15_000 });

  // Lock and unlock the seat.
  await crew.click('#seat-3C');
  await crew.click('#seat-lock');
  await seat.waitForSelector('#seat-locked:not([hidden])');
  await screenshot(seat, 'kiosk-locked');
  await crew.waitForSelector('#seat-unlock');
  await crew.click('#seat-unlock');
  await seat.waitForSelector('#seat-locked', { state: 'hidden' });

  // A crew-set lock survives a reload of the seat (retained on seat/<id>/state).
  await crew.click('#seat-lock');
  await seat.waitForSelector('#seat-locked:not([hidden])');
  await seat.reload();
  await seat.waitForSelector('#seat-locked:not([hidden])', { timeout: 15_000 });
  await crew.click('#seat-unlock');
  await seat.waitForSelector('#seat-locked', { state: 'hidden' });

  await crew.setViewportSize(PHONE);
  await screenshot(crew, 'crew-console-phone');
  await crewCtx.close();
  await seatCtx.close();
});
