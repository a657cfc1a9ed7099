/**
 * Seek preview in Debian's Chromium on a real appliance with the demo content: dragging the
 * seek bar with a mouse or a finger, hovering it and stepping it with the arrow keys show the
 * picture the title's thumbnails track names for that moment (checked against the track and
 * against the sheet's own pixels), above the bar and inside the screen, in English and in
 * Arabic (a bar that runs right to left); music shows none. (A seatback-only title's
 * token on its sheets: appliance/test/media-seek-preview.test.ts; the demo's one is priced.) Screenshots at 1280x800.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSeekPreviewTrack, type SeekPreviewCue, seekPreviewCueAt } from '@ifec/protocol';
import type { BrowserContext, Page } from 'playwright-core';
import sharp, { type Sharp } from 'sharp';
import { cabinForFile, KIOSK, openApp, PHONE, phoneContext, screenshot, seatContext } from './cabin-harness.ts';
import { chooseLanguage, waitForPlayback } from './pages.ts';

const env = cabinForFile();

interface Preview {
  hidden: boolean;
  time: number;
  image: string;
  position: string;
  rect: { left: number; right: number; top: number; bottom: number; centre: number };
  seekTop: number;
  value: number;
}

/** The title's track as the seat's own playback grant names it, and its cues with absolute sheet URLs. */
async function trackOf(seatId: string, titleId: string): Promise<Array<SeekPreviewCue & { url: string }>> {
  const auth = Buffer.from(`seat:${seatId}:${env.cabin.credentials.seats[seatId]}`).toString('base64');
  const res = await fetch(`${env.cabin.baseUrl}/api/playback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${auth}` },
    body: JSON.stringify({ titleId, device: 'seat' }),
  });
  assert.equal(res.status, 201);
  const { seekPreview } = (await res.json()) as { seekPreview?: string };
  assert.ok(seekPreview, `${titleId} has a seek preview track`);
  const trackUrl = new URL(seekPreview, env.cabin.baseUrl);
  const cues = parseSeekPreviewTrack(await (await fetch(trackUrl)).text());
  return cues.map((c) => ({ ...c, url: new URL(c.image, trackUrl).href }));
}

async function preview(page: Page): Promise<Preview> {
  return page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('#seek-preview')!;
    const picture = el.querySelector<HTMLElement>('.seek-preview-picture')!;
    const r = el.getBoundingClientRect();
    const seek = document.querySelector<HTMLInputElement>('#seek')!;
    return {
      hidden: el.hidden || getComputedStyle(el).display === 'none',
      time: Number(el.dataset.time ?? Number.NaN),
      image: getComputedStyle(picture).backgroundImage,
      position: getComputedStyle(picture).backgroundPosition,
      rect: { left: r.left, right: r.right, top: r.top, bottom: r.bottom, centre: r.left + r.width / 2 },
      seekTop: seek.getBoundingClientRect().top,
      value: Number(seek.value),
    };
  });
}

/** The preview shows the cue the track gives for its time: same sheet, same cell. */
function assertShowsCue(p: Preview, cues: Array<SeekPreviewCue & { url: string }>, what: string): SeekPreviewCue {
  assert.equal(p.hidden, false, `${what}: the preview is shown`);
  const cue = seekPreviewCueAt(cues, p.time)!;
  assert.equal(p.image, `url("${cue.url}")`, `${what}: the sheet of the cue at ${p.time} s`);
  assert.equal(p.position, `${-cue.x}px ${-cue.y}px`, `${what}: the cell of the cue at ${p.time} s`);
  assert.ok(p.rect.bottom < p.seekTop, `${what}: above the bar (${p.rect.bottom} < ${p.seekTop})`);
  assert.ok(
    p.rect.left >= 0 && p.rect.right <= KIOSK.width,
    `${what}: inside the screen (${p.rect.left}..${p.rect.right})`,
  );
  return cue;
}

/** Mean difference (0–255) between the picture on screen and the sheet's cell for `cue`. */
async function pixelsDiffer(page: Page, cue: SeekPreviewCue & { url: string }): Promise<number> {
  const shot = await page.locator('#seek-preview .seek-preview-picture').screenshot();
  const sheet = Buffer.from(await (await fetch(cue.url)).arrayBuffer());
  const raw = (input: Sharp) => input.resize(cue.width, cue.height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const [a, b] = await Promise.all([
    raw(sharp(shot)),
    raw(sharp(sheet).extract({ left: cue.x, top: cue.y, width: cue.width, height: cue.height })),
  ]);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function openPlayer(context: BrowserContext, titleId: string, lang?: string): Promise<Page> {
  const page = await context.newPage();
  await openApp(page, env.cabin);
  if (lang) await chooseLanguage(page, lang);
  await page.goto(`${env.cabin.baseUrl}/#/play/${titleId}?from=0`);
  await waitForPlayback(page, 0.3);
  await page.waitForSelector('#seek-preview[data-cues]', { state: 'attached' });
  return page;
}

/** A finger on the bar, through Chromium's own touch input (Playwright has no touch drag). */
async function finger(page: Page, y: number) {
  const cdp = await page.context().newCDPSession(page);
  return (type: 'touchStart' | 'touchMove' | 'touchEnd', x?: number) =>
    cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: x === undefined ? [] : [{ x: Math.round(x), y: Math.round(y) }],
    });
}

async function seekBox(page: Page) {
  const box = (await page.locator('#seek').boundingBox())!;
  return { ...box, y: box.y + box.height / 2, at: (f: number) => box.x + 8 + f * (box.width - 16) };
}

test('dragging the bar with a mouse shows the picture of the moment under the thumb, then seeks there', async () => {
  const context = await seatContext(env.browser, env.cabin, '12A', KIOSK);
  const page = await openPlayer(context, 'the-last-runway');
  const cues = await trackOf('12A', 'the-last-runway');
  assert.equal(cues.length, 30, 'one picture a second of a 30 s title');
  const bar = await seekBox(page);
  const duration = Number(await page.locator('#seek').getAttribute('max'));

  await page.mouse.move(bar.at(0.1), bar.y);
  await page.mouse.down();
  await page.mouse.move(bar.at(0.4), bar.y, { steps: 4 });
  await page.mouse.move(bar.at(0.62), bar.y, { steps: 4 });
  const dragged = await preview(page);
  const cue = assertShowsCue(dragged, cues, 'while dragging');
  assert.equal(dragged.time, dragged.value, 'the time is where the thumb is');
  assert.ok(Math.abs(dragged.time / duration - 0.62) < 0.05, `${dragged.time} s is 62 % of ${duration} s`);
  assert.ok(Math.abs(dragged.rect.centre - bar.at(0.62)) < 12, 'centred over the thumb');
  assert.match(
    await page.locator('.seek-preview-time').innerText(),
    new RegExp(`^0:${String(Math.floor(dragged.time)).padStart(2, '0')}$`),
  );
  // The picture on screen is that cell of the sheet, and not the cell ten seconds off.
  const right = await pixelsDiffer(page, cue as SeekPreviewCue & { url: string });
  const other = await pixelsDiffer(page, seekPreviewCueAt(cues, (dragged.time + 10) % duration)!);
  assert.ok(
    right < 4 && right < other / 2,
    `the picture is the cue's cell (${right.toFixed(2)} against ${other.toFixed(2)})`,
  );
  await screenshot(page, 'kiosk-seek-preview');

  await page.mouse.move(bar.at(0.25), bar.y, { steps: 3 });
  assertShowsCue(await preview(page), cues, 'dragged back');
  await page.mouse.up();
  const released = (await preview(page)).value;
  await page.waitForFunction((t) => Math.abs((document.querySelector('video')?.currentTime ?? -99) - t) < 2, released);
  // Hovering without a button pressed shows where a press would go.
  await page.mouse.move(bar.at(0.9), bar.y, { steps: 3 });
  const hovered = await preview(page);
  assertShowsCue(hovered, cues, 'hovering');
  assert.ok(Math.abs(hovered.time / duration - 0.9) < 0.05, `${hovered.time} s under the pointer`);
  await page.mouse.move(bar.at(0.5), bar.y - 200);
  assert.equal((await preview(page)).hidden, true, 'gone once the pointer leaves the bar');
  await context.close();
});

test('arrow keys step the bar with the picture shown, which goes a moment later', async () => {
  const context = await seatContext(env.browser, env.cabin, '12B', KIOSK);
  const page = await openPlayer(context, 'paper-planes');
  const cues = await trackOf('12B', 'paper-planes');
  await page.locator('#seek').focus();
  await page.evaluate(() => {
    document.querySelector('video')!.pause();
  });
  const before = Number(await page.locator('#seek').inputValue());
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  const stepped = await preview(page);
  assertShowsCue(stepped, cues, 'after ArrowRight ×5');
  assert.equal(stepped.time, before + 5);
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#seek-preview')!.hidden, undefined, {
    timeout: 4000,
  });
  await context.close();
});

test('a finger dragging the bar shows the picture, which goes when the finger lifts', async () => {
  const context = await env.browser.newContext({ viewport: KIOSK, locale: 'en-GB', hasTouch: true });
  const identity = { seatId: '14C', secret: env.cabin.credentials.seats['14C']!, applianceUrl: env.cabin.baseUrl };
  await context.addInitScript((id) => {
    (window as unknown as { ifecSeat: unknown }).ifecSeat = id;
  }, identity);
  const page = await openPlayer(context, 'harbour-of-glass');
  const cues = await trackOf('14C', 'harbour-of-glass');
  const bar = await seekBox(page);
  const touch = await finger(page, bar.y);
  await touch('touchStart', bar.at(0.2));
  for (const f of [0.3, 0.45, 0.7]) await touch('touchMove', bar.at(f));
  const dragged = await preview(page);
  assertShowsCue(dragged, cues, 'under a finger');
  assert.ok(Math.abs(dragged.time / Number(await page.locator('#seek').getAttribute('max')) - 0.7) < 0.05);
  await touch('touchEnd');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#seek-preview')!.hidden);
  await context.close();
});

test('in Arabic the bar runs right to left and the picture stays on screen at both ends', async () => {
  const context = await seatContext(env.browser, env.cabin, '15A', KIOSK);
  const sheets: number[] = [];
  context.on('response', (r) => {
    if (r.url().includes('/jet-stream-s1e1/seek-preview/sheet-')) sheets.push(r.status());
  });
  const page = await openPlayer(context, 'jet-stream-s1e1', 'ar');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  const cues = await trackOf('15A', 'jet-stream-s1e1');
  const bar = await seekBox(page);
  const duration = Number(await page.locator('#seek').getAttribute('max'));

  await page.mouse.move(bar.x + 2, bar.y, { steps: 3 });
  const leftEnd = await preview(page);
  assertShowsCue(leftEnd, cues, 'the left end (the end of the title in Arabic)');
  assert.ok(leftEnd.time > duration * 0.95, `the left end is the end: ${leftEnd.time} of ${duration} s`);
  assert.ok(leftEnd.rect.left >= 8, 'pushed in from the left edge');
  await page.waitForFunction(
    () => {
      const picture = document.querySelector<HTMLElement>('.seek-preview-picture')!;
      const url = /url\("(.+)"\)/.exec(getComputedStyle(picture).backgroundImage)?.[1];
      return url && [...performance.getEntriesByName(url)].length > 0;
    },
    undefined,
    { timeout: 5000 },
  );
  await screenshot(page, 'kiosk-seek-preview-ar');

  await page.mouse.move(bar.x + bar.width - 2, bar.y, { steps: 5 });
  const rightEnd = await preview(page);
  assertShowsCue(rightEnd, cues, 'the right end (the start in Arabic)');
  assert.ok(rightEnd.time < duration * 0.05, `the right end is the start: ${rightEnd.time} s`);
  assert.ok(rightEnd.rect.right <= KIOSK.width - 8, 'pushed in from the right edge');
  assert.ok(sheets.length > 0 && sheets.every((s) => s === 200), `sheets answered ${sheets.join(', ')}`);
  await context.close();
});

test('on a phone the bar starts near the edge: there the picture is pushed back inside the screen', async () => {
  const context = await phoneContext(env.browser);
  const page = await openPlayer(context, 'the-last-runway');
  const cues = await trackOf('12A', 'the-last-runway');
  const bar = await seekBox(page);
  const touch = await finger(page, bar.y);
  const inside = (p: Preview, what: string) => {
    assert.equal(p.hidden, false, what);
    const cue = seekPreviewCueAt(cues, p.time)!;
    assert.equal(p.position, `${-cue.x}px ${-cue.y}px`, what);
    assert.ok(p.rect.left >= 8 && p.rect.right <= PHONE.width - 8, `${what}: ${p.rect.left}..${p.rect.right}`);
    assert.ok(p.rect.bottom < p.seekTop, `${what}: above the bar`);
  };
  await touch('touchStart', bar.at(0.5));
  await touch('touchMove', bar.at(0.02));
  await touch('touchMove', bar.at(0));
  const start = await preview(page);
  inside(start, 'at the start');
  assert.ok(start.time <= 1, `${start.time} s`);
  // Centred over the thumb it would stick out past the left edge: it stops 8 px from it.
  assert.ok(
    bar.at(0) - (start.rect.right - start.rect.left) / 2 < 0,
    'the bar starts closer to the edge than half a picture',
  );
  assert.ok(Math.abs(start.rect.left - 8) < 1, `held at the edge (${start.rect.left})`);
  for (const f of [0.5, 0.9, 1]) await touch('touchMove', bar.at(f));
  const end = await preview(page);
  inside(end, 'at the end');
  assert.ok(end.time >= 29, `${end.time} s`);
  await screenshot(page, 'phone-seek-preview');
  await touch('touchEnd');
  await context.close();
});

test('music has no seek preview: nothing appears over its bar', async () => {
  const context = await seatContext(env.browser, env.cabin, '16A', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  await page.goto(`${env.cabin.baseUrl}/#/play/cruising-altitude-takeoff?from=0`);
  await waitForPlayback(page, 0.3);
  const bar = await seekBox(page);
  await page.mouse.move(bar.at(0.5), bar.y, { steps: 3 });
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#seek-preview').count(), 0);
  await context.close();
});
