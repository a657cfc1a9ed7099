/**
 * hls.origin.throughput.{100,400,850} and hls.origin.ttfb_p99_ms.850: our HLS origin (the real
 * appliance, its own process, a signed load installed through the maintenance API) against
 * nginx serving the very same installed files, with the same keep-alive HTTP clients looping
 * over the segments, measured in the same run, alternating which goes first; median of runs.
 *
 * Throughput: closed-loop clients, each fetching the next 1 MiB segment as soon as the last
 * one arrived. Time to first byte: 850 players paced like real ones (one segment per 4 s),
 * because closed-loop clients saturate the machine and then measure queueing, for either server
 * (their p99 is logged too).
 *
 * nginx runs as Debian configures it where it matters (worker_processes auto, sendfile on,
 * tcp_nopush on); access_log off because our origin writes none either. The load generator
 * shares the 2 cores with the server under test, for both alike.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, percentile, ratio, type BenchContext, type BenchGroup } from './harness.ts';
import { buildTestLoad, trustedSigner } from '../appliance/test/media-support.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLIENTS = [100, 400, 850];
const RUNS = Number(process.env.BENCH_ORIGIN_RUNS ?? 3);
const DURATION_MS = Number(process.env.BENCH_ORIGIN_MS ?? 4000);
const SEGMENTS = 24;
/** About a 4-second segment at 2 Mbit/s. */
const SEGMENT_BYTES = 1024 * 1024;
const SEGMENT_S = 4;
const PACED_MS = Number(process.env.BENCH_ORIGIN_PACED_MS ?? 12_000);
const TITLE = 'bench-title';
const NGINX = '/usr/sbin/nginx';

interface Run {
  mbPerS: number;
  ttfbP99Ms: number;
  requests: number;
  errors: number;
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
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `clients` keep-alive connections, each fetching segments back to back for `durationMs`. */
async function drive(port: number, paths: string[], clients: number, durationMs: number): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
  const ttfbs: number[] = [];
  let bytes = 0;
  let errors = 0;
  const get = (p: string) => new Promise<void>((resolve) => {
    const t0 = performance.now();
    const req = http.get({ agent, host: '127.0.0.1', port, path: p }, (res) => {
      ttfbs.push(performance.now() - t0);
      const ok = res.statusCode === 200;
      if (!ok) errors++;
      res.on('data', (chunk: Buffer) => { if (ok) bytes += chunk.length; });
      res.on('end', resolve);
      res.on('error', () => { errors++; resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
  });
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    let k = i;
    while (performance.now() < end) await get(paths[k++ % paths.length]!);
  }));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { mbPerS: bytes / 1e6 / seconds, ttfbP99Ms: percentile(ttfbs, 99), requests: ttfbs.length, errors };
}

/**
 * 850 players as a real player behaves: one segment per segment duration (4 s), each client
 * starting at a random phase, for `durationMs`. Returns every time to first byte.
 */
async function pacedTtfbs(port: number, paths: string[], clients: number, durationMs: number): Promise<{ ttfbs: number[]; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
  const ttfbs: number[] = [];
  let errors = 0;
  const get = (p: string) => new Promise<void>((resolve) => {
    const t0 = performance.now();
    const req = http.get({ agent, host: '127.0.0.1', port, path: p }, (res) => {
      ttfbs.push(performance.now() - t0);
      if (res.statusCode !== 200) errors++;
      res.resume();
      res.on('end', resolve);
      res.on('error', () => { errors++; resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
  });
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    let next = start + Math.random() * SEGMENT_S * 1000;
    let k = i;
    while (next < start + durationMs) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await get(paths[k++ % paths.length]!);
      next += SEGMENT_S * 1000;
    }
  }));
  agent.destroy();
  return { ttfbs, errors };
}

/** A signed load of one title whose segments are random bytes (the origin does not look inside). */
async function makeLoad(work: string, privateKeyPem: string): Promise<string> {
  const src = path.join(work, 'source');
  const video = path.join(src, 'hls', 'video', 'v0');
  fs.mkdirSync(video, { recursive: true });
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MAP:URI="init.mp4"'];
  fs.writeFileSync(path.join(video, 'init.mp4'), crypto.randomBytes(1024));
  for (let i = 0; i < SEGMENTS; i++) {
    const name = `seg_${String(i).padStart(5, '0')}.m4s`;
    fs.writeFileSync(path.join(video, name), crypto.randomBytes(SEGMENT_BYTES));
    lines.push('#EXTINF:4.000,', name);
  }
  fs.writeFileSync(path.join(video, 'index.m3u8'), `${[...lines, '#EXT-X-ENDLIST'].join('\n')}\n`);
  fs.writeFileSync(path.join(src, 'hls', 'master.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000000\nvideo/v0/index.m3u8\n');
  fs.mkdirSync(path.join(src, 'hls', 'subtitles', 'en'), { recursive: true });
  fs.writeFileSync(path.join(src, 'hls', 'subtitles', 'en', 'index.m3u8'), '#EXTM3U\n');
  fs.mkdirSync(path.join(src, 'images'), { recursive: true });
  fs.writeFileSync(path.join(src, 'images', 'poster-60x90.jpeg'), crypto.randomBytes(512));
  const { dir } = await buildTestLoad({ out: path.join(work, 'load'), source: { dir: src, key: crypto.randomBytes(16) }, titles: [{ id: TITLE }], privateKeyPem, id: 'BENCH-1' });
  return dir;
}

async function startAppliance(work: string, publicKeyFile: string): Promise<{ port: number; child: ChildProcess; dataDir: string }> {
  const port = await freePort();
  const dataDir = path.join(work, 'appliance');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'appliance/src/main.ts')], {
    cwd: path.join(ROOT, 'appliance'),
    env: {
      // Only our settings: an IFEC_* left in the shell would be an unknown or different config.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IFEC_'))), IFEC_HTTP_PORT: String(port), IFEC_MQTT_PORT: String(await freePort()), IFEC_RTMP_PORT: '0', IFEC_HOST: '127.0.0.1',
      IFEC_DATA_DIR: dataDir, IFEC_CONTENT_TRUSTED_KEYS: publicKeyFile, IFEC_LOG_LEVEL: 'warn', IFEC_DEMO: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the appliance exited (${code}) before answering`))));
  await Promise.race([waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000), exited]);
  return { port, child, dataDir };
}

async function installLoad(port: number, dataDir: string, loadDir: string): Promise<void> {
  const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'first-run-credentials.json'), 'utf8')) as { crew: Array<{ crewId: string; pin: string; role: string }> };
  const crew = creds.crew.find((c) => c.role === 'maintenance')!;
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/crew/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }) });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${base}/api/crew/content-loads`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ path: loadDir }) });
  if (res.status !== 201) throw new Error(`installing the bench load: ${res.status} ${await res.text()}`);
}

/** nginx on the appliance's installed copy of the package; undefined with the reason when it cannot run. */
async function startNginx(work: string, packageDir: string, log: (m: string) => void): Promise<{ port: number; child: ChildProcess } | string> {
  if (!fs.existsSync(NGINX)) {
    log('nginx missing: apt-get install -y nginx-light');
    try {
      execFileSync('apt-get', ['install', '-y', 'nginx-light'], { stdio: 'ignore', timeout: 180_000 });
    } catch (error) {
      return `nginx is not installed and apt-get install nginx-light failed (${(error as Error).message.split('\n')[0]})`;
    }
  }
  const port = await freePort();
  const dir = path.join(work, 'nginx');
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  // Started as root, nginx's workers would run as nobody and could not read the data dir (0700).
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  fs.writeFileSync(conf, `daemon off;
${user}worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  client_body_temp_path ${dir}/tmp;
  types { video/mp4 m4s mp4; application/vnd.apple.mpegurl m3u8; }
  server {
    listen 127.0.0.1:${port};
    location /hls/${TITLE}/ { alias ${packageDir}/; }
  }
}
`);
  const child = spawn(NGINX, ['-c', conf, '-p', dir, '-e', `${dir}/error.log`], { stdio: 'ignore' });
  try {
    await waitHttp(`http://127.0.0.1:${port}/hls/${TITLE}/hls/video/v0/init.mp4`, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    return `nginx did not start: ${(error as Error).message}; ${fs.existsSync(`${dir}/error.log`) ? fs.readFileSync(`${dir}/error.log`, 'utf8').slice(-300) : ''}`;
  }
  return { port, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function run(ctx: BenchContext): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-bench-origin-'));
  const children: ChildProcess[] = [];
  try {
    const signer = trustedSigner(work);
    const loadDir = await makeLoad(work, signer.privateKeyPem);
    const appliance = await startAppliance(work, signer.publicKeyFile);
    children.push(appliance.child);
    await installLoad(appliance.port, appliance.dataDir, loadDir);
    const packageDir = path.join(appliance.dataDir, 'content', 'BENCH-1', 'packages', TITLE);
    const nginx = await startNginx(work, packageDir, ctx.log);
    if (typeof nginx !== 'string') children.push(nginx.child);
    const paths = Array.from({ length: SEGMENTS }, (_, i) => `/hls/${TITLE}/hls/video/v0/seg_${String(i).padStart(5, '0')}.m4s`);
    ctx.log(`${SEGMENTS} segments of ${SEGMENT_BYTES / 1024} KiB; ${RUNS} runs of ${DURATION_MS / 1000} s per server and client count, alternated; nginx ${typeof nginx === 'string' ? 'skipped' : 'worker_processes auto, sendfile on'}`);
    // Warm the page cache and both servers once.
    await drive(appliance.port, paths, 20, 1000);
    if (typeof nginx !== 'string') await drive(nginx.port, paths, 20, 1000);

    for (const clients of CLIENTS) {
      const ours: Run[] = [];
      const theirs: Run[] = [];
      for (let r = 0; r < RUNS; r++) {
        const order = r % 2 === 0 ? ['ours', 'nginx'] : ['nginx', 'ours'];
        for (const who of order) {
          if (who === 'ours') ours.push(await drive(appliance.port, paths, clients, DURATION_MS));
          else if (typeof nginx !== 'string') theirs.push(await drive(nginx.port, paths, clients, DURATION_MS));
        }
      }
      const errors = ours.reduce((n, x) => n + x.errors, 0);
      const peerErrors = theirs.reduce((n, x) => n + x.errors, 0);
      ctx.log(`${clients} clients: ours ${ours.map((x) => x.mbPerS.toFixed(0)).join('/')} MB/s (${ours.reduce((n, x) => n + x.requests, 0)} req, ${errors} errors); nginx ${theirs.map((x) => x.mbPerS.toFixed(0)).join('/') || '-'} MB/s (${peerErrors} errors)`);
      const value = median(ours.map((x) => x.mbPerS));
      const peerValue = theirs.length ? median(theirs.map((x) => x.mbPerS)) : null;
      ctx.record({
        id: `hls.origin.throughput.${clients}`, value, unit: 'MB/s', peer: 'nginx', peer_value: peerValue, ratio: ratio(value, peerValue), goal: '>= 0.9',
        ...(typeof nginx === 'string' ? { skipped: `peer: ${nginx}` } : {}),
      });
      if (clients === 850) {
        // Closed-loop clients saturate the machine, so their time to first byte is queueing
        // behind 850 MB of other downloads for either server; logged, not the figure. The
        // figure is 850 players paced like real ones (a 1 MiB segment every 4 s, random phase).
        ctx.log(`850 clients closed-loop ttfb p99: ours ${ours.map((x) => x.ttfbP99Ms.toFixed(0)).join('/')} ms; nginx ${theirs.map((x) => x.ttfbP99Ms.toFixed(0)).join('/') || '-'} ms`);
        const pacedOurs: number[] = [];
        const pacedTheirs: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          const order = r % 2 === 0 ? ['ours', 'nginx'] : ['nginx', 'ours'];
          for (const who of order) {
            if (who === 'ours') pacedOurs.push(percentile((await pacedTtfbs(appliance.port, paths, clients, PACED_MS)).ttfbs, 99));
            else if (typeof nginx !== 'string') pacedTheirs.push(percentile((await pacedTtfbs(nginx.port, paths, clients, PACED_MS)).ttfbs, 99));
          }
        }
        ctx.log(`850 paced players ttfb p99: ours ${pacedOurs.map((x) => x.toFixed(1)).join('/')} ms; nginx ${pacedTheirs.map((x) => x.toFixed(1)).join('/') || '-'} ms`);
        const ttfb = median(pacedOurs);
        const peerTtfb = pacedTheirs.length ? median(pacedTheirs) : null;
        ctx.record({
          id: 'hls.origin.ttfb_p99_ms.850', value: ttfb, unit: 'ms', peer: 'nginx', peer_value: peerTtfb, ratio: ratio(ttfb, peerTtfb), goal: '< 20 ms',
          note: `850 players each fetching a 1 MiB segment every ${SEGMENT_S} s (random phase) for ${PACED_MS / 1000} s; ratio = ours / nginx (lower is better); closed-loop p99 ours ${median(ours.map((x) => x.ttfbP99Ms)).toFixed(0)} ms vs nginx ${theirs.length ? median(theirs.map((x) => x.ttfbP99Ms)).toFixed(0) : '-'} ms`,
          ...(typeof nginx === 'string' ? { skipped: `peer: ${nginx}` } : {}),
        });
      }
    }
  } finally {
    for (const child of children) await stop(child);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export const originGroup: BenchGroup = { name: 'origin', run };
