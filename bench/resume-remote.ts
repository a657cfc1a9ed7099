/**
 * resume.remote_pause_ms: a paired phone's Pause tapped -> the seat's video paused, in two
 * Chromium contexts (kiosk and phone) on the real appliance: phone page -> cabin bus (MQTT over
 * WebSocket, zod check, ACL) -> seat page. Both pages share this machine's clock. Issue 5 asks
 * for < 300 ms.
 */
import type { Browser } from 'playwright-core';
import { type Cabin, KIOSK, openApp, phoneContext, seatContext } from '../seat-client/e2e/cabin-harness.ts';
import { type BenchContext, median, percentile } from './harness.ts';

const PRESSES = 15;
const FILM = 'harbour-of-glass';

export async function remotePause(ctx: BenchContext, browser: Browser, cabin: Cabin): Promise<void> {
  const kiosk = await seatContext(browser, cabin, '20A', KIOSK);
  const handset = await phoneContext(browser);
  try {
    const seat = await kiosk.newPage();
    const phone = await handset.newPage();
    await openApp(seat, cabin, '#/pair');
    const url = await seat.locator('.pairing-qr').getAttribute('data-url');
    await phone.goto(url!);
    await phone.waitForSelector('.remote-seat');
    await seat.goto(`${cabin.baseUrl}/#/play/${FILM}?from=0`);
    const samples: number[] = [];
    for (let i = 0; i < PRESSES; i++) {
      await seat.waitForFunction(
        () => {
          const v = document.querySelector('video');
          return v !== null && !v.paused && v.currentTime > 0.2;
        },
        undefined,
        { timeout: 20_000 },
      );
      await phone.waitForSelector('#remote-now[data-playing="true"]');
      await seat.evaluate(() => {
        document.querySelector('video')!.addEventListener(
          'pause',
          () => {
            document.body.dataset.pausedAt = String(Date.now());
          },
          { once: true },
        );
      });
      const tapped = Date.now();
      await phone.click('#remote-toggle');
      await seat.waitForFunction(() => document.body.dataset.pausedAt !== undefined, undefined, { timeout: 10_000 });
      samples.push(Number(await seat.evaluate(() => document.body.dataset.pausedAt)) - tapped);
      await seat.evaluate(() => {
        delete document.body.dataset.pausedAt;
      });
      // Play again from the phone, from the start when near the end.
      await phone.waitForSelector('#remote-now[data-playing="false"]');
      if ((await seat.evaluate(() => document.querySelector('video')!.currentTime)) > 50)
        await seat.evaluate(() => {
          document.querySelector('video')!.currentTime = 0;
        });
      await phone.click('#remote-toggle');
    }
    ctx.log(`remote pause samples (ms): ${samples.join(', ')}`);
    ctx.record({ id: 'resume.remote_pause_ms.p50', value: median(samples), unit: 'ms' });
    ctx.record({
      id: 'resume.remote_pause_ms.p95',
      value: percentile(samples, 95),
      unit: 'ms',
      goal: '< 300',
      note: `phone tap -> seat paused, ${PRESSES} presses, two Chromium contexts`,
    });
  } finally {
    await kiosk.close();
    await handset.close();
  }
}
