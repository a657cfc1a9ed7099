/**
 * Checkpoints bound the restart: the journal would otherwise grow for ever and every start after
 * a crash would replay all of it (49,106 records took 16–18 s). A checkpoint
 *   1. starts a new journal segment,
 *   2. with the store idle (Store.exclusive: write queue held, reads waiting, after PostgreSQL's
 *      CHECKPOINT), notes the seq the store holds through and copies the store's files,
 *   3. fsyncs the copy, names it `pglite.checkpoint-<seq>` (rename, fsync of the data dir),
 *   4. writes `store-checkpoint.json` (atomically, through the durable file layer),
 *   5. only then removes older copies and the journal segments at or before that seq.
 * A crash or power cut at any step leaves either the old marker with its copy and every
 * segment after it, or the new ones. A start replays only the journal after the marker's seq;
 * a store that is lost (power cut) or will not open is restored from the copy first, so what
 * lives only in PGlite (content load, seat controls, sync position…) comes back as of the copy.
 */

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { fsyncTree } from './clean-stop.ts';
import type { DurableRecords } from './durable-records.ts';
import type { FileOps } from './files.ts';
import type { Journal } from './journal.ts';
import { restrictModes, type Store, type StoreSnapshot } from './store.ts';

export const CHECKPOINT_MARKER = 'store-checkpoint.json';
const SNAPSHOT_PREFIX = 'pglite.checkpoint-';

export interface CheckpointMarker {
  /** The store copy holds every journal record up to this seq. */
  through: number;
  /** The copy's directory name inside the data dir. */
  snapshot: string;
  at: string;
}

/** The last checkpoint that completed, or undefined (none yet, or an unreadable marker). */
export function readCheckpoint(dataDir: string): CheckpointMarker | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(path.join(dataDir, CHECKPOINT_MARKER), 'utf8')) as CheckpointMarker;
    if (!Number.isSafeInteger(value.through) || typeof value.snapshot !== 'string') return undefined;
    if (!value.snapshot.startsWith(SNAPSHOT_PREFIX) || value.snapshot.includes('/')) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

/** The marker's copy as Store.open wants it. */
export function snapshotOf(dataDir: string, marker: CheckpointMarker | undefined): StoreSnapshot | undefined {
  return marker ? { dir: path.join(dataDir, marker.snapshot), through: marker.through } : undefined;
}

/** Removes copies the marker does not name (an older checkpoint's, or one a crash left half made). */
export function removeStaleSnapshots(dataDir: string, keep: string | undefined): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(dataDir)) {
    if (!name.startsWith(SNAPSHOT_PREFIX) || name === keep) continue;
    fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export interface CheckpointResult {
  through: number;
  droppedSegments: number;
  /** Files copied again with the store held (changed during the first pass). */
  filesRecopied?: number;
  /** How long the store was held (writes and reads waited). */
  heldMs: number;
  ms: number;
}

export interface StoreCheckpointsOptions {
  dataDir: string;
  store: Store;
  journal: Journal;
  records: DurableRecords;
  files: FileOps;
  log: Logger;
  /** A checkpoint once this many records were journalled since the last one. */
  everyRecords: number;
  /** …or once the oldest record not checkpointed is this old (0: never by age). */
  maxAgeS: number;
  /** Seq of the last completed checkpoint (readCheckpoint), 0 if none. */
  lastThrough: number;
}

export class StoreCheckpoints {
  private running: Promise<CheckpointResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastThrough: number;
  private lastAt = Date.now();
  /** A large store takes a while to copy: the next checkpoint waits 3x as long as the last took. */
  private notBefore = 0;
  private stopped = false;

  constructor(private readonly o: StoreCheckpointsOptions) {
    this.lastThrough = o.lastThrough;
  }

  /** Seq the last completed checkpoint holds through. */
  get through(): number {
    return this.lastThrough;
  }

  /** Checks once a second whether a checkpoint is due (records or age). */
  start(): void {
    removeStaleSnapshots(this.o.dataDir, readCheckpoint(this.o.dataDir)?.snapshot);
    this.timer = setInterval(() => {
      if (this.running || this.stopped || Date.now() < this.notBefore) return;
      const behind = this.o.journal.lastSeq - this.lastThrough;
      if (behind <= 0) return;
      const old = this.o.maxAgeS > 0 && Date.now() - this.lastAt >= this.o.maxAgeS * 1000;
      if (behind >= this.o.everyRecords || old)
        this.checkpoint().catch((error) => this.o.log.error({ err: error }, 'store checkpoint failed'));
    }, 1000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a checkpoint in progress (before the journal and store close). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One checkpoint now (or the one already running). */
  checkpoint(): Promise<CheckpointResult> {
    const started = Date.now();
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      this.notBefore = Date.now() + 3 * (Date.now() - started);
    });
    return this.running;
  }

  private async run(): Promise<CheckpointResult> {
    const { dataDir, store, journal, records, files, log } = this.o;
    const started = performance.now();
    log.info({ journalLastSeq: journal.lastSeq, lastThrough: this.lastThrough }, 'store checkpoint begins');
    await journal.rotate();
    const tmp = path.join(dataDir, `${SNAPSHOT_PREFIX}tmp`);
    fs.rmSync(tmp, { recursive: true, force: true });
    // A first pass copies the store while it runs (inconsistent, but most bytes); the second,
    // with the store held, copies again only the files that changed since: a short hold.
    const firstPass = await copyAll(store.dir, tmp);
    let heldMs = 0;
    let recopied = 0;
    const through = await store.exclusive(async () => {
      const held = performance.now();
      // Every record up to here is in the store; later ones stay in the journal.
      const settled = records.settledThrough;
      recopied = await copyChanged(store.dir, tmp, firstPass);
      heldMs = performance.now() - held;
      return settled;
    });
    if (through <= this.lastThrough) {
      fs.rmSync(tmp, { recursive: true, force: true });
      return { through, droppedSegments: 0, heldMs, ms: performance.now() - started };
    }
    restrictModes(tmp);
    await syncTree(tmp);
    const name = `${SNAPSHOT_PREFIX}${through}`;
    fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
    fs.renameSync(tmp, path.join(dataDir, name));
    fsyncDir(dataDir); // the new name is durable before the marker names it
    const marker: CheckpointMarker = { through, snapshot: name, at: new Date().toISOString() };
    files.writeAtomic(path.join(dataDir, CHECKPOINT_MARKER), JSON.stringify(marker), 0o600);
    this.lastThrough = through;
    this.lastAt = Date.now();
    removeStaleSnapshots(dataDir, name);
    const droppedSegments = journal.dropThrough(through);
    const result = { through, droppedSegments, heldMs, filesRecopied: recopied, ms: performance.now() - started };
    log.info(result, 'store checkpoint');
    return result;
  }
}

/** What a file looked like (size, mtime); a file written in the last seconds gets a stamp that never matches. */
function stampsOf(dir: string): Map<string, string> {
  const stamps = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const src = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, src);
    if (rel === 'postmaster.pid') continue;
    const stat = fs.statSync(src, { bigint: true });
    // mtime moves in clock ticks (a few ms): a file written in the last seconds may change again
    // without its stamp changing, so it is never taken as copied.
    const settled = Date.now() - Number(stat.mtimeMs) > 2000;
    stamps.set(rel, settled ? `${stat.size}:${stat.mtimeNs}` : `unsettled:${Math.random()}`);
  }
  return stamps;
}

/**
 * The first pass: every file, the store still running (so not consistent), in a child `cp -a`
 * (it uses neither the main thread nor libuv's pool; file by file here took most of a minute
 * on a busy machine). Stamps are taken before the copy: whatever changes after differs in the
 * second pass, and a file cp could not copy (it vanished meanwhile) is caught there too.
 */
async function copyAll(from: string, to: string): Promise<Map<string, string>> {
  const stamps = stampsOf(from);
  await new Promise<void>((resolve) => {
    const child = spawn('cp', ['-a', '--reflink=auto', `${from}/.`, to], { stdio: 'ignore' });
    child.once('error', () => resolve());
    child.once('exit', () => resolve());
  });
  fs.rmSync(path.join(to, 'postmaster.pid'), { force: true });
  return stamps;
}

/**
 * The second pass, with the store held: the files whose stamp differs from the first pass's are
 * copied again, files gone from the store removed. Three at a time (libuv's pool keeps a thread
 * for the journal's fdatasync). Returns how many were copied.
 */
async function copyChanged(from: string, to: string, before: Map<string, string>): Promise<number> {
  const now = stampsOf(from);
  const sizeOf = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : -1);
  const changed = [...now.keys()].filter(
    (rel) => before.get(rel) !== now.get(rel) || sizeOf(path.join(to, rel)) !== sizeOf(path.join(from, rel)),
  );
  for (const rel of before.keys()) if (!now.has(rel)) fs.rmSync(path.join(to, rel), { force: true });
  let next = 0;
  const worker = async () => {
    while (next < changed.length) {
      const rel = changed[next++]!;
      fs.mkdirSync(path.dirname(path.join(to, rel)), { recursive: true });
      await fs.promises.copyFile(path.join(from, rel), path.join(to, rel));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return changed.length;
}

/**
 * Makes a copy durable without holding the main thread or libuv's pool (the journal's fdatasync
 * needs it): one syncfs(2) in a child (`sync -f`, coreutils) instead of a thousand fsyncs (a
 * thousand fsyncs took most of a minute on a busy disk). Without `sync`, each file in turn.
 */
async function syncTree(dir: string): Promise<void> {
  const synced = await new Promise<boolean>((resolve) => {
    const child = spawn('sync', ['-f', dir], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
  if (!synced) fsyncTree(dir);
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
