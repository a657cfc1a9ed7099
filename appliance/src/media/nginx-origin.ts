/**
 * nginx in front of the load files: the appliance runs it as a child process on its own port
 * (IFEC_ORIGIN_NGINX_PORT, on the appliance's configured interface) and media playlists of
 * unrestricted titles name their segments, init sections and subtitles there. Why: per CPU
 * Node's HTTP writes about half what nginx's sendfile does; with two cores shared by the
 * load, the Node origin alone served 0.45-0.9x nginx on the same files (bench/origin.ts).
 *
 * Why a second port and not nginx on the public one: the API, the bus's WebSocket and Node's
 * per-address connection limits stay as they are, and nothing is proxied on the hot path.
 *
 * What it serves: exactly the files of the active load's index (a map URI -> file, regenerated
 * on every activation), never a path made from the request, and only titles whose files are
 * token-free (rewritePlaylist): no check to make, so none of nginx's (secure_link's md5 or
 * auth_request's subrequest per segment). A seatback-only title's files are not in the map:
 * nginx passes any request it cannot answer from the map to Node, which answers it as it
 * always has (401 without a token, 403 with another title's). Policy blocks hold as for the
 * Node fast path: segments are encrypted and the key server refuses the key (451).
 *
 * Lifetime: stopped with the appliance; killed at process exit; a pid file lets the next start
 * kill one a crash (kill -9) left behind. Absent or failing nginx: the Node origin serves all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { HTTP_LIMITS } from '../bus/limits.ts';
import { cacheControl, type LoadFileIndex, originPathParts } from './origin.ts';

export interface NginxOriginOptions {
  /** 'auto', 'off' or the binary's path (config originNginx). */
  binary: string;
  dataDir: string;
  host: string;
  port: number;
  /** Node's HTTP port, for what nginx does not serve itself. */
  nodePort: number;
  log: Logger;
}

/** The nginx binary to run, or undefined: 'off', or 'auto' and none on PATH. */
export function findNginx(setting: string, envPath = process.env.PATH ?? ''): string | undefined {
  if (setting === 'off') return undefined;
  if (setting !== 'auto') return setting;
  for (const dir of envPath.split(':').filter(Boolean)) {
    const candidate = path.join(dir, 'nginx');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Characters that would end or change an nginx config value: such a file stays with Node. */
const UNSAFE_IN_CONFIG = /["\\$;{}\n\r]/;
/** In a quoted map value only these would: a type's "; charset=utf-8" is safe there (subtitles have one). */
const UNSAFE_IN_QUOTED = /["\\$\n\r]/;

/** `map $uri ...` lines for every token-free, non-playlist file of the load. */
function mapLines(index: LoadFileIndex | undefined): { files: string; types: string } {
  const files: string[] = [];
  const types: string[] = [];
  for (const title of index?.active.titles ?? []) {
    if (title.rights === 'seatback-only') continue;
    for (const f of title.files) {
      const file = index!.lookup(title.id, f.path);
      const uri = `/hls/${title.id}/${f.path}`;
      if (!file || file.kind === 'playlist' || !originPathParts(uri.slice(5))) continue;
      if (UNSAFE_IN_CONFIG.test(file.abs) || UNSAFE_IN_QUOTED.test(file.mime)) continue;
      files.push(`"${uri}" "${file.abs}";`);
      types.push(`"${uri}" "${file.mime}";`);
    }
  }
  return { files: `${files.join('\n')}\n`, types: `${types.join('\n')}\n` };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const loopbackFor = (host: string) => (host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host);
const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Kills the nginx a crashed appliance left running (its pid file, if it is still our nginx). */
function killStale(pidFile: string, confFile: string): void {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  try {
    // The pid may be reused: only an nginx running our config.
    if (pid > 0 && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(confFile)) process.kill(-pid, 'SIGKILL'); // with its workers
  } catch {
    /* gone already */
  }
  fs.rmSync(pidFile, { force: true });
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/.ifec-origin-ready', timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 204);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone already */
  }
}

/** Runs nginx and waits until it answers; the child, or why it did not start. */
async function launch(binary: string, dir: string, host: string, port: number): Promise<ChildProcess | string> {
  const errorLog = path.join(dir, 'error.log');
  // Its own process group, so that killing it takes its workers too (a killed master leaves them serving).
  const child = spawn(binary, ['-c', path.join(dir, 'nginx.conf'), '-p', dir, '-e', errorLog], {
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(`exited (${code ?? signal})`));
  });
  const deadline = Date.now() + 5000;
  for (;;) {
    const outcome = await Promise.race([
      exited,
      answers(loopbackFor(host), port).then((up) => (up ? 'up' : undefined)),
    ]);
    if (outcome === 'up') return child;
    if (outcome !== undefined || Date.now() > deadline) {
      killGroup(child);
      const tail = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8').slice(-400) : '';
      return `${outcome ?? 'no answer within 5 s'}; ${tail}`;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class NginxOrigin {
  private readonly onExit = () => this.child && killGroup(this.child);
  private child?: ChildProcess;
  private stopping = false;
  private relaunch?: NodeJS.Timeout;

  private constructor(
    readonly port: number,
    child: ChildProcess,
    private readonly binary: string,
    private readonly dir: string,
    private readonly host: string,
    private readonly log: Logger,
  ) {
    process.once('exit', this.onExit);
    this.watch(child);
  }

  /** nginx serving the index's files, or undefined (no nginx, or it did not start: the Node origin serves all). */
  static async start(options: NginxOriginOptions, index: LoadFileIndex | undefined): Promise<NginxOrigin | undefined> {
    const binary = findNginx(options.binary);
    if (!binary) return undefined;
    const { log } = options;
    const dir = path.join(options.dataDir, 'origin-nginx');
    fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true, mode: 0o700 });
    const conf = path.join(dir, 'nginx.conf');
    killStale(path.join(dir, 'nginx.pid'), conf);
    if (UNSAFE_IN_CONFIG.test(dir)) {
      log.warn({ dir }, 'origin: the data dir cannot be named in an nginx config; the Node origin serves all');
      return undefined;
    }
    const port = options.port || (await freePort(options.host));
    fs.writeFileSync(conf, config(dir, options.host, port, options.nodePort));
    NginxOrigin.writeMaps(dir, index);
    const child = await launch(binary, dir, options.host, port);
    if (typeof child === 'string') {
      log.warn({ binary, failure: child }, 'origin: nginx did not start; the Node origin serves all');
      return undefined;
    }
    log.info({ binary, port }, 'origin: nginx serves the load files');
    return new NginxOrigin(port, child, binary, dir, options.host, log);
  }

  /** Whether playlists may name nginx's port now: while it runs (Node serves all while it is restarted). */
  get serving(): boolean {
    return this.child !== undefined && !this.stopping;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** nginx dying under a flight: Node serves new playlists, and nginx comes back on the same port (URLs already handed out). */
  private watch(child: ChildProcess): void {
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      killGroup(child); // its workers, if the master alone was killed
      if (this.stopping) return;
      this.log.error({ code, signal }, 'origin: nginx exited; the Node origin serves until it is back');
      const again = (delayMs: number) => {
        this.relaunch = setTimeout(async () => {
          const next = await launch(this.binary, this.dir, this.host, this.port);
          if (this.stopping) {
            if (typeof next !== 'string') killGroup(next);
            return;
          }
          if (typeof next === 'string') return again(10_000);
          this.log.info({ port: this.port }, 'origin: nginx is back');
          this.watch(next);
        }, delayMs);
        this.relaunch.unref();
      };
      again(1000);
    });
  }

  private static writeMaps(dir: string, index: LoadFileIndex | undefined): void {
    const { files, types } = mapLines(index);
    // Whole files or nothing: nginx may re-read them at any reload.
    for (const [name, text] of [
      ['files.map', files],
      ['types.map', types],
    ] as const) {
      fs.writeFileSync(path.join(dir, `${name}.new`), text);
      fs.renameSync(path.join(dir, `${name}.new`), path.join(dir, name));
    }
  }

  /** A new load: nginx re-reads the map (SIGHUP); until its new workers run, what it lacks goes to Node. */
  update(index: LoadFileIndex | undefined): void {
    NginxOrigin.writeMaps(this.dir, index);
    this.child?.kill('SIGHUP');
  }

  /** Fast shutdown (SIGTERM), SIGKILL past 3 s; resolves once nginx has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.relaunch);
    process.off('exit', this.onExit);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(child), 3000);
    await exited;
    clearTimeout(timer);
    this.log.info('origin: nginx stopped');
  }
}

function config(dir: string, host: string, port: number, nodePort: number): string {
  // As root, nginx's workers would become nobody and could not read the data dir (0700).
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const tmp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${dir}/tmp;`)
    .join('\n');
  const immutable = cacheControl({ kind: 'segment', live: false });
  return `# Generated by the appliance at each start (media/nginx-origin.ts); edits are lost.
daemon off;
${user}worker_processes auto;
worker_rlimit_nofile 20000;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections ${Math.ceil(HTTP_LIMITS.total / 2)}; }
http {
  access_log off;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  # A load's files never change in place (a new load is a new map and new workers): keep them open.
  open_file_cache max=8192 inactive=120s;
  open_file_cache_valid 600s;
  # Node's limits (bus/limits.ts): slow headers, connections per seat address (loopback exempt), in all.
  client_header_timeout ${HTTP_LIMITS.pendingTimeoutMs / 1000}s;
  client_body_timeout 10s;
  client_max_body_size 1k;
  # Idle keep-alive: long enough for a player between two segments (one per 4-8 s).
  keepalive_timeout 10s;
  keepalive_requests 100000;
  send_timeout 60s;
  geo $ifec_seat_address { default $binary_remote_addr; 127.0.0.0/8 ""; ::1 ""; }
  limit_conn_zone $ifec_seat_address zone=ifec_seat:1m;
  limit_conn_status 503;
${tmp}
  map_hash_max_size 1048576;
  map_hash_bucket_size 256;
  map $uri $ifec_file { default ""; include ${dir}/files.map; }
  map $uri $ifec_type { default "application/octet-stream"; include ${dir}/types.map; }
  types { }
  default_type "";
  upstream ifec_node { server ${hostPort(loopbackFor(host), nodePort)}; keepalive 16; }
  server {
    listen ${hostPort(host, port)} backlog=4096;
    limit_conn ifec_seat ${HTTP_LIMITS.perAddress};
    location = /.ifec-origin-ready { return 204; }
    location ~ ^/hls/ {
      error_page 418 = @node;
      if ($ifec_file = "") { return 418; }
      alias $ifec_file;
      add_header Content-Type $ifec_type always;
      add_header Cache-Control "${immutable}" always;
      add_header X-Content-Type-Options nosniff always;
      # The seat app comes from Node's port: these are cross-origin fetches for its player.
      add_header Access-Control-Allow-Origin * always;
    }
    location / { return 404; }
    location @node {
      # What nginx hands to Node is still fetched cross-origin by the player (its page is on Node's port).
      add_header Access-Control-Allow-Origin * always;
      proxy_pass http://ifec_node;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
    }
  }
}
`;
}
