/**
 * Seat app figures (ids in ../shared/BENCH.md), on the real appliance with the demo content
 * and Debian's Chromium:
 *   seat.cold_start_ms             fresh profile (no cache, no replica) -> interactive home, CPU throttled 4x (CDP)
 *   seat.first_poster_ms           the same cold starts -> the first artwork painted (Element Timing), CPU 4x
 *   seat.js_gzip_kb.start          JavaScript those cold starts actually loaded before home was interactive, gzip
 *   seat.js_gzip_kb                JavaScript a kiosk loads, gzip; hls.js reported apart (seat.js_gzip_kb.hls)
 *   map.js_gzip_kb                 the moving map's chunk (d3-geo, Natural Earth 110m, cities, its strings and CSS), gzip
 *   seat.play_first_frame_p95_ms   Play pressed -> the video's `playing` event, 20 plays (p50 recorded too)
 *   resume.remote_pause_ms.p95     a paired phone's Pause -> the seat paused (resume-remote.ts)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import {
  type Cabin,
  KIOSK,
  launchChromium,
  openApp,
  seatContext,
  startCabin,
} from '../seat-client/e2e/cabin-harness.ts';
import { type BenchContext, type BenchGroup, median, percentile } from './harness.ts';
import { remotePause } from './resume-remote.ts';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../seat-client/dist');
const COLD_RUNS = 7;
const PLAYS = 20;
/** A play that shows no frame within this counts as this long (and is reported). */
const PLAY_TIMEOUT_MS = 20_000;

function gzipKb(file: string): number {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length / 1024;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function jsShipped(ctx: BenchContext): Promise<void> {
  const assets = fs.readdirSync(path.join(DIST, 'assets')).filter((f) => f.endsWith('.js'));
  // The crew console's chunk is never loaded by a seat; hls.js is reported on its own.
  const hls = assets.filter((f) => f.startsWith('hls-'));
  // The moving map (src/map/map-screen.ts and what only it imports) is loaded when the map opens: reported apart.
  // city-names (the airport's city in the UI language) is shared with the home strip: in both figures.
  const map = fs
    .readdirSync(path.join(DIST, 'assets'))
    .filter(
      (f) => (f.startsWith('map-screen-') || f.startsWith('city-names-')) && (f.endsWith('.js') || f.endsWith('.css')),
    );
  const kiosk = assets.filter((f) => !f.startsWith('hls-') && !f.startsWith('crew-') && !f.startsWith('map-screen-'));
  const kioskKb = kiosk.reduce((sum, f) => sum + gzipKb(path.join(DIST, 'assets', f)), 0);
  const hlsKb = hls.reduce((sum, f) => sum + gzipKb(path.join(DIST, 'assets', f)), 0);
  ctx.log(`kiosk chunks: ${kiosk.map((f) => `${f} ${round(gzipKb(path.join(DIST, 'assets', f)))} KB`).join(', ')}`);
  ctx.record({
    id: 'seat.js_gzip_kb',
    value: round(kioskKb),
    unit: 'KB',
    goal: '< 250',
    note: `app + RxDB replica + Dexie + Yjs resume document + QR encoder (lazy chunks included); hls.js apart, crew console not shipped to seats`,
  });
  const mapKb = map.reduce((sum, f) => sum + gzipKb(path.join(DIST, 'assets', f)), 0);
  ctx.log(`map chunk: ${map.map((f) => `${f} ${round(gzipKb(path.join(DIST, 'assets', f)))} KB`).join(', ')}`);
  if (map.length === 0)
    ctx.log('map.js_gzip_kb skipped: no map-screen chunk in dist/assets (is the map still loaded lazily?)');
  else
    ctx.record({
      id: 'map.js_gzip_kb',
      value: round(mapKb),
      unit: 'KB',
      goal: '< 150',
      note: 'the moving map chunk: d3-geo + topojson-client + Natural Earth 1:110m + city names + its 11 languages and CSS; loaded when the map opens',
    });
  ctx.record({
    id: 'seat.js_gzip_kb.hls',
    value: round(hlsKb),
    unit: 'KB',
    note: 'hls.js, loaded on the first Play only',
  });
}

async function coldStart(ctx: BenchContext, browser: Browser, cabin: Cabin): Promise<void> {
  const samples: number[] = [];
  const outside: number[] = [];
  const posters: number[] = [];
  let startScripts: string[] = [];
  const seats = Object.keys(cabin.credentials.seats);
  for (let i = 0; i < COLD_RUNS; i++) {
    // A fresh profile every time: no HTTP cache, no service worker, an empty replica.
    const context = await seatContext(browser, cabin, seats[i + 30]!, KIOSK);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.goto('about:blank');
    const started = Date.now();
    await page.goto(`${cabin.baseUrl}/#/`, { waitUntil: 'commit' });
    await page.waitForSelector('body[data-ready="true"] a.card-link', { timeout: 60_000 });
    // The page's own clock: navigation start -> the mark the app sets when home has titles.
    const mark = await page.evaluate(() => performance.getEntriesByName('ifec:home-interactive')[0]?.startTime ?? null);
    outside.push(Date.now() - started);
    samples.push(mark ?? Date.now() - started);
    // First artwork painted: the Element Timing entry of the first poster or backdrop (cards mark them).
    const poster = await page.evaluate(
      () =>
        new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => resolve(null), 15_000);
          new PerformanceObserver((list) => {
            const first = list
              .getEntries()
              .map(
                (e) =>
                  (e as PerformanceEntry & { renderTime: number; loadTime: number }).renderTime ||
                  (e as PerformanceEntry & { loadTime: number }).loadTime,
              )
              .filter((t) => t > 0)
              .sort((a, b) => a - b)[0];
            if (first !== undefined) {
              clearTimeout(timer);
              resolve(first);
            }
          }).observe({ type: 'element', buffered: true });
        }),
    );
    if (poster !== null) posters.push(poster);
    if (i === 0)
      startScripts = await page.evaluate(
        (mark) =>
          performance
            .getEntriesByType('resource')
            .filter((e) => e.name.endsWith('.js') && (mark === null || e.startTime <= mark))
            .map((e) => new URL(e.name).pathname.split('/').pop() ?? ''),
        mark,
      );
    await context.close();
  }
  ctx.log(
    `cold start samples (ms, page clock): ${samples.map((s) => Math.round(s)).join(', ')}; as seen by the driver: ${outside.join(', ')}; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
  );
  ctx.record({
    id: 'seat.cold_start_ms',
    value: Math.round(median(samples)),
    unit: 'ms',
    // BENCH.md's goal (this said < 1500, which the figure was never held to).
    goal: '< 600',
    note: `median of ${COLD_RUNS}; fresh profile, CPU 4x throttled; navigation start -> first title card on home (from the catalogue snapshot; the replica opens after)`,
  });
  ctx.log(`first poster samples (ms, page clock): ${posters.map((p) => Math.round(p)).join(', ')}`);
  if (posters.length === 0)
    ctx.log('seat.first_poster_ms skipped: no artwork was painted within 15 s (no posters in the demo load?)');
  else
    ctx.record({
      id: 'seat.first_poster_ms',
      value: Math.round(median(posters)),
      unit: 'ms',
      goal: '< 1000',
      note: `median of ${posters.length} cold starts (the same as seat.cold_start_ms); navigation start -> first poster/backdrop painted (Element Timing), CPU 4x`,
    });
  const startKb = startScripts
    .filter((f) => fs.existsSync(path.join(DIST, 'assets', f)))
    .reduce((sum, f) => sum + gzipKb(path.join(DIST, 'assets', f)), 0);
  ctx.log(`scripts loaded before home was interactive: ${startScripts.join(', ')}`);
  ctx.record({
    id: 'seat.js_gzip_kb.start',
    value: round(startKb),
    unit: 'KB',
    note: 'JavaScript a cold start loads before home is interactive (lazy screens such as search, map and the player excluded), gzip',
  });
}

async function firstFrame(ctx: BenchContext, browser: Browser, cabin: Cabin): Promise<void> {
  const context = await seatContext(browser, cabin, Object.keys(cabin.credentials.seats)[60]!, KIOSK);
  const page = await context.newPage();
  await openApp(page, cabin);
  await page.waitForSelector('a.card-link');
  // Included titles only: a premium one is refused without a purchase (no frame to wait for).
  const titles = ['the-last-runway', 'harbour-of-glass', 'jet-stream-s1e1', 'paper-planes', 'little-cloud'];
  const samples: number[] = [];
  let timeouts = 0;
  // One warm-up play loads hls.js (its first load is part of cold start, not of Play).
  for (let i = 0; i <= PLAYS; i++) {
    await page.goto(`${cabin.baseUrl}/#/title/${titles[i % titles.length]}`);
    await page.waitForSelector('#play');
    const ms = await page.evaluate(
      (limit) =>
        new Promise<number>((resolve) => {
          const timer = setTimeout(() => resolve(limit), limit);
          document.addEventListener(
            'playing',
            () => {
              clearTimeout(timer);
              resolve(performance.now() - t0);
            },
            { capture: true, once: true },
          );
          const t0 = performance.now();
          (document.querySelector('#play') as HTMLElement).click();
        }),
      PLAY_TIMEOUT_MS,
    );
    if (ms >= PLAY_TIMEOUT_MS) timeouts++;
    if (i > 0) samples.push(ms);
  }
  await context.close();
  ctx.log(
    `first frame samples (ms): ${samples.map((s) => Math.round(s)).join(', ')}${timeouts ? `; ${timeouts} plays showed no frame within ${PLAY_TIMEOUT_MS} ms` : ''}`,
  );
  ctx.record({
    id: 'seat.play_first_frame_p50_ms',
    value: round(median(samples)),
    unit: 'ms',
    note: `${PLAYS} plays, 5 titles, from the detail page`,
  });
  ctx.record({
    id: 'seat.play_first_frame_p95_ms',
    value: round(percentile(samples, 95)),
    unit: 'ms',
    goal: '< 200 ms (NFR-01: 2000)', // ../shared/BENCH.md's goal
    note: 'Play pressed -> playing event; includes POST /api/playback, master + media playlists, key, first segments',
  });
}

export const seatGroup: BenchGroup = {
  name: 'seat',
  async run(ctx) {
    const cabin = await startCabin();
    const browser = await launchChromium();
    try {
      await jsShipped(ctx);
      await coldStart(ctx, browser, cabin);
      await firstFrame(ctx, browser, cabin);
      await remotePause(ctx, browser, cabin);
    } finally {
      await browser.close();
      await cabin.stop();
    }
  },
};
