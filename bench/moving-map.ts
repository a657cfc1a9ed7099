/**
 * The moving map's latency, on a real appliance whose only position source is `nmea-udp:0`
 * (no simulator flying over the bench), in Chromium at kiosk size:
 *   flight.position_to_map_ms.{p50,p99}  an NMEA epoch (RMC + GGA) sent over UDP -> the seat's
 *                                        map marker shows that fix (#map-stage[data-drawn-at])
 *   flight.bus_to_map_ms.{p50,p99}       a flight/position published on the cabin bus -> the map
 *                                        redrawn with it: the seat half of the figure above
 * The flight domain publishes flight/position on its 1 Hz tick, so position_to_map includes the
 * wait for the next tick (0-1000 ms, uniform: fixes are sent at random gaps, as a receiver's
 * clock does not beat with the appliance's). Sender and browser share this machine's clock.
 */
import type { Browser, Page } from 'playwright-core';
import {
  type Cabin,
  KIOSK,
  launchChromium,
  openApp,
  seatContext,
  startCabin,
} from '../seat-client/e2e/cabin-harness.ts';
import { cruisePhase, fixAlong, flightService, gnssSender } from '../seat-client/e2e/flight-service.ts';
import { type BenchContext, type BenchGroup, median, percentile } from './harness.ts';

const FIXES = 60;
/** Faster than the real 1 Hz so the run is short; still one draw per fix. */
const EVERY_MS = 250;
const UDP_FIXES = 40;

export async function busToMap(ctx: BenchContext, browser: Browser, cabin: Cabin): Promise<void> {
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

/** When the marker shows the fix at this longitude: the map's own draw time (ms since the epoch). */
async function drawnWith(page: Page, lon: number): Promise<number> {
  const handle = await page.waitForFunction(
    (want) => {
      const marker = document.getElementById('map-aircraft');
      const stage = document.getElementById('map-stage');
      if (!marker || marker.hidden || !stage) return false;
      return Math.abs(Number(marker.dataset.lon) - want) < 0.0005 ? Number(stage.dataset.drawnAt) : false;
    },
    lon,
    { timeout: 10_000 },
  );
  return Number(await handle.jsonValue());
}

export async function positionToMap(ctx: BenchContext, browser: Browser, cabin: Cabin): Promise<void> {
  const gnss = gnssSender(cabin);
  const context = await seatContext(browser, cabin, Object.keys(cabin.credentials.seats)[71]!, KIOSK);
  const page = await context.newPage();
  try {
    // Over Germany, eastbound: each fix 0.05 degrees east of the last, so each one is told apart on the marker.
    const at = (i: number) => ({ lat: 50.1, lon: 8.6 + i * 0.05 });
    await gnss.send(at(0).lat, at(0).lon);
    await openApp(page, cabin, '#/map');
    await drawnWith(page, at(0).lon);
    const samples: number[] = [];
    for (let i = 1; i <= UDP_FIXES; i++) {
      // A random gap, so the fixes land at every phase of the appliance's 1 Hz tick.
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1000));
      const { lat, lon } = at(i);
      const sent = Date.now();
      await gnss.send(lat, lon);
      samples.push((await drawnWith(page, lon)) - sent);
    }
    ctx.log(`UDP fix -> map samples (ms): ${samples.join(', ')}`);
    const note = `${UDP_FIXES} NMEA epochs (RMC+GGA) over UDP to nmea-udp -> marker shows the fix in Chromium (kiosk); includes the wait for the flight domain's 1 Hz flight/position tick (0-1000 ms)`;
    ctx.record({ id: 'flight.position_to_map_ms.p50', value: median(samples), unit: 'ms', note });
    ctx.record({
      id: 'flight.position_to_map_ms.p99',
      value: percentile(samples, 99),
      unit: 'ms',
      goal: '< 500',
      note,
    });
  } finally {
    await context.close();
    gnss.close();
  }
}

export const movingMapGroup: BenchGroup = {
  name: 'moving-map',
  async run(ctx) {
    // The only source is an NMEA socket: nothing but the bench moves the aircraft.
    const cabin = await startCabin({ env: { IFEC_FLIGHT_SOURCES: 'nmea-udp:0' } });
    const browser = await launchChromium();
    try {
      await busToMap(ctx, browser, cabin);
      await positionToMap(ctx, browser, cabin);
    } finally {
      await browser.close();
      await cabin.stop();
    }
  },
};
