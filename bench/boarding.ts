/**
 * Boarding storm: N seats do their first sync of a 5,000-title catalogue at once against the
 * real appliance (a child process on free ports, so the seats' own work does not run on its
 * event loop). Simulated seats speak the replication protocol over HTTP as the RxDB client
 * in seat-client/src/replica does: open the live stream, download the snapshot, pull pages
 * after its checkpoint until caught up, pull once more (RxDB asks again after a full batch)
 * and once on the stream's hello (RESYNC). A few real RxDB replicas (memory storage) run
 * among them and their final contents are checked against the appliance's snapshot.
 *
 *   seat.boarding_storm_s.N             start -> the last seat caught up with its stream open
 *   seat.boarding_bytes_per_seat_kb.N   wire bytes the appliance sent one simulated seat
 *
 * Run alone: `npx tsx bench/boarding.ts --serve <dataDir>` is the appliance side.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import type { CatalogSnapshot, ReplicationCheckpoint } from '@ifec/protocol';
import { median, type BenchContext, type BenchGroup } from './harness.ts';

const TITLES = 5000;
const SEAT_COUNTS = (process.env.BOARDING_SEATS ?? '100,300,850').split(',').map(Number);
const REAL_REPLICAS = 4; // 2 collections each: within the open-source build's 13 per process
const PULL_BATCH = 200; // what openReplica uses
const RUNS = Number(process.env.BOARDING_RUNS ?? 3);

interface ApplianceSide {
  url: string;
  seats: Record<string, string>;
  child: ChildProcess;
}

export const boardingGroup: BenchGroup = {
  name: 'boarding',
  async run(ctx) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-boarding-'));
    const appliance = await startApplianceChild(dataDir);
    try {
      const snapshot = (await getJson(`${appliance.url}/api/replication/catalog/snapshot`)) as CatalogSnapshot;
      if (snapshot.documents.length !== TITLES) throw new Error(`the appliance holds ${snapshot.documents.length} titles, not ${TITLES}`);
      ctx.log(`appliance at ${appliance.url}: ${TITLES} titles, snapshot checkpoint ${snapshot.checkpoint?.updatedAt}`);
      for (const n of SEAT_COUNTS) {
        const times: number[] = [];
        const bytes: number[] = [];
        const simulated: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          const result = await storm(ctx, appliance, n, snapshot, `${n}-${run}`);
          times.push(result.seconds);
          bytes.push(result.bytesPerSeat);
          simulated.push(result.simulatedSeconds);
          ctx.log(`${n} seats, run ${run + 1}/${RUNS}: ${result.seconds.toFixed(2)} s (simulated seats ${result.simulatedSeconds.toFixed(2)} s, real replicas ${result.replicaSeconds.map((s) => s.toFixed(2)).join(' / ')} s), ${(result.bytesPerSeat / 1024).toFixed(0)} KB per seat, ${result.retries} keep-alive retries`);
        }
        ctx.record({ id: `seat.boarding_storm_s.${n}`, value: round(median(times)), unit: 's', goal: n === 850 ? '< 10 s' : undefined, note: `median of ${RUNS}; ${REAL_REPLICAS} real RxDB replicas (memory storage, all in this one process) checked against the appliance each run; simulated seats alone: ${round(median(simulated))} s; machine load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores` });
        ctx.record({ id: `seat.boarding_bytes_per_seat_kb.${n}`, value: round(median(bytes) / 1024), unit: 'KB' });
      }
    } finally {
      await stopChild(appliance.child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

async function storm(ctx: BenchContext, appliance: ApplianceSide, n: number, expected: CatalogSnapshot, tag: string) {
  const { openReplica } = await import('../seat-client/src/replica/index.ts');
  const { getRxStorageMemory } = await import('rxdb/plugins/storage-memory');
  const seatIds = Object.keys(appliance.seats).slice(0, REAL_REPLICAS);
  const tokens = await Promise.all(seatIds.map((id) => seatToken(appliance.url, id, appliance.seats[id]!)));
  const started = performance.now();
  const replicas = seatIds.map(async (seatId, i) => {
    const replica = await openReplica({ baseUrl: appliance.url, seatId, token: tokens[i]!, device: 'seat', storage: getRxStorageMemory(), databaseName: `boarding-${tag}-${i}` });
    await replica.whenSynced();
    return { replica, seconds: (performance.now() - started) / 1000 };
  });
  const simulated = Array.from({ length: n - seatIds.length }, () => simulatedSeat(appliance.url, started));
  const [real, sims] = await Promise.all([Promise.all(replicas), Promise.all(simulated)]);
  const seconds = Math.max(...real.map((r) => r.seconds), ...sims.map((s) => s.doneAt)) ;
  for (const s of sims) s.close();

  // The real replicas must hold exactly what the appliance serves.
  const want = new Map(expected.documents.map((d) => [d.id, JSON.stringify(stripDoc(d))]));
  for (const { replica } of real) {
    const docs = await replica.titles.find().exec();
    if (docs.length !== want.size) throw new Error(`a replica holds ${docs.length} titles, the appliance ${want.size}`);
    for (const doc of docs) {
      if (want.get(doc.id) !== JSON.stringify(stripDoc(doc.toJSON()))) throw new Error(`replica's ${doc.id} differs from the appliance's`);
    }
    await replica.close();
  }
  ctx.log(`  ${real.length} RxDB replicas hold the appliance's ${want.size} titles exactly`);
  return {
    seconds,
    bytesPerSeat: median(sims.map((s) => s.bytes)),
    replicaSeconds: real.map((r) => r.seconds),
    simulatedSeconds: Math.max(0, ...sims.map((s) => s.doneAt)),
    retries: sims.reduce((n, s) => n + s.retries, 0),
  };
}

/** One seat's first sync, request by request as openReplica makes them; wire bytes counted on its sockets. */
async function simulatedSeat(baseUrl: string, started: number): Promise<{ doneAt: number; bytes: number; retries: number; close(): void }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<net.Socket>();
  let retries = 0;
  // Like a browser, a GET that meets a keep-alive socket the server just closed is sent again.
  const request = async (p: string, headers: Record<string, string> = {}) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await requestOnce(p, headers);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (attempt >= 3 || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw error;
        retries++;
      }
    }
  };
  const requestOnce = (p: string, headers: Record<string, string>) => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.get(`${baseUrl}${p}`, { agent, headers: { accept: 'application/json', 'accept-encoding': 'gzip, deflate', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })).on('error', reject);
    });
    req.on('socket', (s) => sockets.add(s));
    req.on('error', reject);
  });
  const pull = async (since: ReplicationCheckpoint, limit: number) => {
    const res = await request(`/api/replication/catalog/pull?limit=${limit}&updatedAt=${since.updatedAt}&id=${encodeURIComponent(since.id)}`);
    if (res.status !== 200) throw new Error(`pull: HTTP ${res.status}`);
    const text = (res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(res.body) : res.body).toString('utf8');
    const page = JSON.parse(text) as { documents: unknown[]; checkpoint: ReplicationCheckpoint | null };
    return { count: page.documents.length, checkpoint: page.checkpoint ?? since };
  };

  // The live stream opens alongside the first pull; its hello makes RxDB resync (one more pull).
  let streamReq: http.ClientRequest | undefined;
  const hello = new Promise<void>((resolve, reject) => {
    streamReq = http.get(`${baseUrl}/api/replication/catalog/stream`, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      let head = '';
      res.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.toString('utf8');
        if (head.includes('event: hello')) resolve();
      });
      res.on('error', () => undefined);
    });
    streamReq.on('socket', (s) => sockets.add(s));
    streamReq.on('error', reject);
  });

  const snapshot = await request('/api/replication/catalog/snapshot');
  if (snapshot.status !== 200) throw new Error(`snapshot: HTTP ${snapshot.status}`);
  let checkpoint = await checkpointOfSnapshot(snapshot.body, snapshot.headers['content-encoding']);
  for (;;) {
    const page = await pull(checkpoint, PULL_BATCH);
    checkpoint = page.checkpoint;
    if (page.count < PULL_BATCH) break;
  }
  await pull(checkpoint, PULL_BATCH); // RxDB asks again: the snapshot filled more than a batch
  await hello;
  await pull(checkpoint, PULL_BATCH); // the RESYNC on the stream's hello
  const doneAt = (performance.now() - started) / 1000;
  let bytes = 0;
  for (const s of sockets) bytes += s.bytesRead;
  return {
    doneAt,
    bytes,
    retries,
    close: () => {
      streamReq?.destroy();
      agent.destroy();
    },
  };
}

/**
 * The checkpoint at the head of the snapshot. A simulated seat decompresses only that far:
 * inflating and parsing 5,000 titles is the seat's own CPU, not the appliance's, and 850 of
 * them in this one process would measure the bench rather than the appliance.
 */
function checkpointOfSnapshot(body: Buffer, encoding: string | undefined): Promise<ReplicationCheckpoint> {
  const find = (text: string) => /"checkpoint":(\{[^}]*\})/.exec(text)?.[1];
  if (encoding !== 'gzip') return Promise.resolve(JSON.parse(find(body.subarray(0, 4096).toString('utf8'))!) as ReplicationCheckpoint);
  return new Promise((resolve, reject) => {
    const gunzip = zlib.createGunzip();
    let text = '';
    gunzip.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      const found = find(text);
      if (found) {
        resolve(JSON.parse(found) as ReplicationCheckpoint);
        gunzip.destroy();
      }
    });
    gunzip.on('error', reject);
    gunzip.end(body);
  });
}

function stripDoc(doc: object): Record<string, unknown> {
  const { _deleted, _meta, _rev, _attachments, ...rest } = doc as Record<string, unknown>;
  return Object.fromEntries(Object.entries(JSON.parse(JSON.stringify(rest)) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

async function seatToken(url: string, seatId: string, secret: string): Promise<string> {
  const res = await fetch(`${url}/api/seats/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seatId, secret }) });
  if (!res.ok) throw new Error(`seat login ${seatId}: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// --- the appliance side, in its own process --------------------------------------------------

function startApplianceChild(dataDir: string): Promise<ApplianceSide> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--serve', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('{"ready"')) return;
      const ready = JSON.parse(line) as { ready: true; url: string; seats: Record<string, string> };
      resolve({ url: ready.url, seats: ready.seats, child });
    });
    child.once('exit', (code) => reject(new Error(`the appliance child exited (${code}) before it was ready`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function serve(dataDir: string): Promise<void> {
  const { sampleCatalog, startReplicationAppliance } = await import('../appliance/test/replication-fixtures.ts');
  const app = await startReplicationAppliance(dataDir);
  await app.catalog.replaceCatalog('boarding-bench', sampleCatalog(TITLES));
  const seats = Object.fromEntries(Object.entries(app.seatSecrets).slice(0, REAL_REPLICAS));
  process.stdout.write(`${JSON.stringify({ ready: true, url: app.url, seats })}\n`);
  process.once('SIGTERM', () => {
    app.stop().then(() => process.exit(0), () => process.exit(1));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href && process.argv[2] === '--serve') {
  await serve(process.argv[3]!);
}
