/**
 * The crew console on an A380 (real appliance, real broker, a live seat kiosk): the seat map
 * drawn as both decks from the layout file fits a 1280x800 tablet without page scrolling in
 * English, Arabic and Japanese; a passenger's call stands out and is listed; axe finds
 * nothing; each role sees its own controls.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ordersStringsFor } from '../src/crew-console/orders-strings.ts';
import { cabinForFile, KIOSK, openApp, screenshot, seatContext } from './cabin-harness.ts';
import { expectNoAxeViolations } from './pages.ts';

const env = cabinForFile({ env: { IFEC_AIRCRAFT: 'a380' } });

async function consoleAs(browser: Browser, role: string, lang = 'en'): Promise<Page> {
  const member = env.cabin.credentials.crew.find((c) => c.role === role)!;
  const context = await browser.newContext({ viewport: KIOSK, locale: lang });
  const page = await context.newPage();
  await page.goto(`${env.cabin.baseUrl}/crew`);
  await page.fill('#crew-id', member.crewId);
  await page.fill('#crew-pin', member.pin);
  await page.click('#crew-login');
  await page.waitForSelector('.cabin-grid .seat');
  return page;
}

async function fitsWithoutScrolling(page: Page, what: string): Promise<void> {
  const size = await page.evaluate(() => ({
    scrollH: document.documentElement.scrollHeight,
    scrollW: document.documentElement.scrollWidth,
    h: innerHeight,
    w: innerWidth,
    // The map's own box must not scroll sideways either: every seat row in view.
    mapScroll: (() => {
      const f = document.querySelector('.fuselage')!;
      return f.scrollWidth - f.clientWidth;
    })(),
  }));
  assert.ok(size.scrollH <= size.h && size.scrollW <= size.w, `${what}: page scrolls (${JSON.stringify(size)})`);
  assert.ok(size.mapScroll <= 1, `${what}: the seat map scrolls sideways by ${size.mapScroll}px`);
}

test('A380: both decks drawn from the layout fit 1280x800 in en, ar, ja; a call stands out; axe clean', async () => {
  const seatCtx = await seatContext(env.browser, env.cabin, '41C', KIOSK);
  const seat = await seatCtx.newPage();
  await openApp(seat, env.cabin);
  await seat.click('#call-crew');

  const crew = await consoleAs(env.browser, 'purser');
  await crew.waitForSelector('#seat-41C[data-call="true"]', { timeout: 30_000 });
  // Drawn as the cabin: aisles between the seat groups, exits, galleys, class dividers.
  assert.ok((await crew.locator('.fuselage[data-deck="main"] .aisle').count()) > 0, 'aisles drawn');
  assert.ok((await crew.locator('.monument.galley').count()) >= 2, 'galleys drawn');
  assert.ok((await crew.locator('.exit').count()) >= 3, 'exit rows marked');
  assert.equal(await crew.locator('.class-name').count(), 2, 'premium and economy on the main deck');
  // 41C sits above 41D with an aisle between (C is the last seat of the first group).
  const c = await crew.locator('#seat-41C').boundingBox();
  const d = await crew.locator('#seat-41D').boundingBox();
  assert.ok(c && d && Math.abs(c.x - d.x) < 1 && d.y - c.y > c.height + 4, 'an aisle between C and D');
  // The call: a filled seat with a bell, and a big acknowledge button in the calls strip.
  assert.equal(await crew.locator('#seat-41C.mark-call svg').count(), 1);
  const ack = crew.locator('#calls .call-ack[data-seat="41C"]');
  assert.ok(((await ack.boundingBox())?.height ?? 0) >= 44, 'the call button is big enough to hit');

  for (const lang of ['en', 'ar', 'ja']) {
    await crew.selectOption('#crew-language', lang);
    await crew.waitForFunction((l) => document.documentElement.lang === l, lang);
    // Every panel follows at once, the shop's orders too (not at its next poll, 2 s later).
    await crew.waitForFunction(
      (title) => document.getElementById('orders-heading')?.textContent === title,
      ordersStringsFor(lang).title,
      { timeout: 500 },
    );
    await fitsWithoutScrolling(crew, `main deck in ${lang}`);
    await screenshot(crew, `crew-a380-main-${lang}`);
    await expectNoAxeViolations(crew, `crew console (A380 main deck, ${lang})`);
    await crew.click('#deck-upper');
    await crew.waitForSelector('.fuselage[data-deck="upper"]');
    await fitsWithoutScrolling(crew, `upper deck in ${lang}`);
    await screenshot(crew, `crew-a380-upper-${lang}`);
    await crew.click('#deck-main');
    await crew.waitForSelector('.fuselage[data-deck="main"]');
  }
  assert.equal(await crew.getAttribute('html', 'dir'), 'ltr');
  await crew.selectOption('#crew-language', 'en');

  // Acknowledged from the calls strip: the passenger is told the crew is coming.
  await ack.click();
  await seat.waitForSelector('#call-status[data-call="acknowledged"]', { timeout: 15_000 });
  await crew.waitForSelector('#seat-41C[data-call="false"]', { timeout: 15_000 });
  await crew.context().close();
  await seatCtx.close();
});

test('each role sees its own controls: purser everything, cabin crew no cabin reset, maintenance no PA', async () => {
  const expectations = [
    { role: 'purser', pa: true, flightReset: true, maintenance: true },
    { role: 'cabin_crew', pa: true, flightReset: false, maintenance: false },
    { role: 'maintenance', pa: false, flightReset: false, maintenance: true },
  ];
  for (const e of expectations) {
    const page = await consoleAs(env.browser, e.role);
    await page.click('#seat-41C');
    await page.waitForSelector('#seat-heading');
    assert.equal((await page.locator('button[data-announcement]').count()) > 0, e.pa, `${e.role}: PA buttons`);
    assert.equal(
      await page.locator('#flight-reset').count(),
      e.flightReset ? 1 : 0,
      `${e.role}: reset for next flight`,
    );
    assert.equal(await page.locator('#open-maintenance').count(), e.maintenance ? 1 : 0, `${e.role}: maintenance`);
    assert.equal(await page.locator('#seat-reset').count(), 1, `${e.role}: seat reset`);
    assert.match(
      await page.locator('#crew-who').innerText(),
      e.role === 'purser' ? /Purser/ : e.role === 'cabin_crew' ? /Cabin crew/ : /Maintenance/,
    );
    await screenshot(page, `crew-role-${e.role}`);
    await page.context().close();
  }
});
