/**
 * Boarding storm: N seats do their first sync of a 5,000-title catalogue at once against the
 * real appliance (a child process on free ports, so the seats' own work does not run on its
 * event loop). Simulated seats speak the replication protocol over HTTP as the RxDB client
 * in seat-client/src/replica does: open the live stream, download the snapshot, pull pages
 * after its checkpoint until caught up, pull once more (RxDB asks again after a full batch)
 * and once on the stream's hello (RESYNC). A few real RxDB replicas (memory storage) run
 * among them, each in its own process, and their final contents are checked against the
 * appliance's snapshot.
 *
 *   seat.boarding_storm_s.N             start -> the last seat caught up with its stream open
 *   seat.boarding_bytes_per_seat_kb.N   wire bytes the appliance sent one simulated seat
 *
 * Run alone: `npx tsx bench/boarding.ts --serve <dataDir>` is the appliance side.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import type { CatalogSnapshot, ReplicationCheckpoint } from '@ifec/protocol';
import { type BenchContext, type BenchGroup, median } from './harness.ts';

const TITLES = 5000;
const SEAT_COUNTS = (process.env.BOARDING_SEATS ?? '100,300,850').split(',').map(Number);
const REAL_REPLICAS = 4; // each in its own process (2 of the open-source build's 13 collections)
const PULL_BATCH = 200; // what openReplica uses
const RUNS = Number(process.env.BOARDING_RUNS ?? 3);
const STORM_TIMEOUT_S = Number(process.env.BOARDING_TIMEOUT_S ?? 180);

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
      if (snapshot.documents.length !== TITLES)
        throw new Error(`the appliance holds ${snapshot.documents.length} titles, not ${TITLES}`);
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
          ctx.log(
            `${n} seats, run ${run + 1}/${RUNS}: ${result.seconds.toFixed(2)} s (simulated seats ${result.simulatedSeconds.toFixed(2)} s, real replicas ${result.replicaSeconds.map((s) => s.toFixed(2)).join(' / ')} s), ${(result.bytesPerSeat / 1024).toFixed(0)} KB per seat, ${result.retries} keep-alive retries${result.retries ? ` (at ${result.retriedAt})` : ''}; CPU during the storm: appliance ${result.cpu.appliance.toFixed(1)} s, simulated seats ${result.cpu.bench.toFixed(1)} s`,
          );
        }
        ctx.record({
          id: `seat.boarding_storm_s.${n}`,
          value: round(median(times)),
          unit: 's',
          goal: n === 850 ? '< 10 s' : undefined,
          note: `median of ${RUNS}; ${REAL_REPLICAS} real RxDB replicas (memory storage, one process each) checked against the appliance each run; simulated seats alone: ${round(median(simulated))} s; machine load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
        });
        ctx.record({ id: `seat.boarding_bytes_per_seat_kb.${n}`, value: round(median(bytes) / 1024), unit: 'KB' });
      }
    } finally {
      await stopChild(appliance.child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

async function storm(ctx: BenchContext, appliance: ApplianceSide, n: number, expected: CatalogSnapshot, tag: string) {
  const seatIds = Object.keys(appliance.seats).slice(0, REAL_REPLICAS);
  const tokens = await Promise.all(seatIds.map((id) => seatToken(appliance.url, id, appliance.seats[id]!)));
  // Each real replica runs in its own process, as each seat has its own CPU; it is started
  // and its modules loaded before the storm, and syncs when told to go.
  const replicas = await Promise.all(
    seatIds.map((seatId, i) => startReplicaChild(appliance.url, seatId, tokens[i]!, `boarding-${tag}-${i}`)),
  );
  const replicaStages = seatIds.map(() => 'syncing');
  const cpuBefore = { appliance: cpuSecondsOf(appliance.child.pid), bench: process.cpuUsage() };
  const started = performance.now();
  const synced = replicas.map(async (r, i) => {
    r.send('go');
    const line = await r.next();
    if (!line.synced) throw new Error(`replica ${seatIds[i]} failed: ${line.error}`);
    replicaStages[i] = 'synced';
    return (performance.now() - started) / 1000;
  });
  const simStages: string[] = [];
  const simulated = Array.from({ length: n - seatIds.length }, (_, i) =>
    simulatedSeat(appliance.url, started, (stage) => (simStages[i] = stage)),
  );
  // A storm that does not finish is a finding, not a hang: say who is stuck where.
  let watchdog: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    watchdog = setTimeout(() => {
      const stages = new Map<string, number>();
      for (const st of simStages) stages.set(st, (stages.get(st) ?? 0) + 1);
      reject(
        new Error(
          `storm of ${n} not done after ${STORM_TIMEOUT_S} s: simulated seats ${JSON.stringify(Object.fromEntries(stages))}; replicas ${replicaStages.join(', ')}`,
        ),
      );
    }, STORM_TIMEOUT_S * 1000);
  });
  try {
    const [real, sims] = await Promise.race([
      Promise.all([Promise.all(synced), Promise.all(simulated)]),
      stuck,
    ]).finally(() => clearTimeout(watchdog));
    const seconds = Math.max(...real, ...sims.map((s) => s.doneAt));
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const cpu = {
      appliance: cpuSecondsOf(appliance.child.pid) - cpuBefore.appliance,
      bench: (benchCpu.user + benchCpu.system) / 1e6,
    };
    for (const s of sims) s.close();
    // The real replicas must hold exactly what the appliance serves.
    const want = contentsDigest(expected.documents);
    for (const [i, r] of replicas.entries()) {
      r.send('verify');
      const line = await r.next();
      if (line.count !== expected.documents.length || line.digest !== want) {
        throw new Error(
          `replica ${seatIds[i]} holds ${line.count} titles (digest ${line.digest}), the appliance ${expected.documents.length} (${want})`,
        );
      }
    }
    ctx.log(
      `  ${replicas.length} RxDB replicas (one process each) hold the appliance's ${expected.documents.length} titles exactly`,
    );
    return {
      seconds,
      bytesPerSeat: median(sims.map((s) => s.bytes)),
      replicaSeconds: real,
      simulatedSeconds: Math.max(0, ...sims.map((s) => s.doneAt)),
      retries: sims.reduce((k, s) => k + s.retries, 0),
      retriedAt: [...new Set(sims.flatMap((s) => s.retriedAt))].join('/'),
      cpu,
    };
  } finally {
    await Promise.all(replicas.map((r) => stopChild(r.child)));
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** sha256 over the titles' JSON, sorted by id, RxDB's own fields left out. */
function contentsDigest(docs: object[]): string {
  const lines = docs.map((d) => JSON.stringify(stripDoc(d))).sort();
  return crypto.createHash('sha256').update(lines.join('\n')).digest('hex');
}

interface ReplicaChild {
  child: ChildProcess;
  send(command: 'go' | 'verify'): void;
  next(): Promise<{ ready?: true; synced?: true; error?: string; count?: number; digest?: string }>;
}

async function startReplicaChild(url: string, seatId: string, token: string, name: string): Promise<ReplicaChild> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--replica', url, seatId, token, name],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const w = waiting.shift();
    if (w) w(line);
    else queue.push(line);
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`replica child exited (${code})`)));
    }).then((line) => JSON.parse(line) as Awaited<ReturnType<ReplicaChild['next']>>);
  const r: ReplicaChild = { child, send: (command) => child.stdin!.write(`${command}\n`), next };
  const ready = await next();
  if (!ready.ready) throw new Error(`replica child for ${seatId} did not start: ${ready.error}`);
  return r;
}

/** The replica side, in its own process: open, sync on `go`, report contents on `verify`. */
async function replicaProcess(url: string, seatId: string, token: string, name: string): Promise<void> {
  const { openReplica } = await import('../seat-client/src/replica/index.ts');
  const { getRxStorageMemory } = await import('rxdb/plugins/storage-memory');
  const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  let replica: Awaited<ReturnType<typeof openReplica>> | undefined;
  say({ ready: true });
  for await (const command of readline.createInterface({ input: process.stdin })) {
    try {
      if (command === 'go') {
        replica = await openReplica({
          baseUrl: url,
          seatId,
          token,
          device: 'seat',
          storage: getRxStorageMemory(),
          databaseName: name,
        });
        await replica.whenSynced();
        say({ synced: true });
      } else if (command === 'verify') {
        const docs = await replica!.titles.find().exec();
        say({ count: docs.length, digest: contentsDigest(docs.map((d) => d.toJSON())) });
      }
    } catch (error) {
      say({ error: String((error as Error).message) });
    }
  }
  await replica?.close();
}

/** One seat's first sync, request by request as openReplica makes them; wire bytes counted on its sockets. */
async function simulatedSeat(
  baseUrl: string,
  started: number,
  stage: (name: string) => void,
): Promise<{ doneAt: number; bytes: number; retries: number; retriedAt: string[]; close(): void }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<net.Socket>();
  let retries = 0;
  const retriedAt: string[] = [];
  let currentStage = 'start';
  const setStage = (name: string) => {
    currentStage = name;
    stage(name);
  };
  // Like a browser, a GET that meets a keep-alive socket the server just closed is sent again.
  const request = async (p: string, keepBytes = Infinity) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await requestOnce(p, keepBytes);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (attempt >= 3 || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw error;
        retries++;
        retriedAt.push(currentStage);
      }
    }
  };
  // The whole body is read off the wire (and counted), but only its first `keepBytes` are kept.
  const requestOnce = (p: string, keepBytes: number) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.get(
        `${baseUrl}${p}`,
        { agent, headers: { accept: 'application/json', 'accept-encoding': 'gzip, deflate' } },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          res
            .on('data', (c: Buffer) => {
              if (kept >= keepBytes) return;
              chunks.push(c);
              kept += c.length;
            })
            .on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
            )
            .on('error', reject);
        },
      );
      req.on('socket', (s) => sockets.add(s));
      req.on('error', reject);
    });
  const pull = async (since: ReplicationCheckpoint, limit: number) => {
    const res = await request(
      `/api/replication/catalog/pull?limit=${limit}&updatedAt=${since.updatedAt}&id=${encodeURIComponent(since.id)}`,
    );
    if (res.status !== 200) throw new Error(`pull: HTTP ${res.status}`);
    const text = (res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(res.body) : res.body).toString('utf8');
    const page = JSON.parse(text) as { documents: unknown[]; checkpoint: ReplicationCheckpoint | null };
    return { count: page.documents.length, checkpoint: page.checkpoint ?? since };
  };

  // The live stream opens alongside the first pull; its hello makes RxDB resync (one more pull).
  let streamReq: http.ClientRequest | undefined;
  const hello = new Promise<void>((resolve, reject) => {
    streamReq = http.get(
      `${baseUrl}/api/replication/catalog/stream`,
      { agent: false, headers: { accept: 'text/event-stream' } },
      (res) => {
        let head = '';
        res.on('data', (c: Buffer) => {
          if (head.length < 4096) head += c.toString('utf8');
          if (head.includes('event: hello')) resolve();
        });
        res.on('error', () => undefined);
      },
    );
    streamReq.on('socket', (s) => sockets.add(s));
    streamReq.on('error', reject);
  });

  setStage('snapshot');
  const snapshot = await request('/api/replication/catalog/snapshot', 64 * 1024);
  if (snapshot.status !== 200) throw new Error(`snapshot: HTTP ${snapshot.status}`);
  let checkpoint = await checkpointOfSnapshot(snapshot.body, snapshot.headers['content-encoding']);
  setStage('pulling');
  for (;;) {
    const page = await pull(checkpoint, PULL_BATCH);
    checkpoint = page.checkpoint;
    if (page.count < PULL_BATCH) break;
  }
  await pull(checkpoint, PULL_BATCH); // RxDB asks again: the snapshot filled more than a batch
  setStage('waiting for hello');
  await hello;
  setStage('resync');
  await pull(checkpoint, PULL_BATCH); // the RESYNC on the stream's hello
  setStage('done');
  const doneAt = (performance.now() - started) / 1000;
  let bytes = 0;
  for (const s of sockets) bytes += s.bytesRead;
  return {
    doneAt,
    bytes,
    retries,
    retriedAt,
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
  if (encoding !== 'gzip')
    return Promise.resolve(JSON.parse(find(body.subarray(0, 4096).toString('utf8'))!) as ReplicationCheckpoint);
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
  return Object.fromEntries(
    Object.entries(JSON.parse(JSON.stringify(rest)) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

async function seatToken(url: string, seatId: string, secret: string): Promise<string> {
  const res = await fetch(`${url}/api/seats/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId, secret }),
  });
  if (!res.ok) throw new Error(`seat login ${seatId}: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// --- the appliance side, in its own process --------------------------------------------------

function startApplianceChild(dataDir: string): Promise<ApplianceSide> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--serve', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.argv[2] === '--serve') await serve(process.argv[3]!);
  if (process.argv[2] === '--replica')
    await replicaProcess(process.argv[3]!, process.argv[4]!, process.argv[5]!, process.argv[6]!);
}
