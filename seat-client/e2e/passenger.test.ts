/**
 * The passenger app in Debian's Chromium against a real appliance with the demo content:
 * browse -> detail -> play -> tracks, search in several languages, RTL, the phone's
 * catalogue, a PA pausing and resuming playback; axe on every screen; screenshots.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cabinForFile, KIOSK, KIOSK_HD, openApp, phoneContext, screenshot, seatContext } from './cabin-harness.ts';
import {
  cardIds,
  chooseLanguage,
  crewPost,
  crewToken,
  expectNoAxeViolations,
  search,
  videoTime,
  waitForPlayback,
} from './pages.ts';

const env = cabinForFile();

test('browse -> detail -> play: the video advances, audio and subtitle tracks change', async () => {
  const context = await seatContext(env.browser, env.cabin, '12A', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  await page.waitForSelector('a.card-link');
  await screenshot(page, 'kiosk-home');
  await expectNoAxeViolations(page, 'home');

  await page.click('a[data-nav="movies"]');
  await page.waitForSelector('.browse a.card-link');
  await screenshot(page, 'kiosk-browse-movies');
  await page.click('a[data-nav="tv"]');
  await page.waitForSelector('.series');
  assert.ok((await page.locator('.series h2').allTextContents()).some((t) => /jet stream/i.test(t)));
  await screenshot(page, 'kiosk-browse-tv');
  await page.click('a[data-nav="music"]');
  await screenshot(page, 'kiosk-browse-music');

  await page.click('a[data-nav="movies"]');
  await page.click('a[data-title-id="the-last-runway"]');
  await page.waitForSelector('article.detail h1');
  assert.match(await page.locator('article.detail').innerText(), /PG-13/);
  await screenshot(page, 'kiosk-detail');
  await expectNoAxeViolations(page, 'detail');

  await page.click('#play');
  const t1 = await waitForPlayback(page, 0.5);
  await page.waitForTimeout(1200);
  assert.ok((await videoTime(page)) > t1, 'currentTime advances');
  await page.waitForFunction(
    () =>
      document.querySelectorAll('#audio-track option').length >= 2 &&
      document.querySelectorAll('#subtitle-track option').length >= 2,
  );
  await screenshot(page, 'kiosk-player');
  // Paused, the controls stay on screen (playing, they fade after a few seconds).
  await page.click('#play-pause');
  await expectNoAxeViolations(page, 'player');
  await page.click('#play-pause');

  const french = await page.locator('#audio-track option', { hasText: /French/ }).getAttribute('value');
  await page.selectOption('#audio-track', french!);
  await page.waitForFunction(() => document.querySelector('video')?.dataset.audioLang === 'fr', undefined, {
    timeout: 15_000,
  });
  const subs = await page.locator('#subtitle-track option', { hasText: /German/ }).getAttribute('value');
  await page.selectOption('#subtitle-track', subs!);
  await page.waitForFunction(() => document.querySelector('video')?.dataset.subtitleLang === 'de', undefined, {
    timeout: 15_000,
  });
  await page.waitForFunction(
    () =>
      [...(document.querySelector('video')?.textTracks ?? [])].some((t) => t.language === 'de' && t.mode === 'showing'),
    undefined,
    { timeout: 15_000 },
  );
  // Past 5 s, the point from which the detail page offers to resume.
  await waitForPlayback(page, Math.max(6, (await videoTime(page)) + 0.3));

  // The resume point is kept: back on the detail page it offers to resume.
  await page.click('#player-back');
  await page.waitForSelector('#play');
  assert.match(await page.locator('#play').innerText(), /Resume/);
  await context.close();
});

test('search ignores accents and case, in two UI languages', async () => {
  const context = await seatContext(env.browser, env.cabin, '12C', KIOSK_HD);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  await page.waitForSelector('a.card-link');
  assert.deepEqual(await search(page, 'glaserne HAFEN'), ['harbour-of-glass']);
  assert.deepEqual(await search(page, 'CIELO DE COBRE'), ['copper-sky']);
  await screenshot(page, 'kiosk-hd-search');
  await chooseLanguage(page, 'ja');
  assert.deepEqual(await search(page, 'オーロラ'), ['northern-lights']);
  assert.deepEqual(await search(page, 'aurores boreales'), ['northern-lights']);
  assert.match(await page.locator('h1').innerText(), /検索/);
  await screenshot(page, 'kiosk-hd-search-ja');
  await page.goto(`${env.cabin.baseUrl}/#/`);
  await page.waitForSelector('a.card-link');
  await screenshot(page, 'kiosk-hd-home-ja');
  await context.close();
});

test('Arabic switches the document to right-to-left and mirrors the layout', async () => {
  const context = await seatContext(env.browser, env.cabin, '14A', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  const navX = () => page.evaluate(() => document.querySelector('a[data-nav="home"]')!.getBoundingClientRect().x);
  const homeLtr = await navX();
  await chooseLanguage(page, 'ar');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await screenshot(page, 'kiosk-settings-ar');
  await expectNoAxeViolations(page, 'settings (Arabic)');
  await page.goto(`${env.cabin.baseUrl}/#/`);
  await page.waitForSelector('a.card-link');
  const homeRtl = await navX();
  assert.ok(
    homeLtr < KIOSK.width / 2 && homeRtl > KIOSK.width / 2,
    `the first nav item moves to the right (${homeLtr} -> ${homeRtl})`,
  );
  assert.match(await page.locator('a[data-nav="home"]').innerText(), /الرئيسية/);
  await screenshot(page, 'kiosk-home-ar');
  await page.click('a[data-title-id="northern-lights"]');
  await page.waitForSelector('article.detail h1');
  assert.equal(await page.locator('article.detail h1').innerText(), 'الشفق القطبي');
  await screenshot(page, 'kiosk-detail-ar');
  await chooseLanguage(page, 'en');
  await screenshot(page, 'kiosk-settings');
  await expectNoAxeViolations(page, 'settings');
  await context.close();
});

test('the phone never offers a seatback-only title', async () => {
  const context = await phoneContext(env.browser);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  await page.waitForSelector('a.card-link');
  const ids = await cardIds(page);
  assert.ok(ids.includes('the-last-runway'));
  assert.ok(!ids.includes('northern-lights'), 'northern-lights is seatback-only');
  await screenshot(page, 'phone-home');
  // Children's titles have their own space (the Kids tab), not the home rows.
  await page.goto(`${env.cabin.baseUrl}/#/browse/kids`);
  await page.waitForSelector('.browse a.card-link');
  assert.ok((await cardIds(page)).includes('paper-planes'));
  await page.goto(`${env.cabin.baseUrl}/#/`);
  await page.waitForSelector('a.card-link');
  await expectNoAxeViolations(page, 'home (phone)');
  assert.deepEqual(await search(page, 'northern lights'), []);
  await screenshot(page, 'phone-search');
  await page.goto(`${env.cabin.baseUrl}/#/title/northern-lights`);
  assert.doesNotMatch(await page.locator('main').innerText(), /Northern Lights/);
  await page.goto(`${env.cabin.baseUrl}/#/title/little-cloud`);
  await page.waitForSelector('#play');
  await screenshot(page, 'phone-detail');
  await page.click('#play');
  await waitForPlayback(page, 0.3);
  await screenshot(page, 'phone-player');
  await page.goto(`${env.cabin.baseUrl}/#/settings`);
  await screenshot(page, 'phone-settings');
  await page.goto(`${env.cabin.baseUrl}/#/browse/tv`);
  await screenshot(page, 'phone-browse-tv');
  await context.close();
});

test('a PA pauses the video within 200 ms, shows the text in the seat language, and playback resumes after', async (t) => {
  const context = await seatContext(env.browser, env.cabin, '15F', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  await chooseLanguage(page, 'fr');
  await page.goto(`${env.cabin.baseUrl}/#/play/harbour-of-glass?from=0`);
  await waitForPlayback(page, 0.5);
  await page.evaluate(() => {
    const w = window as unknown as { pausedAt?: number };
    document.querySelector('video')!.addEventListener('pause', () => {
      w.pausedAt ??= Date.now();
    });
  });
  const purser = env.cabin.credentials.crew.find((c) => c.role === 'purser')!;
  const token = await crewToken(env.cabin.baseUrl, purser.crewId, purser.pin);
  const sentAt = Date.now();
  const started = await crewPost(env.cabin.baseUrl, token, '/api/crew/pa', {
    action: 'start',
    announcementId: 'seatbelt',
  });
  assert.equal(started.status, 201);
  await page.waitForSelector('#pa-notice:not([hidden])');
  const pausedAt = await page.evaluate(() => (window as unknown as { pausedAt?: number }).pausedAt);
  const heardAt = Number(await page.getAttribute('#pa-notice', 'data-received-at'));
  t.diagnostic(
    `PA: crew request -> seat heard it ${heardAt - sentAt} ms (journal fdatasync + bus), heard -> paused ${pausedAt! - heardAt} ms`,
  );
  assert.ok(
    pausedAt !== undefined && pausedAt - heardAt < 200,
    `paused ${pausedAt! - heardAt} ms after the seat received the PA`,
  );
  assert.ok(pausedAt - sentAt < 1000, `paused ${pausedAt - sentAt} ms after the crew pressed PA`);
  assert.match(await page.locator('#pa-text').innerText(), /consigne lumineuse/);
  const heldAt = await videoTime(page);
  await page.waitForTimeout(600);
  assert.ok(Math.abs((await videoTime(page)) - heldAt) < 0.05, 'the video stays paused during the PA');
  await screenshot(page, 'kiosk-pa');

  assert.equal((await crewPost(env.cabin.baseUrl, token, '/api/crew/pa', { action: 'stop' })).status, 200);
  await page.waitForSelector('#pa-notice', { state: 'hidden' });
  await waitForPlayback(page, heldAt + 0.3);
  await context.close();
});
