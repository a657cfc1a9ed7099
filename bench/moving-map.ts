/**
 * flight.bus_to_map_ms: a flight/position published on the cabin bus -> the seat's map redrawn
 * with it (the marker's fix and #map-stage[data-drawn-at]), p50/p99 in Chromium, kiosk size.
 * The seat half of flight.position_to_map_ms (UDP fix in -> map): the flight domain's own
 * figure adds its UDP-to-bus hop. Publisher and browser share this machine's clock.
 */
import type { Browser } from 'playwright-core';
import { type Cabin, KIOSK, openApp, seatContext } from '../seat-client/e2e/cabin-harness.ts';
import { cruisePhase, fixAlong, flightService } from '../seat-client/e2e/flight-service.ts';
import { type BenchContext, median, percentile } from './harness.ts';

const FIXES = 60;
/** Faster than the real 1 Hz so the run is short; still one draw per fix. */
const EVERY_MS = 250;

export async function positionToMap(ctx: BenchContext, browser: Browser, cabin: Cabin): Promise<void> {
  const service = await flightService(cabin, 'bench-map');
  const context = await seatContext(browser, cabin, Object.keys(cabin.credentials.seats)[70]!, KIOSK);
  const page = await context.newPage();
  try {
    await service.phase(cruisePhase());
    await service.position(fixAlong(0.1));
    await openApp(page, cabin, '#/map');
    await page.waitForSelector('#map-aircraft:not([hidden])', { timeout: 30_000 });
    const samples: number[] = [];
    for (let i = 1; i <= FIXES; i++) {
      const fix = fixAlong(0.1 + i * 0.005);
      const sent = Date.now();
      await service.position(fix);
      const drawnAt = await page.waitForFunction(
        (at) => {
          const stage = document.getElementById('map-stage');
          return stage?.dataset.positionAt === at ? Number(stage.dataset.drawnAt) : false;
        },
        fix.at,
        { timeout: 10_000 },
      );
      samples.push(Number(await drawnAt.jsonValue()) - sent);
      await new Promise((r) => setTimeout(r, EVERY_MS));
    }
    ctx.log(`bus -> map samples (ms): ${samples.join(', ')}`);
    ctx.record({
      id: 'flight.bus_to_map_ms.p50',
      value: median(samples),
      unit: 'ms',
      note: `${FIXES} fixes on flight/position -> map redrawn in Chromium (kiosk 1280x800)`,
    });
    ctx.record({
      id: 'flight.bus_to_map_ms.p99',
      value: percentile(samples, 99),
      unit: 'ms',
      goal: '< 500 (with the UDP hop: flight.position_to_map_ms)',
      note: 'seat half of flight.position_to_map_ms',
    });
  } finally {
    await context.close();
    await service.close();
  }
}
