/**
 * Flight statistics from seat health reports, on a real PGlite store and journal: a viewing
 * ends when the seat plays something else, stops, or falls silent; completed is the running
 * time watched; the reset for next flight counts what is still playing, writes one summary per
 * seat (online time, reboots, faults) and starts a new flight that survives a restart.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { pino } from 'pino';
import { DurableRecords } from '../store/durable-records.ts';
import { Journal } from '../store/journal.ts';
import { Store } from '../store/store.ts';
import { FlightStatistics, GroundStatistics } from './statistics.ts';
import { registerGroundKinds } from './sync-domain.ts';

const log = pino({ level: 'silent' });

test('viewings and seat summaries of one flight, from health reports to the outbox', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-stats-'));
  const store = await Store.open(path.join(dir, 'pglite'), log);
  const journal = await Journal.open(path.join(dir, 'journal.log'), { groupCommitMs: 1 });
  const records = new DurableRecords(journal, store, log);
  registerGroundKinds(records);
  let now = Date.UTC(2026, 11, 1, 8);
  const make = () =>
    new FlightStatistics({
      statistics: new GroundStatistics(records),
      store,
      aircraftId: 'F-HSTA',
      log,
      silenceMs: 30_000,
      now: () => now,
      cabinClassOf: (seatId) => (seatId.startsWith('1') ? 'business' : 'economy'),
      durationOf: (titleId) => (titleId === 'short' ? 100 : undefined),
    });
  const flight = make();
  await flight.load();
  const firstFlight = flight.flightId;
  const health = (seatId: string, playing: string | null, uptimeS: number) =>
    flight.onHealth(seatId, { appVersion: '2.0.0', uptimeS, playing });
  const step = (s: number) => {
    now += s * 1000;
  };

  // Seats report every few seconds; 1A watches 'short' to the end.
  for (let s = 0; s <= 100; s += 10) {
    health('1A', 'short', 10 + s);
    if (s < 100) step(10);
  }
  step(5);
  health('1A', null, 115); // stopped: 'short' watched 100 s of 100 -> completed
  health('30C', 'film', 5000);
  step(10);
  health('30C', 'film', 5010);
  step(60); // silent for a minute: the seat was off
  health('30C', 'film', 3); // rebooted, plays again: a second viewing
  flight.onFault('30C');
  step(20);
  health('30C', 'film', 23);
  const closed = await flight.endFlight();
  assert.deepEqual(
    { viewings: closed.viewings, seats: closed.seats, flightId: closed.flightId },
    { viewings: 3, seats: 2, flightId: firstFlight },
  );

  const { rows } = await store.query<{ kind: string; data: Record<string, unknown> }>(
    "SELECT kind, data FROM outbox WHERE kind IN ('viewing.count', 'seat.health.summary') ORDER BY seq",
  );
  const viewings = rows.filter((r) => r.kind === 'viewing.count').map((r) => r.data);
  assert.equal(viewings.length, 3, 'short once, film twice (the silence ended the first)');
  assert.deepEqual(
    viewings.map((v) => [v.titleId, v.cabinClass, v.watchedS, v.completed]),
    [
      ['short', 'business', 100, true],
      ['film', 'economy', 10, false],
      ['film', 'economy', 20, false],
    ],
  );
  assert.ok(viewings.every((v) => v.flightId === firstFlight && !('seatId' in v)));
  const summaries = rows.filter((r) => r.kind === 'seat.health.summary').map((r) => r.data);
  assert.deepEqual(
    summaries.map((s) => [s.seatId, s.reboots, s.faults, s.onlineS]),
    [
      ['1A', 0, 0, 105],
      ['30C', 1, 1, 30],
    ],
  );

  // A new flight, kept across a restart of the appliance.
  assert.notEqual(flight.flightId, firstFlight);
  const again = make();
  await again.load();
  assert.equal(again.flightId, flight.flightId);
  await journal.close();
  await store.close();
});
