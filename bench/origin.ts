/**
 * hls.origin.*: our HLS origin (the real appliance in its own process, signed loads installed
 * through the maintenance API; with the nginx it starts in front of the load files where nginx
 * is installed, as on the aircraft: media/nginx-origin.ts) against a plain nginx serving the
 * very same installed files, both
 * driven by `wrk` (a C load generator: a Node client was the bottleneck and reported ours
 * 1.5-2x nginx when wrk measured 0.25-0.8x), alternating which goes first, median of runs.
 * Beside every figure: the CPU wrk and the server used (cores, from /proc/<pid>/stat), since
 * all three share the machine's cores.
 *
 * The paths are the ones a seat plays: a seat opens a playback session (POST /api/playback
 * with its credentials), reads the master and media playlists with the token, and the segment
 * URIs those name (with whatever query they carry) go into wrk's Lua script, which cycles
 * over them from a different start per thread. nginx gets the same paths, checks nothing.
 *
 * Loads: the demo's segment size (about 100 KB, 400 segments), HD (1-3 MB per 4 s segment),
 * and a cold set of HD segments twice the origin's segment cache (IFEC_ORIGIN_CACHE_MB) so
 * that a cyclic walk over it misses the cache on every request, as a real monthly load would
 * for most titles. The page cache holds all of it for both servers alike.
 *
 * Time to first byte at 850: 850 connections each paced like a player (wrk's Lua `delay()`
 * returns a uniform 0-8 s, one segment per 4 s on average, random phase), for
 * BENCH_ORIGIN_PACED_S; wrk's latency is request written -> response complete, i.e. time to
 * the last byte of a ~100 KB segment, an upper bound of time to first byte.
 *
 * nginx runs as Debian configures it where it matters (worker_processes auto, sendfile on,
 * tcp_nopush on); access_log off because our origin writes none either.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import HLS from 'hls-parser';
import { basic, buildTestLoad, trustedSigner } from '../appliance/test/media-support.ts';
import { type BenchContext, type BenchGroup, median, ratio } from './harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONNECTIONS = [100, 400, 850];
const RUNS = Number(process.env.BENCH_ORIGIN_RUNS ?? 3);
const DURATION_S = Number(process.env.BENCH_ORIGIN_S ?? 4);
const PACED_S = Number(process.env.BENCH_ORIGIN_PACED_S ?? 12);
/** The origin's segment cache for the bench; the cold set is twice this. */
const CACHE_MB = Number(process.env.BENCH_ORIGIN_CACHE_MB ?? 96);
const WRK = '/usr/bin/wrk';
const NGINX = '/usr/sbin/nginx';
const TICKS_PER_S = 100;

interface SegmentSet {
  name: string;
  title: string;
  /** Bytes of each segment. */
  sizes: number[];
}

const DEMO: SegmentSet = {
  name: 'demo (~100 KB)',
  title: 'bench-demo',
  sizes: Array.from({ length: 400 }, (_, i) => 90_000 + ((i * 7919) % 20_000)),
};
const HD: SegmentSet = {
  name: 'HD (1-3 MB)',
  title: 'bench-hd',
  sizes: Array.from({ length: 30 }, (_, i) => 1_000_000 + ((i * 611_953) % 2_000_000)),
};
const COLD: SegmentSet = {
  name: `cold (HD, ${2 * CACHE_MB} MB = twice the cache)`,
  title: 'bench-cold',
  sizes: Array.from({ length: Math.ceil((2 * CACHE_MB * 1024 * 1024) / 2_000_000) }, () => 2_000_000),
};

interface WrkRun {
  reqPerS: number;
  mbPerS: number;
  p99Ms: number;
  errors: number;
  /** Cores used during the run. */
  wrkCpu: number;
  serverCpu: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function installLoad(port: number, dataDir: string, loadDir: string): Promise<void> {
  const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'first-run-credentials.json'), 'utf8')) as {
    crew: Array<{ crewId: string; pin: string; role: string }>;
  };
  const crew = creds.crew.find((c) => c.role === 'maintenance')!;
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }),
  });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${base}/api/crew/content-loads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ path: loadDir }),
  });
  if (res.status !== 201) throw new Error(`installing the bench load: ${res.status} ${await res.text()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function startAppliance(
  work: string,
  publicKeyFile: string,
  cacheMb: number,
): Promise<{ port: number; child: ChildProcess; dataDir: string }> {
  const port = await freePort();
  const dataDir = path.join(work, 'appliance');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'appliance/src/main.ts')], {
    cwd: path.join(ROOT, 'appliance'),
    env: {
      // Only our settings: an IFEC_* left in the shell would be an unknown or different config.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IFEC_'))),
      IFEC_HTTP_PORT: String(port),
      IFEC_MQTT_PORT: String(await freePort()),
      IFEC_RTMP_PORT: '0',
      IFEC_HOST: '127.0.0.1',
      IFEC_DATA_DIR: dataDir,
      IFEC_CONTENT_TRUSTED_KEYS: publicKeyFile,
      IFEC_LOG_LEVEL: 'warn',
      IFEC_DEMO: '0',
      IFEC_ORIGIN_CACHE_MB: String(cacheMb),
      // As on the aircraft: nginx in front where installed (BENCH_ORIGIN_NGINX=off measures the Node origin alone).
      IFEC_ORIGIN_NGINX: process.env.BENCH_ORIGIN_NGINX ?? 'auto',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the appliance exited (${code}) before answering`))),
  );
  await Promise.race([waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000), exited]);
  return { port, child, dataDir };
}

/** utime + stime of a process and, for nginx, its workers (children), in clock ticks. */
function cpuTicks(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* gone */
    }
  }
  return total;
}

/** A process and all its descendants (our appliance's nginx and its workers; nginx's workers). */
function withChildren(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) for (const [child, parent] of parents) if (parent === pids[i]) pids.push(child);
  return pids;
}

function luaScript(file: string, paths: string[], paced: boolean): void {
  fs.writeFileSync(
    file,
    `-- generated by bench/origin.ts
local paths = { ${paths.map((p) => JSON.stringify(p)).join(', ')} }
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("first", threads * 7919)
end
function init(args)
  i = first or 0
  math.randomseed((first or 1) * 104729)
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
${paced ? 'delay = function()\n  return math.random(0, 8000)\nend\n' : ''}function done(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests":%d,"bytes":%d,"us":%d,"p99":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.bytes, summary.duration, latency:percentile(99), summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
`,
  );
}

async function wrk(
  url: string,
  script: string,
  connections: number,
  seconds: number,
  serverPids: number[],
): Promise<WrkRun> {
  const child = spawn(WRK, ['-t2', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d;
  });
  const serverBefore = cpuTicks(serverPids);
  const t0 = performance.now();
  let wrkTicks = 0;
  // wrk's own ticks, read just before it exits (its /proc entry goes with it).
  const sampler = setInterval(() => {
    wrkTicks = Math.max(wrkTicks, cpuTicks([child.pid!]));
  }, 200);
  await new Promise((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  const wall = (performance.now() - t0) / 1000;
  const serverTicks = cpuTicks(serverPids) - serverBefore;
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk gave no summary: ${out.slice(-500)}`);
  const r = JSON.parse(line.slice(8)) as {
    requests: number;
    bytes: number;
    us: number;
    p99: number;
    status: number;
    connect: number;
    read: number;
    write: number;
    timeout: number;
  };
  const s = r.us / 1e6;
  return {
    reqPerS: r.requests / s,
    mbPerS: r.bytes / 1e6 / s,
    p99Ms: r.p99 / 1000,
    errors: r.status + r.connect + r.read + r.write + r.timeout,
    wrkCpu: wrkTicks / TICKS_PER_S / wall,
    serverCpu: serverTicks / TICKS_PER_S / wall,
  };
}

/** A package of one title whose segments are random bytes of the given sizes (the origin does not look inside). */
function makeSource(dir: string, set: SegmentSet): void {
  const video = path.join(dir, 'hls', 'video', 'v0');
  fs.mkdirSync(video, { recursive: true });
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:4',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MAP:URI="init.mp4"',
  ];
  fs.writeFileSync(path.join(video, 'init.mp4'), crypto.randomBytes(1024));
  set.sizes.forEach((size, i) => {
    const name = `seg_${String(i).padStart(5, '0')}.m4s`;
    fs.writeFileSync(path.join(video, name), crypto.randomBytes(size));
    lines.push('#EXTINF:4.000,', name);
  });
  fs.writeFileSync(path.join(video, 'index.m3u8'), `${[...lines, '#EXT-X-ENDLIST'].join('\n')}\n`);
  fs.writeFileSync(
    path.join(dir, 'hls', 'master.m3u8'),
    '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000000\nvideo/v0/index.m3u8\n',
  );
  fs.mkdirSync(path.join(dir, 'hls', 'subtitles', 'en'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'hls', 'subtitles', 'en', 'index.m3u8'), '#EXTM3U\n');
  fs.mkdirSync(path.join(dir, 'images'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'images', 'poster-60x90.jpeg'), crypto.randomBytes(512));
}

/**
 * The segment URLs a seat plays: session, master playlist, media playlist, as the player
 * resolves them (on nginx's port where the appliance runs one): one origin and the paths.
 */
async function seatSegmentPaths(
  port: number,
  dataDir: string,
  title: string,
): Promise<{ origin: string; paths: string[] }> {
  const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'first-run-credentials.json'), 'utf8')) as {
    seats: Record<string, string>;
  };
  const [seatId, secret] = Object.entries(creds.seats)[0]!;
  const base = `http://127.0.0.1:${port}`;
  const res = await fetch(`${base}/api/playback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(`seat:${seatId}`, secret) },
    body: JSON.stringify({ titleId: title, device: 'seat' }),
  });
  if (res.status !== 201) throw new Error(`opening a seat's playback session: ${res.status} ${await res.text()}`);
  const masterUrl = new URL(((await res.json()) as { url: string }).url, base);
  const master = HLS.parse(await (await fetch(masterUrl)).text()) as HLS.types.MasterPlaylist;
  const mediaUrl = new URL(master.variants[0]!.uri, masterUrl);
  const media = HLS.parse(await (await fetch(mediaUrl)).text()) as HLS.types.MediaPlaylist;
  const urls = media.segments.map((s) => new URL(s.uri, mediaUrl));
  if (new Set(urls.map((u) => u.origin)).size !== 1) throw new Error('the segments name more than one origin');
  return { origin: urls[0]!.origin, paths: urls.map((u) => u.pathname + u.search) };
}

async function startNginx(
  work: string,
  title: string,
  packageDir: string,
): Promise<{ port: number; child: ChildProcess } | string> {
  if (!fs.existsSync(NGINX)) return 'nginx is not installed (apt-get install nginx-light)';
  const port = await freePort();
  const dir = path.join(work, `nginx-${title}`);
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  // Started as root, nginx's workers would run as nobody and could not read the data dir (0700).
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const tmp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${dir}/tmp;`)
    .join('\n');
  fs.writeFileSync(
    conf,
    `daemon off;
${user}worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
${tmp}
  types { video/mp4 m4s mp4; application/vnd.apple.mpegurl m3u8; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location /hls/${title}/ { alias ${packageDir}/; }
  }
}
`,
  );
  const child = spawn(NGINX, ['-c', conf, '-p', dir, '-e', `${dir}/error.log`], { stdio: 'ignore' });
  try {
    await waitHttp(`http://127.0.0.1:${port}/hls/${title}/hls/video/v0/init.mp4`, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    return `nginx did not start: ${(error as Error).message}; ${fs.existsSync(`${dir}/error.log`) ? fs.readFileSync(`${dir}/error.log`, 'utf8').slice(-300) : ''}`;
  }
  return { port, child };
}

const fmt = (runs: WrkRun[], pick: (r: WrkRun) => number, digits = 0) =>
  runs.map((r) => pick(r).toFixed(digits)).join('/');
/** With the machine shared, MB per CPU-second of the server says more than MB/s: it does not depend on how much CPU the server got. */
const cpuNote = (runs: WrkRun[]) =>
  `server ${median(runs.map((r) => r.serverCpu)).toFixed(2)} cores (${median(runs.map((r) => r.mbPerS / Math.max(r.serverCpu, 0.01))).toFixed(0)} MB per CPU-s), wrk ${median(runs.map((r) => r.wrkCpu)).toFixed(2)}`;

interface Target {
  who: 'ours' | 'nginx';
  url: string;
  pids: () => number[];
}

/** Runs both targets RUNS times, alternating which goes first. */
async function alternate(
  targets: Target[],
  go: (t: Target) => Promise<WrkRun>,
): Promise<Record<'ours' | 'nginx', WrkRun[]>> {
  const out: Record<'ours' | 'nginx', WrkRun[]> = { ours: [], nginx: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const t of r % 2 === 0 ? targets : [...targets].reverse()) out[t.who].push(await go(t));
  }
  return out;
}

async function run(ctx: BenchContext): Promise<void> {
  if (!fs.existsSync(WRK)) {
    for (const n of CONNECTIONS)
      ctx.record({
        id: `hls.origin.throughput.${n}`,
        value: null,
        unit: 'MB/s',
        skipped: 'wrk is not installed (apt-get install wrk)',
      });
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-bench-origin-'));
  const children: ChildProcess[] = [];
  try {
    const signer = trustedSigner(work);
    const appliance = await startAppliance(work, signer.publicKeyFile, CACHE_MB);
    children.push(appliance.child);
    ctx.log(
      `wrk -t2, ${RUNS} runs of ${DURATION_S} s per server and connection count, alternated; origin cache ${CACHE_MB} MB; nginx worker_processes auto, sendfile on; ${os.cpus().length} cores shared by wrk and the server`,
    );
    // BENCH_ORIGIN_SETS=demo,hd,cold (the default: all) runs some of them.
    const only = (process.env.BENCH_ORIGIN_SETS ?? 'demo,hd,cold').split(',');
    for (const set of [DEMO, HD, COLD].filter((x) => only.includes(x.title.replace('bench-', '')))) {
      const src = path.join(work, `src-${set.title}`);
      makeSource(src, set);
      const loadId = `BENCH-${set.title.toUpperCase()}`;
      const { dir } = await buildTestLoad({
        out: path.join(work, `load-${set.title}`),
        source: { dir: src, key: crypto.randomBytes(16) },
        titles: [{ id: set.title }],
        privateKeyPem: signer.privateKeyPem,
        id: loadId,
      });
      await installLoad(appliance.port, appliance.dataDir, dir);
      fs.rmSync(src, { recursive: true, force: true });
      const packageDir = path.join(appliance.dataDir, 'content', loadId, 'packages', set.title);
      const nginx = await startNginx(work, set.title, packageDir);
      if (typeof nginx !== 'string') children.push(nginx.child);
      const seat = await seatSegmentPaths(appliance.port, appliance.dataDir, set.title);
      const paths = seat.paths;
      const script = path.join(work, `${set.title}.lua`);
      const paced = path.join(work, `${set.title}-paced.lua`);
      luaScript(script, paths, false);
      luaScript(paced, paths, true);
      const targets: Target[] = [
        // Where the seat's playlist sends it; CPU of the appliance with its nginx, if any.
        { who: 'ours', url: seat.origin, pids: () => withChildren(appliance.child.pid!) },
      ];
      if (typeof nginx !== 'string')
        targets.push({
          who: 'nginx',
          url: `http://127.0.0.1:${nginx.port}`,
          pids: () => withChildren(nginx.child.pid!),
        });
      const totalMb = set.sizes.reduce((a, b) => a + b, 0) / 1e6;
      ctx.log(
        `${set.name}: ${paths.length} segments, ${totalMb.toFixed(0)} MB; seat's first segment ${seat.origin}${paths[0]} (${seat.origin.endsWith(`:${appliance.port}`) ? 'the Node origin' : "the appliance's nginx"}); load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
      );
      // Warm the page cache and both servers (our segment cache too, for the hot sets).
      for (const t of targets) await wrk(t.url, script, 20, 2, t.pids());
      const skipped = typeof nginx === 'string' ? { skipped: `peer: ${nginx}` } : {};
      const record = (id: string, runs: Record<'ours' | 'nginx', WrkRun[]>, goal: string, extra: string) => {
        const value = median(runs.ours.map((x) => x.mbPerS));
        const peerValue = runs.nginx.length ? median(runs.nginx.map((x) => x.mbPerS)) : null;
        ctx.log(
          `  ${id}: ours ${fmt(runs.ours, (x) => x.mbPerS)} MB/s ${fmt(runs.ours, (x) => x.reqPerS)} req/s p99 ${fmt(runs.ours, (x) => x.p99Ms)} ms, ${runs.ours.reduce((n, x) => n + x.errors, 0)} errors, ${cpuNote(runs.ours)}; nginx ${fmt(runs.nginx, (x) => x.mbPerS) || '-'} MB/s ${fmt(runs.nginx, (x) => x.reqPerS)} req/s p99 ${fmt(runs.nginx, (x) => x.p99Ms)} ms, ${runs.nginx.reduce((n, x) => n + x.errors, 0)} errors${runs.nginx.length ? `, ${cpuNote(runs.nginx)}` : ''}`,
        );
        ctx.record({
          id,
          value,
          unit: 'MB/s',
          peer: 'nginx',
          peer_value: peerValue,
          ratio: ratio(value, peerValue),
          goal,
          note: `${set.name}, wrk; load average ${os.loadavg()[0]!.toFixed(2)}; segments/s ours ${median(runs.ours.map((x) => x.reqPerS)).toFixed(0)}${runs.nginx.length ? ` nginx ${median(runs.nginx.map((x) => x.reqPerS)).toFixed(0)}` : ''}; CPU ours: ${cpuNote(runs.ours)}${runs.nginx.length ? `; nginx: ${cpuNote(runs.nginx)}` : ''}${extra}`,
          ...skipped,
        });
      };
      if (set === COLD) {
        record(
          'hls.origin.throughput_cold',
          await alternate(targets, (t) => wrk(t.url, script, 400, DURATION_S, t.pids())),
          '>= 0.9',
          '; 400 connections',
        );
        continue;
      }
      const suffix = set === HD ? '.hd' : '';
      for (const n of CONNECTIONS) {
        record(
          `hls.origin.throughput.${n}${suffix}`,
          await alternate(targets, (t) => wrk(t.url, script, n, DURATION_S, t.pids())),
          '>= 1.0',
          `; ${n} connections`,
        );
      }
      if (set === DEMO) {
        const runs = await alternate(targets, (t) => wrk(t.url, paced, 850, PACED_S, t.pids()));
        const value = median(runs.ours.map((x) => x.p99Ms));
        const peerValue = runs.nginx.length ? median(runs.nginx.map((x) => x.p99Ms)) : null;
        ctx.log(
          `  hls.origin.ttfb_p99_ms.850 (paced): ours ${fmt(runs.ours, (x) => x.p99Ms, 1)} ms (${fmt(runs.ours, (x) => x.reqPerS)} req/s, ${cpuNote(runs.ours)}); nginx ${fmt(runs.nginx, (x) => x.p99Ms, 1) || '-'} ms${runs.nginx.length ? ` (${fmt(runs.nginx, (x) => x.reqPerS)} req/s, ${cpuNote(runs.nginx)})` : ''}`,
        );
        ctx.record({
          id: 'hls.origin.ttfb_p99_ms.850',
          value,
          unit: 'ms',
          peer: 'nginx',
          peer_value: peerValue,
          ratio: ratio(value, peerValue),
          goal: '< 20 ms',
          note: `850 wrk connections paced by the Lua script's delay() (uniform 0-8 s: one ~100 KB segment per 4 s per player) for ${PACED_S} s; wrk latency = request written to response complete (bounds TTFB); ratio = ours / nginx, lower is better; CPU ours: ${cpuNote(runs.ours)}${runs.nginx.length ? `; nginx: ${cpuNote(runs.nginx)}` : ''}`,
          ...skipped,
        });
      }
      if (typeof nginx !== 'string') {
        await stop(nginx.child);
        children.splice(children.indexOf(nginx.child), 1);
      }
    }
  } finally {
    for (const child of children) await stop(child);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export const originGroup: BenchGroup = { name: 'origin', run };
