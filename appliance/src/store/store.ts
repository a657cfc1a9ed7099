/**
 * The appliance's PGlite store: one connection, versioned migrations, writes serialised.
 * PGlite is the fast, queryable copy; the journal is what survives a power cut.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Logger } from 'pino';
import { migrations } from './migrations.ts';

/** What domain code needs from the store, inside or outside a transaction. */
export interface Sql {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

/** A copy of the store made at a checkpoint (store/checkpoint.ts): it holds the journal through `through`. */
export interface StoreSnapshot {
  dir: string;
  through: number;
}

export interface StoreOpenOptions {
  /** Where a rebuild starts from instead of an empty store. */
  snapshot?: StoreSnapshot;
  /** How many `<dir>.broken-*` directories (stores that would not open) are kept for a post-mortem. */
  keepBroken?: number;
}

export class Store implements Sql {
  private writeQueue: Promise<unknown> = Promise.resolve();
  /** Set while exclusive() runs: reads wait too, so PGlite touches no file meanwhile. */
  private gate: Promise<unknown> | null = null;

  /**
   * True when the store is new (missing, emptied by a power cut, or would not open and was set
   * aside): the journal must be replayed after `restoredThrough`.
   */
  rebuilt = false;
  /** A rebuilt store restored from a checkpoint's snapshot holds the journal through this seq (0: empty). */
  restoredThrough = 0;

  private constructor(
    private readonly db: PGlite,
    readonly dir: string,
  ) {}

  /** Opens (or creates) the store. The caller must hold the data dir lock. */
  static async open(dir: string, log: Logger, options: StoreOpenOptions = {}): Promise<Store> {
    fs.mkdirSync(dir, { recursive: true });
    // We hold the data dir lock, so any postmaster.pid is a leftover of a dead process;
    // PGlite refuses to open on an empty one (what a power cut leaves).
    fs.rmSync(path.join(dir, 'postmaster.pid'), { force: true });
    let db: PGlite | undefined;
    let restoredThrough = 0;
    // A store without its PG_VERSION is a new one, whatever a clean-stop marker says of the old one.
    let rebuilt = !fs.existsSync(path.join(dir, 'PG_VERSION'));
    if (!rebuilt) {
      try {
        db = await PGlite.create(dir);
      } catch (error) {
        const aside = `${dir}.broken-${Date.now()}`;
        log.error({ err: error, aside }, 'store would not open; moving it aside and rebuilding');
        fs.renameSync(dir, aside);
        fs.mkdirSync(dir, { recursive: true });
        rebuilt = true;
      }
    }
    if (!db && options.snapshot && fs.existsSync(path.join(options.snapshot.dir, 'PG_VERSION'))) {
      // The last checkpoint's copy, then the journal after it: what the journal no longer holds comes from here.
      fs.rmSync(dir, { recursive: true, force: true });
      await fs.promises.cp(options.snapshot.dir, dir, { recursive: true });
      fs.rmSync(path.join(dir, 'postmaster.pid'), { force: true });
      try {
        db = await PGlite.create(dir);
        restoredThrough = options.snapshot.through;
        log.warn(
          { snapshot: options.snapshot.dir, through: restoredThrough },
          'store restored from its last checkpoint',
        );
      } catch (error) {
        log.error({ err: error, snapshot: options.snapshot.dir }, 'the checkpoint copy would not open either');
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
      }
    }
    db ??= await PGlite.create(dir);
    pruneBroken(dir, options.keepBroken ?? 2, log);
    const store = new Store(db, dir);
    store.rebuilt = rebuilt;
    store.restoredThrough = restoredThrough;
    await store.migrate(log);
    restrictModes(dir);
    return store;
  }

  async query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
    while (this.gate) await this.gate;
    return this.db.query<T>(sql, params);
  }

  async exec(sql: string): Promise<unknown> {
    while (this.gate) await this.gate;
    return this.db.exec(sql);
  }

  /** Runs writes one at a time, in arrival order, in one short transaction each. */
  write<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(() => this.db.transaction(fn));
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs `fn` in the write queue with no transaction open and reads held back, after a
   * PostgreSQL CHECKPOINT (which also waits for any query already running): PGlite writes no
   * file while `fn` runs, and its files hold every commit (a checkpoint copies them).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(async () => {
      let release = () => {};
      this.gate = new Promise<void>((resolve) => (release = resolve));
      try {
        await this.db.exec('CHECKPOINT');
        return await fn();
      } finally {
        this.gate = null;
        release();
      }
    });
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.writeQueue;
    await this.db.close();
    restrictModes(this.dir);
  }

  private async migrate(log: Logger): Promise<void> {
    await this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await this.db.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await this.db.transaction(async (tx) => {
        await tx.exec(migration.sql);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
      });
      log.info({ version: migration.version, name: migration.name }, 'migration applied');
    }
  }
}

/** Keeps the newest `keep` directories of stores that would not open; older ones go (they pile up otherwise). */
export function pruneBroken(dir: string, keep: number, log: Logger): string[] {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}.broken-`;
  const broken = fs
    .readdirSync(parent)
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
  const removed = broken.slice(Math.max(0, keep));
  for (const name of removed) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  if (removed.length)
    log.info({ removed, kept: broken.length - removed.length }, 'old broken store directories removed');
  return removed;
}

/**
 * PGlite (Emscripten's NODEFS) creates its files 0666 whatever the umask. The data dir's 0700
 * already keeps other users out; this makes the files themselves private too (at open and close;
 * files it adds in between are covered by the directory).
 */
export function restrictModes(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    fs.chmodSync(file, entry.isDirectory() ? 0o700 : 0o600);
  }
  fs.chmodSync(dir, 0o700);
}
