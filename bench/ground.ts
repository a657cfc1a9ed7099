/**
 * Ground bench: a fleet ground as an airline runs it — `ifec-ground serve` child processes on
 * the real PostgreSQL, simulated aircraft uploading with the appliance's own uploader and
 * ground client (gate window), and aircraft polling the downlink.
 *   ground.fleet.records_per_s.{1,2}   the same upload load through one and through two processes
 *   ground.cost_cpu_us_per_record      ground processes' CPU per record (/proc of the children);
 *                                      `.postgres`: the database backends serving them (/proc of
 *                                      the pids pg_stat_activity lists for the bench database)
 *   ground.batch_p99_ms.{20,100}       one batch's round trip with 20 and 100 aircraft at once
 *   ground.publication_lag_p99_ms      publish on one process -> seen by aircraft polling the other
 * The uploads run in this process (the load generator): its CPU is logged beside the ground's.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { GroundClient } from '../appliance/src/sync/ground-client.ts';
import { WINDOW } from '../appliance/src/sync/sync-service.ts';
import { registerAircraft } from '../ground-sync/src/fleet/aircraft.ts';
import { type Database, openPostgres } from '../ground-sync/src/store/database.ts';
import { createTenant } from '../ground-sync/src/tenants/tenants.ts';
import {
  FleetLink,
  type GroundProcess,
  MemoryOutbox,
  PollingAircraft,
  spawnGround,
  uploadOutbox,
  writeSigningKey,
} from '../ground-sync/test/fleet-support.ts';
import {
  freshPostgresDatabase,
  POSTGRES_ADMIN_URL,
  postgresUnavailable,
  tempDir,
} from '../ground-sync/test/support.ts';
import { type BenchContext, type BenchGroup, median, percentile } from './harness.ts';

const RUNS = 3;
const BATCH_RECORDS = 1000;
const TENANT = 'air-bench';

/** CPU seconds (user + system) of a process so far, from /proc; NaN once it is gone. */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function backendPids(watcher: pg.Client, database: string): Promise<number[]> {
  const { rows } = await watcher.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND application_name = 'ifec-ground'",
    [database],
  );
  return rows.map((r) => r.pid);
}

interface FleetRun {
  records: number;
  seconds: number;
  batchMs: number[];
  groundCpuS: number;
  postgresCpuS: number;
  benchCpuS: number;
}

let aircraftSerial = 0;

/** `aircraft` aircraft upload `each` records at once, spread over `grounds`. */
async function fleetRun(
  db: Database,
  watcher: pg.Client,
  database: string,
  grounds: GroundProcess[],
  aircraft: number,
  each: number,
): Promise<FleetRun> {
  const fleet = [];
  for (let i = 0; i < aircraft; i++) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const id = `B-${String(aircraftSerial++).padStart(5, '0')}`;
    await registerAircraft(db, TENANT, id, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const link = new FleetLink(
      grounds.map(
        (g) => new GroundClient({ baseUrl: g.url, link: 'gate', aircraftId: id, privateKey, downlinkApplied: () => 0 }),
      ),
      { doubleSend: 0, cutReply: 0 },
    );
    fleet.push({ outbox: new MemoryOutbox(id, each), link });
  }
  const before = await backendPids(watcher, database);
  const pgBefore = new Map(before.map((pid) => [pid, cpuSecondsOf(pid)]));
  const groundBefore = grounds.map((g) => cpuSecondsOf(g.child.pid));
  const benchBefore = process.cpuUsage();
  const batchMs: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    fleet.map((a) =>
      uploadOutbox(a.outbox, a.link, {
        batchRecords: BATCH_RECORDS,
        window: WINDOW.gate.batches,
        onBatch: (ms) => batchMs.push(ms),
      }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const bench = process.cpuUsage(benchBefore);
  const after = await backendPids(watcher, database);
  const postgresCpuS = after.reduce((s, pid) => s + (cpuSecondsOf(pid) - (pgBefore.get(pid) ?? 0)), 0);
  const groundCpuS = grounds.reduce((s, g, i) => s + cpuSecondsOf(g.child.pid) - groundBefore[i]!, 0);
  return {
    records: aircraft * each,
    seconds,
    batchMs,
    groundCpuS,
    postgresCpuS,
    benchCpuS: (bench.user + bench.system) / 1e6,
  };
}

/** Publications on `publisher`, aircraft polling `reader` every 10 ms: ms from the publish request to each aircraft seeing it. */
async function publicationLag(
  db: Database,
  apiKey: string,
  publisher: GroundProcess,
  reader: GroundProcess,
  groundKeyPem: string,
): Promise<number[]> {
  const pollers = [];
  for (let i = 0; i < 8; i++) {
    const a = new PollingAircraft(`P-${String(aircraftSerial++).padStart(5, '0')}`, groundKeyPem);
    await registerAircraft(db, TENANT, a.aircraftId, a.publicKeyPem);
    pollers.push(a);
  }
  for (const a of pollers) await a.poll(reader.url); // start at the current head
  const sentAt = new Map<number, number>();
  // When each aircraft first saw each seq; matched with the send times at the end (an aircraft
  // may see a publication before the publisher has read its 201).
  const seenAt = pollers.map(() => new Map<number, number>());
  let running = true;
  const loops = pollers.map(async (a, i) => {
    while (running) {
      const before = a.received.length;
      await a.poll(reader.url);
      const now = performance.now();
      for (const seq of a.received.slice(before)) seenAt[i]!.set(seq, now);
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    const res = await fetch(`${publisher.url}/admin/v1/publications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'policy', name: 'geo', version: i + 1, aircraftId: null, payload: { i } }),
    });
    if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
    sentAt.set(((await res.json()) as { publication: { seq: number } }).publication.seq, t);
    await new Promise((r) => setTimeout(r, 30));
  }
  const seenAll = () => seenAt.every((m) => [...sentAt.keys()].every((seq) => m.has(seq)));
  const deadline = Date.now() + 10_000;
  while (!seenAll() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  running = false;
  await Promise.all(loops);
  if (!seenAll()) throw new Error('an aircraft did not see every publication');
  const lags = seenAt.flatMap((m) => [...sentAt].map(([seq, sent]) => m.get(seq)! - sent));
  return lags;
}

async function run(ctx: BenchContext): Promise<void> {
  const unavailable = await postgresUnavailable();
  if (unavailable) {
    for (const id of [
      'ground.fleet.records_per_s.1',
      'ground.fleet.records_per_s.2',
      'ground.cost_cpu_us_per_record',
      'ground.batch_p99_ms.20',
      'ground.batch_p99_ms.100',
      'ground.publication_lag_p99_ms',
    ])
      ctx.record({ id, value: null, unit: '', skipped: unavailable });
    return;
  }
  const database = await freshPostgresDatabase();
  const name = new URL(database.url).pathname.slice(1);
  const dir = tempDir('ifec-bench-ground-');
  const keyFile = path.join(dir, 'signing-key.pem');
  const keyPem = writeSigningKey(keyFile);
  const groundKeyPem = crypto.createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
  const env = (n: number) => ({
    DATABASE_URL: database.url,
    GROUND_SIGNING_KEY_FILE: keyFile,
    GROUND_DATA_DIR: path.join(dir, `g${n}`),
    GROUND_DB_IDLE_TIMEOUT_MS: '120000',
    GROUND_PRUNE_INTERVAL_MS: '0',
  });
  const grounds = await Promise.all([spawnGround(env(1)), spawnGround(env(2))]);
  const watcher = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await watcher.connect();
  const db = await openPostgres(database.url);
  try {
    const { apiKey } = await createTenant(db, TENANT, 'Air Bench');
    const load = { aircraft: 20, each: 5000 };
    const perProcesses: Record<1 | 2, FleetRun[]> = { 1: [], 2: [] };
    for (let r = 0; r < RUNS; r++) {
      for (const n of [1, 2] as const) {
        const result = await fleetRun(db, watcher, name, grounds.slice(0, n), load.aircraft, load.each);
        perProcesses[n].push(result);
        ctx.log(
          `${n} process(es), ${load.aircraft} aircraft x ${load.each}: ${Math.round(result.records / result.seconds)} records/s; CPU ground ${result.groundCpuS.toFixed(2)} s, postgres ${result.postgresCpuS.toFixed(2)} s, bench (aircraft) ${result.benchCpuS.toFixed(2)} s over ${result.seconds.toFixed(2)} s; batch p50 ${percentile(result.batchMs, 50).toFixed(0)} ms p99 ${percentile(result.batchMs, 99).toFixed(0)} ms`,
        );
      }
    }
    const note = `${load.aircraft} aircraft x ${load.each} records at once, ${BATCH_RECORDS}-record batches, gate window; median of ${RUNS}; machine: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} load`;
    for (const n of [1, 2] as const)
      ctx.record({
        id: `ground.fleet.records_per_s.${n}`,
        value: Math.round(median(perProcesses[n].map((x) => x.records / x.seconds))),
        unit: 'records/s',
        note,
      });
    const all = [...perProcesses[1], ...perProcesses[2]];
    const us = (f: (x: FleetRun) => number) => Math.round(median(all.map((x) => (f(x) * 1e6) / x.records)) * 10) / 10;
    ctx.record({
      id: 'ground.cost_cpu_us_per_record',
      value: us((x) => x.groundCpuS),
      unit: 'µs',
      note: `ground processes (user + system, /proc), median over ${all.length} runs; the aircraft simulator in the bench process: ${us((x) => x.benchCpuS)} µs`,
    });
    ctx.record({
      id: 'ground.cost_cpu_us_per_record.postgres',
      value: us((x) => x.postgresCpuS),
      unit: 'µs',
      note: 'PostgreSQL backends serving the ground processes (WAL writer and checkpointer not counted)',
    });
    ctx.record({
      id: 'ground.batch_p99_ms.20',
      value: Math.round(median(perProcesses[2].map((x) => percentile(x.batchMs, 99)))),
      unit: 'ms',
      note: `20 aircraft, two processes, ${BATCH_RECORDS}-record batches, median of ${RUNS} runs' p99`,
    });
    const big: number[] = [];
    for (let r = 0; r < 2; r++) {
      const result = await fleetRun(db, watcher, name, grounds, 100, 1000);
      ctx.log(
        `2 processes, 100 aircraft x 1000: ${Math.round(result.records / result.seconds)} records/s; batch p50 ${percentile(result.batchMs, 50).toFixed(0)} ms p99 ${percentile(result.batchMs, 99).toFixed(0)} ms`,
      );
      big.push(percentile(result.batchMs, 99));
    }
    ctx.record({
      id: 'ground.batch_p99_ms.100',
      value: Math.round(median(big)),
      unit: 'ms',
      note: `100 aircraft x 1000 records at once, two processes, median of 2 runs' p99`,
    });
    const lags = await publicationLag(db, apiKey, grounds[0]!, grounds[1]!, groundKeyPem);
    ctx.log(
      `publication lag over ${lags.length} deliveries: p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms, max ${percentile(lags, 100).toFixed(1)} ms`,
    );
    ctx.record({
      id: 'ground.publication_lag_p99_ms',
      value: Math.round(percentile(lags, 99) * 10) / 10,
      unit: 'ms',
      note: 'publish on process 1 -> seen by 8 aircraft polling process 2 every 10 ms (the interval is part of the figure)',
    });
  } finally {
    await db.close();
    await watcher.end();
    for (const g of grounds) await g.stop();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const groundBench: BenchGroup = { name: 'ground', run };
