/**
 * The passenger's experience as journeys, against a real appliance with the demo content in
 * Debian's Chromium: home (hero, row order, no duplicate rows, kids apart, live row) at
 * 1280×800, 1920×1080 and 390×844 in English, Arabic and Japanese; the full-screen player
 * (auto-hiding controls, ±10 s, volume, track menus inside the screen at the largest text
 * size, next episode countdown, more like this); the music player with background play; a
 * priced title's Buy and its translated refusal; typo-tolerant search; a keyboard-only
 * journey. Screenshots go to test-artifacts/ (gitignored) and axe runs on each screen.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  cabinForFile,
  KIOSK,
  KIOSK_HD,
  openApp,
  PHONE,
  phoneContext,
  screenshot,
  seatContext,
} from './cabin-harness.ts';
import { chooseLanguage, expectNoAxeViolations, hiddenNavLinks, search, waitForPlayback } from './pages.ts';

const env = cabinForFile();

const rowIds = (page: Page) =>
  page
    .locator('.home > .row, .home > .recommendations .row')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-labelledby') ?? ''));

async function headerRows(page: Page): Promise<number> {
  return page.evaluate(() => {
    const header = document.querySelector('header.top') as HTMLElement;
    const tops = new Set(
      [...header.querySelectorAll('.nav-link, .seat-tools .button')].map((e) =>
        Math.round(e.getBoundingClientRect().top),
      ),
    );
    return tops.size;
  });
}

for (const lang of ['en', 'ar', 'ja'] as const) {
  test(`home in ${lang}: hero first, then continue/new/films/TV in that order, no row twice, kids apart, one header row at every size`, async () => {
    for (const [name, viewport] of [
      ['kiosk', KIOSK],
      ['kiosk-hd', KIOSK_HD],
      ['phone', PHONE],
    ] as const) {
      const context =
        name === 'phone'
          ? await phoneContext(env.browser)
          : await seatContext(env.browser, env.cabin, name === 'kiosk' ? '20A' : '20B', viewport);
      const page = await context.newPage();
      await openApp(page, env.cabin);
      if (lang !== 'en') {
        await chooseLanguage(page, lang);
        await page.goto(`${env.cabin.baseUrl}/#/`);
      }
      await page.waitForSelector('.hero a#hero-detail');
      // The hero is the title the demo content load features (media-pipeline's recipe), not the first newest film.
      assert.equal(await page.getAttribute('.hero', 'data-title-id'), 'the-last-runway');
      await page.waitForSelector('#live-now #nothing-live, #live-now a.card-link');
      const first = await rowIds(page);
      await page.reload();
      await page.waitForSelector('.hero a#hero-detail');
      // Recommendation rows follow the flight (Fits before landing appears as arrival nears) and come
      // a moment later: the editorial rows are what must not move between loads.
      const editorial = (ids: string[]) => ids.filter((id) => !id.startsWith('row-reco-'));
      assert.deepEqual(
        editorial(await rowIds(page)),
        editorial(first),
        'the same rows in the same order after a reload',
      );
      const order = first.filter((id) => ['row-continue', 'row-new', 'row-films', 'row-tv'].includes(id));
      assert.deepEqual(
        order,
        [...order].sort(
          (a, b) =>
            ['row-continue', 'row-new', 'row-films', 'row-tv'].indexOf(a) -
            ['row-continue', 'row-new', 'row-films', 'row-tv'].indexOf(b),
        ),
      );
      assert.ok(first.includes('row-films') && first.includes('row-tv'), `films and TV rows: ${first.join(', ')}`);
      // No row shows only what another row showed.
      const sets = await page.locator('.home > .row').evaluateAll((els) =>
        els.map((e) =>
          [...e.querySelectorAll('a.card-link')]
            .map((a) => a.getAttribute('data-title-id'))
            .sort()
            .join(','),
        ),
      );
      assert.equal(new Set(sets.filter(Boolean)).size, sets.filter(Boolean).length, `rows repeat: ${sets.join(' | ')}`);
      // Kids' titles live in the kids' zone, not in the grown-ups' rows.
      const kidsOnHome = await page
        .locator('.home > .row a[data-title-id="paper-planes"], .home > .row a[data-title-id="little-cloud"]')
        .count();
      assert.equal(kidsOnHome, 0);
      assert.equal(await page.locator('#kids-zone').count(), 1);
      assert.equal(await page.locator('a[data-nav="live"]').count(), 0, 'no top-level Live TV tab');
      assert.doesNotMatch(await page.locator('#live-now').innerText(), /Nothing found/);
      assert.equal(await headerRows(page), 1, 'the header is one row');
      if (name !== 'phone') assert.deepEqual(await hiddenNavLinks(page), [], 'every header link in view');
      if (name !== 'phone') {
        // The cards use the width: at 1920 a card is wider than at 1280.
        // Home re-renders as the flight and recommendation data come in: measure the cards once it settles.
        const minWidth = name === 'kiosk-hd' ? 250 : 150;
        const widest = () =>
          page.evaluate(() =>
            Math.max(
              0,
              ...[...document.querySelectorAll('.home > .row .card')].map((e) => e.getBoundingClientRect().width),
            ),
          );
        await page
          .waitForFunction(
            (min) =>
              [...document.querySelectorAll('.home > .row .card')].some((e) => e.getBoundingClientRect().width >= min),
            minWidth,
            { timeout: 15_000 },
          )
          .catch(() => {}); // the assertion below says what was measured
        const cardWidth = await widest();
        assert.ok(cardWidth >= minWidth, `card width ${cardWidth}`);
      }
      await screenshot(page, `xp-home-${name}-${lang}`);
      if (name === 'kiosk') await expectNoAxeViolations(page, `home ${lang}`);
      await context.close();
    }
  });
}

test('the header stays one row in Arabic at the largest text size, and the player track menus fit 1280×800', async () => {
  const context = await seatContext(env.browser, env.cabin, '21A', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin, '#/settings');
  await page.selectOption('#text-size', 'x-large');
  await chooseLanguage(page, 'ar');
  await page.goto(`${env.cabin.baseUrl}/#/`);
  await page.waitForSelector('.hero');
  assert.equal(await page.getAttribute('html', 'data-text-size'), 'x-large');
  assert.equal(await headerRows(page), 1);
  await screenshot(page, 'xp-home-kiosk-ar-xlarge');
  assert.deepEqual(await hiddenNavLinks(page), [], 'every header link in view');
  await page.goto(`${env.cabin.baseUrl}/#/play/the-last-runway?from=0`);
  await waitForPlayback(page, 0.3);
  await page.waitForFunction(() => document.querySelectorAll('#subtitle-track option').length >= 2);
  await page.mouse.move(600, 400);
  const outside = await page.evaluate(() =>
    ['#audio-track', '#subtitle-track', '#audio-description', '#play-pause', '#volume', '#forward-10']
      .map((sel) => [sel, document.querySelector(sel)!.getBoundingClientRect()] as const)
      .filter(([, r]) => r.bottom > innerHeight || r.top < 0 || r.right > innerWidth || r.left < 0)
      .map(([sel]) => sel),
  );
  assert.deepEqual(outside, [], 'every player control inside the 1280×800 screen');
  await screenshot(page, 'xp-player-kiosk-ar-xlarge');
  await context.close();
});

test('the player fills the screen, hides its controls while playing and brings them back, skips 10 s and sets the volume', async () => {
  const context = await seatContext(env.browser, env.cabin, '21C', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin, '#/title/harbour-of-glass');
  await page.click('#play');
  await waitForPlayback(page, 0.5);
  assert.equal(await page.locator('header.top').isVisible(), false, 'no navigation bar in the player');
  const box = await page.locator('video').boundingBox();
  assert.ok(
    box && box.width === KIOSK.width && box.height === KIOSK.height,
    `video fills the screen: ${JSON.stringify(box)}`,
  );
  assert.equal(await page.locator('video').evaluate((v) => getComputedStyle(v).objectFit), 'contain');
  await screenshot(page, 'xp-player-kiosk-en');
  // Paused, the controls stay (playing, they fade: axe would measure a fading contrast).
  await page.click('#play-pause');
  await expectNoAxeViolations(page, 'player');
  await page.click('#play-pause');
  await page.waitForSelector('.player[data-controls="hidden"]', { timeout: 15_000 });
  await screenshot(page, 'xp-player-kiosk-hidden');
  await page.mouse.move(300, 300);
  await page.waitForSelector('.player[data-controls="shown"]');
  const before = await page.evaluate(() => document.querySelector('video')!.currentTime);
  await page.click('#forward-10');
  await page.waitForFunction((t) => document.querySelector('video')!.currentTime >= t + 9, before);
  await page.click('#back-10');
  await page.waitForFunction((t) => document.querySelector('video')!.currentTime < t + 5, before);
  await page.fill('#volume', '40');
  await page.waitForFunction(() => Math.abs(document.querySelector('video')!.volume - 0.4) < 0.01);
  await page.click('#mute');
  assert.equal(await page.evaluate(() => document.querySelector('video')!.muted), true);
  // Leave at 0:12 of 1:00: home continues it, with a progress bar of about a fifth.
  await page.evaluate(() => {
    document.querySelector('video')!.currentTime = 12;
  });
  await page.waitForFunction(() => document.querySelector('video')!.currentTime >= 12.5);
  await page.click('#player-back');
  await page.click('a[data-nav="home"]');
  await page.waitForSelector('#row-continue ~ .cards [role="progressbar"]');
  const percent = Number(await page.getAttribute('#row-continue ~ .cards [role="progressbar"]', 'aria-valuenow'));
  assert.ok(percent >= 15 && percent <= 40, `progress ${percent} %`);
  await screenshot(page, 'xp-home-continue-watching');
  await context.close();
});

test('end of an episode: the next one after a countdown; end of a film: more like this', async () => {
  const context = await seatContext(env.browser, env.cabin, '22A', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin, '#/play/jet-stream-s1e1?from=17');
  await page.waitForSelector('#up-next-count', { timeout: 30_000 });
  assert.match(await page.locator('#up-next-count').innerText(), /Next episode in \d+ s/);
  await screenshot(page, 'xp-player-up-next');
  await page.waitForFunction(() => location.hash.startsWith('#/play/jet-stream-s1e2'), undefined, { timeout: 20_000 });
  await page.goto(`${env.cabin.baseUrl}/#/play/the-last-runway?from=26`);
  await page.waitForSelector('#more-like-this', { timeout: 30_000 });
  assert.ok((await page.locator('#player-end a.card-link').count()) > 0, 'more like this offers titles');
  await screenshot(page, 'xp-player-more-like-this');
  await expectNoAxeViolations(page, 'end of a film');
  await context.close();
});

test('music: artwork and the album’s tracks, no video box or subtitles, and it keeps playing while browsing', async () => {
  const context = await seatContext(env.browser, env.cabin, '22C', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin, '#/browse/music');
  await page.locator('.browse a.card-link').first().click();
  await page.waitForSelector('article.detail h1');
  const detail = await page.locator('article.detail').innerText();
  assert.doesNotMatch(detail, /NR NR|Rating/);
  await screenshot(page, 'xp-music-detail');
  await page.click('#play');
  await waitForPlayback(page, 0.3);
  assert.equal(await page.locator('video').isVisible(), false, 'no video box for music');
  assert.equal(await page.locator('#subtitle-track').count(), 0, 'no subtitles menu for music');
  assert.ok((await page.locator('.track-list .track').count()) >= 2);
  await screenshot(page, 'xp-music-player');
  await expectNoAxeViolations(page, 'music player');
  await page.goto(`${env.cabin.baseUrl}/#/`);
  await page.waitForSelector('#now-playing:not([hidden])');
  const t0 = await page.evaluate(() =>
    document.querySelector('#now-playing')
      ? ((document.querySelector('body > video') as HTMLVideoElement | null)?.currentTime ?? -1)
      : -1,
  );
  await page.waitForFunction(
    (t) => (document.querySelector('body > video') as HTMLVideoElement | null)!.currentTime > t + 0.5,
    t0,
  );
  await screenshot(page, 'xp-music-background');
  await page.click('#now-playing-close');
  await page.waitForSelector('#now-playing', { state: 'hidden' });
  await context.close();
});

test('a priced title offers Buy, and playing it unbought says why in the passenger’s language with Buy', async () => {
  const context = await seatContext(env.browser, env.cabin, '23A', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin, '#/title/northern-lights');
  await page.waitForSelector('#buy');
  assert.equal(await page.getAttribute('#buy', 'href'), '#/shop/title/northern-lights');
  assert.match(await page.locator('#buy').innerText(), /Buy · €3\.99/);
  await screenshot(page, 'xp-detail-priced');
  await page.click('#play');
  await page.waitForSelector('#player-refusal:not([hidden])');
  const text = await page.locator('#player-refusal').innerText();
  assert.match(text, /not included in your fare/);
  assert.doesNotMatch(text, /premium|buy it first|\(|Failed to fetch/);
  assert.equal(
    await page.getAttribute('#player-refusal a[data-action="paid"].primary', 'href'),
    '#/shop/title/northern-lights',
  );
  await screenshot(page, 'xp-player-refused-paid');
  await chooseLanguage(page, 'ja');
  await page.goto(`${env.cabin.baseUrl}/#/play/northern-lights?from=0`);
  await page.waitForSelector('#player-refusal:not([hidden])');
  assert.match(await page.locator('#refusal-text').innerText(), /運賃に含まれていません/);
  await screenshot(page, 'xp-player-refused-paid-ja');
  await context.close();
});

test('search tolerates typos and offers recent searches, suggestions and an on-screen keyboard', async () => {
  const context = await seatContext(env.browser, env.cabin, '23C', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  await page.waitForSelector('a.card-link');
  assert.deepEqual(await search(page, 'Nothern Lihgts'), ['northern-lights']);
  assert.ok((await search(page, 'nortern')).includes('northern-lights'));
  assert.ok((await search(page, 'harbor')).includes('harbour-of-glass'));
  assert.ok((await search(page, 'runwya')).includes('the-last-runway'));
  await page.fill('#search-input', 'nortern');
  await page.waitForSelector('#search-suggestions .suggestion');
  assert.match(await page.locator('#search-suggestions').innerText(), /Did you mean\s*Northern Lights/);
  await screenshot(page, 'xp-search-suggestion');
  await page.press('#search-input', 'Enter');
  await page.fill('#search-input', '');
  await page.waitForSelector('#search-empty .recent');
  assert.match(await page.locator('#search-empty').innerText(), /Recent searches[\s\S]*nortern/);
  await screenshot(page, 'xp-search-empty');
  for (const key of ['j', 'e', 't']) await page.click(`#on-screen-keyboard [data-key="${key}"]`);
  assert.equal(await page.inputValue('#search-input'), 'jet');
  await page.waitForSelector('.results a[data-title-id^="jet-stream"]');
  await screenshot(page, 'xp-search-keyboard');
  await expectNoAxeViolations(page, 'search');
  await chooseLanguage(page, 'ar');
  assert.deepEqual(await search(page, 'الشفق'), ['northern-lights']);
  await screenshot(page, 'xp-search-ar');
  await context.close();
});

// Once failed in a fresh clone: home was rebuilt by a background refresh and the focus fell to the page
// (app/main.ts now puts it back on the same card). Each step waits for its condition, not a time.
test('keyboard only: browse -> detail -> play -> back with arrows, Enter and Escape, the focus ring inside its row', async () => {
  const context = await seatContext(env.browser, env.cabin, '24A', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  await page.waitForSelector('#row-films');
  await page.focus('a[data-nav="home"]');
  const focusedId = () =>
    page.evaluate(() => (document.activeElement as HTMLElement).dataset.titleId ?? document.activeElement!.id);
  // Down from the navigation until a film card has the focus.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('ArrowDown');
    const inFilms = await page.evaluate(() => !!document.activeElement?.closest('[aria-labelledby="row-films"]'));
    if (inFilms) break;
  }
  assert.ok(
    await page.evaluate(() => !!document.activeElement?.closest('[aria-labelledby="row-films"]')),
    `focus on ${await focusedId()}`,
  );
  const firstCard = await focusedId();
  await page.keyboard.press('ArrowRight');
  const second = await focusedId();
  assert.notEqual(second, firstCard, 'ArrowRight moves along the row');
  // The focus ring is not clipped by the row's scroller.
  const clipped = await page.evaluate(() => {
    const a = document.activeElement as HTMLElement;
    const ring = a.getBoundingClientRect();
    const row = a.closest('.cards')!.getBoundingClientRect();
    return ring.top - 5 < row.top || ring.bottom + 5 > row.bottom;
  });
  assert.equal(clipped, false);
  await screenshot(page, 'xp-keyboard-focus');
  await page.keyboard.press('Enter');
  await page.waitForSelector('article.detail #play');
  await page.focus('#play');
  await page.keyboard.press('Enter');
  await waitForPlayback(page, 0.3, 60_000);
  await page.keyboard.press('Escape');
  await page.waitForSelector('article.detail');
  assert.match(await page.evaluate(() => location.hash), /^#\/title\//);
  await context.close();
});

test('on the phone the navigation is one line and the player is full screen', async () => {
  const context = await phoneContext(env.browser);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  await page.waitForSelector('.hero');
  assert.equal(await headerRows(page), 1);
  const height = await page.locator('header.top').evaluate((e) => e.getBoundingClientRect().height);
  assert.ok(height < PHONE.height * 0.1, `header ${height}px`);
  await chooseLanguage(page, 'ja');
  await page.goto(`${env.cabin.baseUrl}/#/play/little-cloud?from=0`);
  await waitForPlayback(page, 0.3);
  await screenshot(page, 'xp-phone-player-ja');
  await context.close();
});

test('parental lock: "PIN too short" apart from "Wrong PIN", a confirmation, and an age threshold that hides titles', async () => {
  const context = await seatContext(env.browser, env.cabin, '24C', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin, '#/settings');
  await page.waitForSelector('#parental-state');
  assert.match(await page.locator('#parental-state').innerText(), /Parental lock is off/);
  await page.fill('#parental-pin', '12');
  await page.click('#parental-toggle');
  await page.waitForFunction(() => /4 digits/.test(document.getElementById('parental-message')?.textContent ?? ''));
  assert.doesNotMatch(await page.locator('main').innerText(), /requested format|Wrong PIN/);
  await page.selectOption('#parental-age', '7');
  await page.fill('#parental-pin', '1234');
  await page.click('#parental-toggle');
  await page.waitForSelector('#parental-state[data-locked="true"]');
  assert.match(await page.locator('#parental-state').innerText(), /on\. Titles for ages above 7 are hidden/);
  await screenshot(page, 'xp-settings-parental-on');
  await page.goto(`${env.cabin.baseUrl}/#/browse/movies`);
  await page.waitForSelector('.browse a.card-link');
  const ids = await page
    .locator('.browse a.card-link')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-title-id')));
  assert.ok(
    !ids.includes('harbour-of-glass') && !ids.includes('the-last-runway'),
    `FSK 12 and PG-13 hidden: ${ids.join(', ')}`,
  );
  await page.goto(`${env.cabin.baseUrl}/#/settings`);
  await page.fill('#parental-pin', '9999');
  await page.click('#parental-toggle');
  await page.waitForFunction(() => document.getElementById('parental-message')?.textContent === 'Wrong PIN');
  await page.fill('#parental-pin', '1234');
  await page.click('#parental-toggle');
  await page.waitForSelector('#parental-state[data-locked="false"]');
  await expectNoAxeViolations(page, 'settings with the parental lock');
  await context.close();
});
