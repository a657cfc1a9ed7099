/**
 * Sync bench: a generated 14-hour, 850-seat flight outbox (seat-health summaries every 10
 * minutes, anonymous viewing counts, seat faults, PA audit records) uploaded with the real
 * uploader and ground client through the link emulator to a real ground (PGlite), over an
 * emulated satcom link (2 Mbps / 600 ms) and a gate link (50 Mbps / 40 ms); then the ground's
 * ingest rate into PGlite and PostgreSQL. Orders do not exist yet (a later issue) and are
 * not in the generated outbox.
 *
 * The ground and the link emulator each run in their own process (bench/sync-peers.ts); this
 * process is the appliance's side (outbox, encoder, uploader, ground client). With all three
 * in one process the emulator's timers waited behind the encoder and the ground's ingest and
 * the figure measured the process, not the link.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type OutboxRecord, type OutboxStream, streamOfKind } from '@ifec/protocol';
import { decodeBatch, encodeBatch } from '@ifec/protocol/node';
import pg from 'pg';
import { pino } from 'pino';
import { GroundClient } from '../appliance/src/sync/ground-client.ts';
import type { OutboxSource } from '../appliance/src/sync/outbox.ts';
import { WINDOW } from '../appliance/src/sync/sync-service.ts';
import { uploadStreams } from '../appliance/src/sync/uploader.ts';
import { loadGroundConfig } from '../ground-sync/src/config.ts';
import { GATE, type LinkProfile, SATCOM } from '../ground-sync/src/link-emulator/link-emulator.ts';
import { startGround } from '../ground-sync/src/main.ts';
import { type Database, migrate, openPostgres } from '../ground-sync/src/store/database.ts';
import { createTenant } from '../ground-sync/src/tenants/tenants.ts';
import { ingestBatch } from '../ground-sync/src/uplink/ingest.ts';
import { type BenchContext, type BenchGroup, median } from './harness.ts';

const SEATS = 850;
const HOURS = 14;
const RUNS = 3;
const log = pino({ level: 'silent' });

/** A deterministic pseudo-random source so every run uploads the same flight. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateFlightOutbox(): OutboxRecord[] {
  const random = prng(850_14);
  const uuid = () =>
    Array.from({ length: 16 }, () =>
      Math.floor(random() * 256)
        .toString(16)
        .padStart(2, '0'),
    )
      .join('')
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  const departure = Date.UTC(2026, 10, 25, 22, 0);
  const letters = 'ABCDEFGHJK';
  const seats = Array.from({ length: SEATS }, (_, i) => `${Math.floor(i / 10) + 1}${letters[i % 10]}`);
  const cabinClass = (i: number) => (i < 14 ? 'first' : i < 90 ? 'business' : i < 200 ? 'premium' : 'economy');
  const titles = Array.from({ length: 400 }, (_, i) => `title-${String(i).padStart(3, '0')}`);
  const languages = ['en', 'fr', 'de', 'es', 'ar', 'zh', 'ja'];
  const events: { at: number; kind: string; id: string; data: unknown }[] = [];
  // Seat-health summaries: every seat, every 10 minutes.
  for (let w = 0; w < (HOURS * 60) / 10; w++) {
    const windowStart = departure + w * 600_000;
    seats.forEach((seatId, i) => {
      const rebooted = random() < 0.002;
      events.push({
        at: windowStart + 600_000 + i,
        kind: 'seat.health.summary',
        id: `${seatId}@${new Date(windowStart).toISOString()}`,
        data: {
          seatId,
          windowStart: new Date(windowStart).toISOString(),
          windowS: 600,
          onlineS: rebooted ? 600 - Math.floor(random() * 120) : 600,
          reboots: rebooted ? 1 : 0,
          faults: random() < 0.003 ? 1 : 0,
          appVersion: '2.3.1',
          lastError: rebooted ? 'watchdog reset' : null,
        },
      });
    });
  }
  // Anonymous viewing counts: passengers watch films and episodes back to back, some only browse.
  seats.forEach((_, i) => {
    let t = departure + 20 * 60_000 + random() * 40 * 60_000;
    while (t < departure + HOURS * 3600_000 - 30 * 60_000) {
      const watchedS = Math.floor(random() < 0.3 ? random() * 900 : 1500 + random() * 6000);
      const title = titles[Math.floor(titles.length * random() ** 2)]!;
      events.push({
        at: t + watchedS * 1000,
        kind: 'viewing.count',
        id: uuid(),
        data: {
          titleId: title,
          cabinClass: cabinClass(i),
          watchedS,
          completed: watchedS > 5000,
          audioLanguage: languages[Math.floor(random() * random() * languages.length)]!,
        },
      });
      t += watchedS * 1000 + random() * 45 * 60_000;
    }
  });
  // Seat faults and PA announcements (audit).
  for (let f = 0; f < 300; f++) {
    events.push({
      at: departure + random() * HOURS * 3600_000,
      kind: 'seat.fault',
      id: uuid(),
      data: {
        seatId: seats[Math.floor(random() * SEATS)]!,
        id: uuid(),
        code: ['SCREEN_BLANK', 'TOUCH_DEAD', 'AUDIO_JACK', 'USB_POWER'][Math.floor(random() * 4)]!,
        message: 'reported by the seat unit',
        at: new Date(departure + random() * HOURS * 3600_000).toISOString(),
      },
    });
  }
  for (let p = 0; p < 40; p++) {
    const at = departure + random() * HOURS * 3600_000;
    const id = uuid();
    events.push({
      at,
      kind: 'cabin.pa',
      id,
      data: {
        actor: 'crew:P100',
        state:
          p % 2
            ? null
            : {
                active: true,
                id,
                startedAt: new Date(at).toISOString(),
                by: 'crew:P100',
                announcementId: 'turbulence',
                texts: Object.fromEntries(
                  languages.map((l) => [
                    l,
                    `Turbulence announcement text in ${l}, about one sentence long for each language.`,
                  ]),
                ),
              },
      },
    });
  }
  events.sort((a, b) => a.at - b.at);
  return events.map((e, i) => ({ seq: i + 1, kind: e.kind, id: e.id, at: new Date(e.at).toISOString(), data: e.data }));
}

/** The generated outbox behind the same interface the appliance's PGlite outbox has. */
function memoryOutbox(records: OutboxRecord[]): OutboxSource {
  const byStream: Record<OutboxStream, OutboxRecord[]> = { critical: [], bulk: [] };
  for (const r of records) byStream[streamOfKind(r.kind)].push(r);
  const last = records.at(-1)?.seq ?? 0;
  const from = (list: OutboxRecord[], after: number) => {
    let lo = 0,
      hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    async readBatch(stream, after, limit) {
      const list = byStream[stream];
      const start = from(list, after);
      const page = list.slice(start, start + limit);
      return { records: page, through: page.length === limit ? page.at(-1)!.seq : Math.max(after, last) };
    },
    async count(stream, after) {
      return byStream[stream].length - from(byStream[stream], after);
    },
  };
}

interface LinkRun {
  seconds: number;
  bytesUp: number;
  bytesTotal: number;
  upSpanS: number;
  /** Uplink bytes and span from the first to the last byte after the checkpoint: the outbox on the wire. */
  outbox: { bytesUp: number; spanS: number };
}

const PEERS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sync-peers.ts');

/** A peer process (bench/sync-peers.ts) answering one JSON line per command. */
class Peer {
  private readonly answers: Array<(line: string) => void> = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(args: string[]): Promise<Peer> {
    const child = spawn(process.execPath, ['--import', 'tsx', PEERS, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`sync peer ${args[0]} exited (${code}) before it was ready`)));
    });
    const peer = new Peer(child, (JSON.parse(first) as { port: number }).port);
    lines.on('line', (line) => peer.answers.shift()?.(line));
    return peer;
  }

  async ask<T>(command: Record<string, unknown>): Promise<T> {
    const line = await new Promise<string>((resolve) => {
      this.answers.push(resolve);
      this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    });
    const answer = JSON.parse(line) as T & { error?: string };
    if (answer.error) throw new Error(answer.error);
    return answer;
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin!.end();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

async function uploadOver(
  ground: Peer,
  aircraftId: string,
  profile: LinkProfile,
  kind: 'satcom' | 'gate',
  records: OutboxRecord[],
): Promise<LinkRun> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  await ground.ask({
    register: { aircraftId, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  });
  const link = await Peer.start([
    'link',
    String(ground.port),
    String(profile.bitsPerSecond ?? 0),
    String(profile.rttMs ?? 0),
  ]);
  try {
    const client = new GroundClient({
      baseUrl: `http://127.0.0.1:${link.port}`,
      link: kind,
      aircraftId,
      privateKey,
      downlinkApplied: () => 0,
    });
    const source = memoryOutbox(records);
    const started = performance.now();
    // As the sync service does: the ground's checkpoint, then critical before bulk in one window.
    const acked = await client.checkpoint();
    await link.ask({ mark: true });
    await uploadStreams(client, source, ['critical', 'bulk'], acked, {
      aircraftId,
      batchRecords: kind === 'satcom' ? 2000 : 5000,
      window: WINDOW[kind].batches,
      windowBytes: WINDOW[kind].bytes,
    });
    const seconds = (performance.now() - started) / 1000;
    const held = (await ground.ask<{ records: number }>({ count: aircraftId })).records;
    if (held !== records.length) throw new Error(`ground holds ${held} of ${records.length} records`);
    const stats = await link.ask<{
      bytesUp: number;
      bytesCarried: number;
      upSpanMs: number;
      sinceMark: { bytesUp: number; upSpanMs: number };
    }>({ stats: true });
    return {
      seconds,
      bytesUp: stats.bytesUp,
      bytesTotal: stats.bytesCarried,
      upSpanS: stats.upSpanMs / 1000,
      outbox: { bytesUp: stats.sinceMark.bytesUp, spanS: stats.sinceMark.upSpanMs / 1000 },
    };
  } finally {
    await link.stop();
  }
}

async function ingestRate(db: Database, records: OutboxRecord[], aircraftId: string): Promise<number> {
  // The ground's work without the network: decode each wire batch, store it, move the acks.
  const wire: Buffer[] = [];
  for (const stream of ['critical', 'bulk'] as const) {
    const list = records.filter((r) => streamOfKind(r.kind) === stream);
    for (let i = 0, after = 0; i < list.length; i += 5000) {
      const page = list.slice(i, i + 5000);
      const through = page.at(-1)!.seq;
      wire.push(encodeBatch({ aircraftId, stream, after, through, pending: 0, records: page }));
      after = through;
    }
  }
  await db.query(
    "INSERT INTO aircraft (aircraft_id, tenant_id, public_key) VALUES ($1, 'bench', 'x') ON CONFLICT DO NOTHING",
    [aircraftId],
  );
  const started = performance.now();
  for (const bytes of wire) await ingestBatch(db, decodeBatch(bytes));
  return records.length / ((performance.now() - started) / 1000);
}

async function postgresDatabase(): Promise<{ db: Database; drop(): Promise<void> } | string> {
  const adminUrl = process.env.IFEC_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `ifec_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    return `PostgreSQL not reachable at ${adminUrl}: ${(error as Error).message}`;
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  await migrate(db, log);
  await createTenant(db, 'bench', 'Bench');
  return {
    db,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function run(ctx: BenchContext): Promise<void> {
  const records = generateFlightOutbox();
  const kinds: Record<string, number> = {};
  for (const r of records) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
  ctx.log(
    `generated ${records.length} records for ${HOURS} h x ${SEATS} seats: ${Object.entries(kinds)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-bench-sync-'));
  const remote = await Peer.start(['ground', path.join(dir, 'remote')]);
  try {
    for (const [name, profile, bps] of [
      ['satcom', SATCOM, SATCOM.bitsPerSecond!],
      ['gate', GATE, GATE.bitsPerSecond!],
    ] as const) {
      const runs: LinkRun[] = [];
      for (let i = 0; i < RUNS; i++)
        runs.push(await uploadOver(remote, `B-${name.slice(0, 3).toUpperCase()}${i}`, profile, name, records));
      const seconds = median(runs.map((r) => r.seconds));
      const bytesUp = median(runs.map((r) => r.bytesUp));
      const note = `${records.length} records, whole outbox (critical then bulk); ${Math.round(bytesUp / 1024)} KiB up, HTTP headers included, TCP/IP headers not; ground and link emulator in their own processes; runs ${runs.map((r) => r.seconds.toFixed(2)).join('/')} s; median of ${RUNS}`;
      ctx.record({ id: `sync.${name}.total_s`, value: seconds, unit: 's', note });
      ctx.record({
        id: `sync.${name}.utilisation`,
        value: (bytesUp * 8) / seconds / bps,
        unit: 'of link',
        goal: name === 'satcom' ? '>= 0.9' : undefined,
        note: `uplink bytes on the emulated wire x 8 / time from the first request to the last ack / ${bps / 1e6} Mbps`,
      });
      // The link's own view: uplink bytes over the span from the first to the last uplink byte
      // delivered (the checkpoint's and the last ack's round trips and the ground's work after
      // the last byte are outside it). Logged beside the figure, not instead of it.
      const busy = median(runs.map((r) => (r.bytesUp * 8) / r.upSpanS / bps));
      // What no uploader can beat on this link: the checkpoint's round trip, the wire time, then
      // the first byte's way out and the last ack's way back (one more round trip).
      const wireS = (bytesUp * 8) / bps;
      const ceiling = wireS / (wireS + (2 * (profile.rttMs ?? 0)) / 1000);
      ctx.log(
        `  ${name}: uplink busy span ${runs.map((r) => r.upSpanS.toFixed(2)).join('/')} s of ${runs.map((r) => r.seconds.toFixed(2)).join('/')} s; utilisation within it ${busy.toFixed(3)}; wire time at line rate ${wireS.toFixed(2)} s; ceiling of the figure at ${profile.rttMs} ms round trip ${ceiling.toFixed(3)} (${((bytesUp * 8) / seconds / bps / ceiling).toFixed(3)} of it reached)`,
      );
      // The link while the outbox was on it (from its first to its last uplink byte): whether the
      // uploader keeps the link full, apart from the round trips of the protocol's start and end.
      ctx.record({
        id: `sync.${name}.link_busy_utilisation`,
        value: median(runs.map((r) => (r.outbox.bytesUp * 8) / r.outbox.spanS / bps)),
        unit: 'of link',
        note: `outbox uplink bytes x 8 / span from their first to their last byte on the emulated wire / ${bps / 1e6} Mbps; the checkpoint before and the last ack after are outside it; runs ${runs.map((r) => r.outbox.spanS.toFixed(2)).join('/')} s`,
      });
      ctx.record({
        id: `sync.${name}.bytes_per_record`,
        value: bytesUp / records.length,
        unit: 'B',
        goal: name === 'satcom' ? '<= 10' : undefined,
      });
    }
  } finally {
    await remote.stop();
  }
  // The ground's ingest without the network, in this process: nothing else runs meanwhile.
  const ground = await startGround(
    loadGroundConfig({
      GROUND_PORT: '0',
      GROUND_HOST: '127.0.0.1',
      GROUND_DATA_DIR: path.join(dir, 'local'),
      GROUND_LOG_LEVEL: 'silent',
    }),
    log,
  );
  await createTenant(ground.db, 'bench', 'Bench');
  try {
    const pgliteRates: number[] = [];
    for (let i = 0; i < RUNS; i++) pgliteRates.push(await ingestRate(ground.db, records, `I-PGL${i}`));
    ctx.record({
      id: 'sync.ground.ingest_per_s.pglite',
      value: median(pgliteRates),
      unit: 'records/s',
      note: `decode + store + ack, 5,000-record batches, median of ${RUNS}`,
    });
  } finally {
    await ground.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const postgres = await postgresDatabase();
  if (typeof postgres === 'string') {
    ctx.record({ id: 'sync.ground.ingest_per_s.postgres', value: null, unit: 'records/s', skipped: postgres });
    return;
  }
  try {
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) rates.push(await ingestRate(postgres.db, records, `I-PG${i}`));
    ctx.record({
      id: 'sync.ground.ingest_per_s.postgres',
      value: median(rates),
      unit: 'records/s',
      note: `decode + store + ack, 5,000-record batches, median of ${RUNS}`,
    });
  } finally {
    await postgres.drop();
  }
}

export const syncBench: BenchGroup = { name: 'sync', run };
