/**
 * A child of bench/store-restart.ts: starts the appliance in this process and writes
 * BENCH_STORE_RECORDS acknowledged records through its journal, as a flight makes them: seat
 * health summaries for 850 seats at a time (one group commit, one store transaction) and, for
 * one record in fifty, an audit entry written on its own (crew logins, resets: rarer). Prints `written <n>` when every record
 * is acknowledged and then waits for the parent's kill -9.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../appliance/src/config.ts';
import { startAppliance } from '../appliance/src/main.ts';
import type { SeatHealthSummary } from '../appliance/src/sync/statistics.ts';

const total = Number(process.env.BENCH_STORE_RECORDS ?? 1_000_000);
const config = loadConfig({
  IFEC_HTTP_PORT: '0',
  IFEC_MQTT_PORT: '0',
  IFEC_RTMP_PORT: '0',
  IFEC_HOST: '127.0.0.1',
  IFEC_DATA_DIR: process.env.IFEC_DATA_DIR,
  IFEC_LIVE_CHANNELS: 'welcome',
});
const lines: string[] = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write: (chunk, _e, done) => {
      const text = String(chunk);
      if (text.includes('store checkpoint"')) lines.push(text.trim());
      done();
    },
  }),
);
const app = await startAppliance(config, log);
const seats = Array.from({ length: 850 }, (_, i) => `${Math.floor(i / 9) + 1}${'ABCDEFGHJ'[i % 9]}`);
let written = 0;
let window = 0;
const started = performance.now();
let lastReport = started;
while (written < total) {
  const windowStart = new Date(Date.UTC(2026, 11, 1) + window++ * 60_000).toISOString();
  const n = Math.min(seats.length, total - written);
  const summaries: SeatHealthSummary[] = seats.slice(0, Math.ceil(n * 0.98)).map((seatId) => ({
    seatId,
    windowStart,
    windowS: 60,
    onlineS: 60,
    reboots: 0,
    faults: 0,
    appVersion: '1.4.2',
    lastError: null,
  }));
  const audits = Array.from({ length: n - summaries.length }, (_, i) =>
    app.sync.audit.record({ actor: 'crew:C200', action: 'bench.write', detail: { window, i } }),
  );
  await Promise.all([app.sync.statistics.recordSeatHealth(summaries), ...audits]);
  written += n;
  if (performance.now() - lastReport > 10_000) {
    lastReport = performance.now();
    process.stdout.write(
      `progress ${written} ${Math.round(written / ((lastReport - started) / 1000))}/s checkpoints ${lines.length}\n`,
    );
  }
}
process.stdout.write(
  `written ${written} in ${Math.round(performance.now() - started)} ms; checkpoints ${lines.length}; last ${lines.at(-1) ?? 'none'}\n`,
);
setInterval(() => {}, 60_000);
