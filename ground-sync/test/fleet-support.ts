/**
 * A fleet ground for tests: real `ifec-ground serve` child processes on one PostgreSQL,
 * simulated aircraft that speak the real protocol with the appliance's own GroundClient, and
 * a way to hold a publication's transaction open on a real connection.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type OutboxRecord,
  type OutboxStream,
  type Publication,
  type StreamCheckpoint,
  streamOfKind,
  type UplinkAck,
} from '@ifec/protocol';
import { openBundle, verifyBlock } from '@ifec/protocol/node';
import { GroundClient, GroundRequestError } from '../../appliance/src/sync/ground-client.ts';
import type { OutboxSource } from '../../appliance/src/sync/outbox.ts';
import { uploadStreams } from '../../appliance/src/sync/uploader.ts';
import type { Database, Queryable } from '../src/store/database.ts';

export const GROUND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface GroundProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `ifec-ground serve`; resolves once it printed `until` (default: ready). */
export function spawnGround(
  env: Record<string, string>,
  until: 'ready' | 'listening' = 'ready',
  timeoutMs = 60_000,
): Promise<GroundProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(GROUND_DIR, 'src/cli.ts'), 'serve'], {
    cwd: GROUND_DIR,
    env: { PATH: process.env.PATH ?? '', GROUND_PORT: '0', GROUND_HOST: '127.0.0.1', GROUND_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pattern =
    until === 'ready' ? /ground sync on (http:\/\/[0-9.:]+)/ : /ground sync listening on (http:\/\/[0-9.:]+)/;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ground did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      const m = pattern.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({
        url: m[1]!,
        child,
        output: () => out,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ground exited (${code}) before it was ${until}:\n${out}`));
    });
  });
}

export function writeSigningKey(file: string): string {
  const pem = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  fs.writeFileSync(file, pem, { mode: 0o600 });
  return pem;
}

/**
 * A publication held open: `publish` runs on `db` as usual, but its transaction stops at the
 * chosen point until `release()` — before it takes its number, or numbered and about to commit.
 */
export function holdingDatabase(db: Database, at: 'before-numbering' | 'before-commit', numberingSql: string) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  const reachedP = new Promise<void>((r) => {
    reached = r;
  });
  let held = false;
  const holding: Database = {
    kind: db.kind,
    query: db.query,
    close: db.close,
    transaction: (fn) =>
      db.transaction(async (tx) => {
        const q: Queryable = {
          async query(sql, params) {
            if (at === 'before-numbering' && !held && sql === numberingSql) {
              held = true;
              reached();
              await released;
            }
            return tx.query(sql, params);
          },
        } as Queryable;
        const result = await fn(q);
        if (at === 'before-commit' && !held) {
          held = true;
          reached();
          await released;
        }
        return result;
      }),
  };
  return { db: holding, reached: reachedP, release };
}

/** An aircraft polling the downlink like the appliance's sync service does, over whichever ground it is handed. */
export class PollingAircraft {
  applied = 0;
  readonly received: number[] = [];
  readonly privateKey: crypto.KeyObject;
  readonly publicKeyPem: string;
  /** Copies of a publication already held (the downlink API must send none; bundles may repeat). */
  duplicates = 0;
  lastBundle = 0;

  constructor(
    readonly aircraftId: string,
    private readonly groundKeyPem: string,
  ) {
    const pair = crypto.generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    this.publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  client(url: string): GroundClient {
    return new GroundClient({
      baseUrl: url,
      link: 'gate',
      aircraftId: this.aircraftId,
      privateKey: this.privateKey,
      downlinkApplied: () => this.applied,
    });
  }

  /** One downlink pass: pages until the head, the checkpoint moving to the highest seq held. */
  async poll(url: string): Promise<void> {
    const client = this.client(url);
    for (;;) {
      const page = await client.downlink(this.applied);
      if (page.publications.length === 0) break;
      this.accept(page.publications);
      if (this.applied >= page.head) break;
    }
  }

  accept(publications: Publication[]): void {
    for (const p of publications) {
      if (!verifyBlock(p, this.groundKeyPem)) throw new Error(`publication ${p.seq} is not signed by the ground key`);
      if (p.aircraftId && p.aircraftId !== this.aircraftId)
        throw new Error(`publication ${p.seq} is for ${p.aircraftId}`);
      // What the appliance stores keyed by seq: a second copy changes nothing.
      if (this.received.includes(p.seq)) this.duplicates++;
      else this.received.push(p.seq);
      this.applied = Math.max(this.applied, p.seq);
    }
  }

  /** Applies a downlink bundle file as the appliance would, then tells the ground how far it got. */
  async applyBundle(file: string, reportTo: string): Promise<number> {
    const opened = await openBundle(file, {
      direction: 'downlink',
      aircraftId: this.aircraftId,
      trustedKey: this.groundKeyPem,
      lastSequence: this.lastBundle,
    });
    this.lastBundle = opened.header.sequence;
    this.accept(opened.header.publications);
    await this.client(reportTo).checkpoint();
    return opened.header.publications.length;
  }
}

/** Runs `body` for each worker index, `n` at once. */
export async function concurrently(n: number, body: (worker: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => body(i)));
}

/** An aircraft's outbox in memory, in the shape the real uploader reads (critical and bulk interleaved in one seq space). */
export class MemoryOutbox implements OutboxSource {
  readonly records: OutboxRecord[] = [];

  constructor(
    readonly aircraftId: string,
    count: number,
    startSeq = 1,
  ) {
    const t0 = Date.UTC(2026, 10, 25, 6);
    for (let i = 0; i < count; i++) {
      const seq = startSeq + i;
      const critical = i % 10 === 3;
      this.records.push(
        critical
          ? {
              seq,
              kind: 'audit',
              id: `${aircraftId}-audit-${seq}`,
              at: new Date(t0 + i * 1000).toISOString(),
              data: { action: 'crew.login', crewId: `C${i % 40}` },
            }
          : {
              seq,
              kind: 'seat.health.summary',
              id: `${aircraftId}-sh-${seq}`,
              at: new Date(t0 + i * 1000).toISOString(),
              data: {
                seatId: `${(i % 30) + 1}${'ABCDEF'[i % 6]}`,
                windowS: 600,
                onlineS: 600 - (i % 7),
                reboots: i % 97 === 0 ? 1 : 0,
                faults: 0,
                appVersion: '1.4.2',
                lastError: null,
              },
            },
      );
    }
  }

  get head(): number {
    return this.records.at(-1)?.seq ?? 0;
  }

  lastOf(stream: OutboxStream): number {
    return this.of(stream).at(-1)?.seq ?? 0;
  }

  of(stream: OutboxStream): OutboxRecord[] {
    return this.records.filter((r) => streamOfKind(r.kind) === stream);
  }

  async readBatch(
    stream: OutboxStream,
    after: number,
    limit: number,
  ): Promise<{ records: OutboxRecord[]; through: number }> {
    const records = this.of(stream)
      .filter((r) => r.seq > after)
      .slice(0, limit);
    return { records, through: records.length === limit ? records.at(-1)!.seq : Math.max(after, this.head) };
  }

  async count(stream: OutboxStream, after: number): Promise<number> {
    return this.of(stream).filter((r) => r.seq > after).length;
  }
}

/**
 * A link to several ground processes at once, as a load balancer gives an aircraft: each
 * batch goes to one of them, and now and then to two at the same moment (a retry racing the
 * original); a reply may be lost after the ground stored the batch.
 */
export class FleetLink {
  doubleSends = 0;
  cutReplies = 0;

  constructor(
    private readonly clients: GroundClient[],
    private readonly options: { doubleSend: number; cutReply: number; random?: () => number },
  ) {}

  private get random(): () => number {
    return this.options.random ?? Math.random;
  }

  async sendBatch(bytes: Buffer): Promise<UplinkAck> {
    const first = this.clients[Math.floor(this.random() * this.clients.length)]!;
    let ack: UplinkAck;
    if (this.clients.length > 1 && this.random() < this.options.doubleSend) {
      this.doubleSends++;
      const other = this.clients.find((c) => c !== first)!;
      const [a, b] = await Promise.allSettled([first.sendBatch(bytes), other.sendBatch(bytes)]);
      if (a.status === 'rejected' && b.status === 'rejected') throw a.reason;
      ack = a.status === 'fulfilled' ? a.value : (b as PromiseFulfilledResult<UplinkAck>).value;
    } else {
      ack = await first.sendBatch(bytes);
    }
    if (this.random() < this.options.cutReply) {
      this.cutReplies++;
      throw new GroundRequestError('LINK_FAILED', 'reply cut after the ground stored the batch');
    }
    return ack;
  }

  checkpoint(): Promise<StreamCheckpoint> {
    return this.clients[Math.floor(this.random() * this.clients.length)]!.checkpoint();
  }
}

/** Uploads a whole outbox the way the appliance's sync pass does: checkpoint, both streams, again after a failure. */
export async function uploadOutbox(
  outbox: MemoryOutbox,
  link: FleetLink,
  options: { batchRecords: number; window: number; onBatch?: (ms: number) => void },
): Promise<{ attempts: number }> {
  let attempts = 0;
  for (;;) {
    attempts++;
    if (attempts > 500) throw new Error(`${outbox.aircraftId}: no end to the upload`);
    try {
      const acked = await link.checkpoint();
      // A stream is done when its last record is acknowledged (the uploader sends no empty batch to reach the head).
      if (acked.critical >= outbox.lastOf('critical') && acked.bulk >= outbox.lastOf('bulk')) return { attempts };
      await uploadStreams(timed(link, options.onBatch), outbox, ['critical', 'bulk'], acked, {
        aircraftId: outbox.aircraftId,
        batchRecords: options.batchRecords,
        window: options.window,
      });
    } catch (error) {
      if (!(error instanceof GroundRequestError)) throw error;
    }
  }
}

function timed(link: FleetLink, onBatch?: (ms: number) => void): Pick<GroundClient, 'sendBatch'> {
  if (!onBatch) return link;
  return {
    async sendBatch(bytes: Buffer) {
      const t0 = performance.now();
      const ack = await link.sendBatch(bytes);
      onBatch(performance.now() - t0);
      return ack;
    },
  };
}
