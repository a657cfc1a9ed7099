/**
 * The offline call-crew journey on real parts (appliance, aedes broker, Chromium): the seat's
 * link to the appliance is cut (its cabin-bus websocket goes silent, its HTTP calls fail: the
 * way a pulled cable or a dead switch looks, nothing is closed) -> the passenger is told the
 * call, DND and a favourite are queued, the crew console shows the seat offline; the link comes back ->
 * the call reaches the crew, the passenger sees it was received, the crew acknowledges and
 * the passenger is told crew is coming. And the console itself cut off from the appliance:
 * a stale notice, commands disabled, back to normal when the link returns.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { cabinForFile, KIOSK, openApp, screenshot, seatContext } from './cabin-harness.ts';
import { expectNoAxeViolations, hiddenNavLinks } from './pages.ts';

// A seat silent for 20 s is offline on the map (health goes out every 10 s).
const env = cabinForFile({ env: { IFEC_SEAT_OFFLINE_AFTER_S: '20' } });
const SEAT = '12A';

/** A switch between the page and the appliance that can be cut: frames vanish, new connections hang. */
async function cuttableLink(context: BrowserContext): Promise<{ cut(): void; restore(): void }> {
  let cut = false;
  const held: WebSocketRoute[] = [];
  await context.routeWebSocket(/\/mqtt$/, (ws) => {
    if (cut) {
      held.push(ws); // opened on the page side, nothing ever answers
      return;
    }
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      if (!cut) server.send(m);
    });
    server.onMessage((m) => {
      if (!cut) ws.send(m);
    });
    // Closing one side reaches the other only while the link is up: a cut tells nobody.
    ws.onClose(() => {
      if (!cut) void server.close();
    });
    server.onClose(() => {
      if (!cut) void ws.close();
    });
  });
  await context.route(/\/api\//, (route) => (cut ? route.abort('internetdisconnected') : route.continue()));
  return {
    cut: () => {
      cut = true;
    },
    restore: () => {
      cut = false;
      for (const ws of held.splice(0)) void ws.close().catch(() => undefined);
    },
  };
}

async function crewConsole(): Promise<Page> {
  const purser = env.cabin.credentials.crew.find((c) => c.role === 'purser')!;
  const context = await env.browser.newContext({ viewport: KIOSK });
  const page = await context.newPage();
  await page.goto(`${env.cabin.baseUrl}/crew`);
  await page.fill('#crew-id', purser.crewId);
  await page.fill('#crew-pin', purser.pin);
  await page.click('#crew-login');
  await page.waitForSelector(`#seat-${SEAT}`);
  return page;
}

const seatAttr = (page: Page, attr: string) => page.getAttribute(`#seat-${SEAT}`, attr);

test('seat cut off: call and DND queued, the crew sees the seat offline; link back: the call arrives and the passenger is told', async () => {
  const seatCtx = await seatContext(env.browser, env.cabin, SEAT, KIOSK);
  const link = await cuttableLink(seatCtx);
  const seat = await seatCtx.newPage();
  await openApp(seat, env.cabin);
  const crew = await crewConsole();
  await crew.waitForSelector(`#seat-${SEAT}[data-state="online"]`, { timeout: 30_000 });

  link.cut();
  await seat.click('#call-crew');
  await seat.click('#dnd');
  // The seat finds the silent link dead by itself (no PUBACK, no PINGRESP) and says so.
  await seat.waitForSelector('#call-status[data-call="queued"]', { timeout: 30_000 });
  assert.match(await seat.locator('#call-status').innerText(), /queued/);
  assert.equal(await seat.getAttribute('#call-crew', 'aria-pressed'), 'true');
  assert.equal(await seat.getAttribute('#dnd', 'data-dnd'), 'queued');
  // DND is told apart from a call by its words and mark, not by colour alone.
  assert.match(await seat.locator('#dnd').innerText(), /Do not disturb: on/);
  assert.match(await seat.locator('#call-crew').innerText(), /Cancel call/);
  // A favourite set now lives on the seat and says it has not reached the cabin system yet.
  await seat.evaluate(() => {
    location.hash = '#/title/copper-sky';
  });
  await seat.click('#favourite');
  // A setting changed now is the seat's own state too: saved here, on its way to the appliance.
  await seat.evaluate(() => {
    location.hash = '#/settings';
  });
  await seat.check('#high-contrast');
  await seat.waitForSelector('#call-status[data-changes="queued"]', { timeout: 15_000 });
  // A call, DND and high contrast at 1280: the seat tools give way, no header link is cut off.
  assert.deepEqual(await hiddenNavLinks(seat), [], 'every header link in view');
  assert.match(await seat.locator('#call-status [data-kind="changes"]').innerText(), /when the connection is back/);
  await screenshot(seat, 'cabin-call-queued-offline');
  await expectNoAxeViolations(seat, 'seat with a queued call');

  // The crew console shows the seat stale (offline, last contact some time ago), no call yet.
  await crew.waitForSelector(`#seat-${SEAT}[data-state="offline"]`, { timeout: 60_000 });
  assert.equal(await seatAttr(crew, 'data-call'), 'false');
  assert.match((await seatAttr(crew, 'aria-label')) ?? '', /offline, last contact/);
  await screenshot(crew, 'crew-seat-offline');

  link.restore();
  await seat.waitForSelector('#call-status[data-call="received"]', { timeout: 45_000 });
  assert.match(await seat.locator('#call-status').innerText(), /reached the crew/);
  await screenshot(seat, 'cabin-call-received');
  assert.equal(await seat.getAttribute('#dnd', 'data-dnd'), 'saved');
  // The favourite went through with the link: "saved" (the replica's push is done).
  await seat.waitForFunction(
    () => document.querySelector('#call-status')?.getAttribute('data-changes') !== 'queued',
    undefined,
    {
      timeout: 30_000,
    },
  );
  const kept = env.cabin.appliance!.seatStates.get(SEAT, 'settings')?.value as { highContrast?: boolean } | undefined;
  assert.equal(kept?.highContrast, true, 'the appliance has the setting changed offline');
  await crew.waitForSelector(`#seat-${SEAT}[data-state="online"][data-call="true"][data-dnd="true"]`, {
    timeout: 30_000,
  });
  await crew.waitForSelector(`#calls .call-ack[data-seat="${SEAT}"]`);
  await screenshot(crew, 'crew-call-arrived');

  await crew.click(`#calls .call-ack[data-seat="${SEAT}"]`);
  await seat.waitForSelector('#call-status[data-call="acknowledged"]', { timeout: 30_000 });
  assert.match(await seat.locator('#call-status').innerText(), /Crew is coming/);
  assert.equal(await seat.getAttribute('#call-crew', 'aria-pressed'), 'false');
  await screenshot(seat, 'cabin-call-acknowledged');
  await crew.waitForSelector(`#seat-${SEAT}[data-call="false"]`, { timeout: 30_000 });
  await crew.context().close();
  await seatCtx.close();
});

test('the console cut off from the appliance: stale notice, map marked stale, commands disabled; back when the link is', async () => {
  const crew = await crewConsole();
  await crew.click(`#seat-${SEAT}`);
  await crew.waitForSelector('#seat-lock:not([disabled])');
  let cut = true;
  await crew
    .context()
    .route(/\/api\/crew\//, (route) => (cut ? route.abort('internetdisconnected') : route.continue()));
  await crew.waitForSelector('#crew-stale', { timeout: 30_000 });
  assert.match(await crew.locator('#crew-stale').innerText(), /unreachable/);
  assert.equal(await crew.getAttribute('.seat-map', 'data-stale'), 'true');
  for (const id of [
    '#seat-lock',
    '#seat-reset',
    'button[data-announcement="turbulence"]',
    '#pa-free-start',
    '#flight-reset',
  ])
    assert.equal(await crew.locator(id).isDisabled(), true, `${id} is disabled while the appliance is unreachable`);
  assert.match((await seatAttr(crew, 'aria-label')) ?? '', /state unknown/);
  await screenshot(crew, 'crew-console-stale');
  await expectNoAxeViolations(crew, 'crew console, appliance unreachable');
  cut = false;
  await crew.waitForSelector('#crew-stale', { state: 'detached', timeout: 30_000 });
  await crew.waitForSelector('#seat-lock:not([disabled])');
  assert.equal(await crew.getAttribute('.seat-map', 'data-stale'), 'false');
  await crew.context().close();
});
