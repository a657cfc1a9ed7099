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

export class Store implements Sql {
  private writeQueue: Promise<unknown> = Promise.resolve();

  /** True when the store is new (missing, emptied by a power cut, or would not open and was set aside): the whole journal must be replayed. */
  rebuilt = false;

  private constructor(
    private readonly db: PGlite,
    readonly dir: string,
  ) {}

  /** Opens (or creates) the store. The caller must hold the data dir lock. */
  static async open(dir: string, log: Logger): Promise<Store> {
    fs.mkdirSync(dir, { recursive: true });
    // We hold the data dir lock, so any postmaster.pid is a leftover of a dead process;
    // PGlite refuses to open on an empty one (what a power cut leaves).
    fs.rmSync(path.join(dir, 'postmaster.pid'), { force: true });
    let db: PGlite;
    // A store without its PG_VERSION is a new one, whatever a clean-stop marker says of the old one.
    let rebuilt = !fs.existsSync(path.join(dir, 'PG_VERSION'));
    try {
      db = await PGlite.create(dir);
    } catch (error) {
      const aside = `${dir}.broken-${Date.now()}`;
      log.error({ err: error, aside }, 'store would not open; moving it aside and rebuilding from the journal');
      fs.renameSync(dir, aside);
      fs.mkdirSync(dir, { recursive: true });
      db = await PGlite.create(dir);
      rebuilt = true;
    }
    const store = new Store(db, dir);
    store.rebuilt = rebuilt;
    await store.migrate(log);
    restrictModes(dir);
    return store;
  }

  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
    return this.db.query<T>(sql, params);
  }

  exec(sql: string): Promise<unknown> {
    return this.db.exec(sql);
  }

  /** Runs writes one at a time, in arrival order, in one short transaction each. */
  write<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(() => this.db.transaction(fn));
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

/**
 * PGlite (Emscripten's NODEFS) creates its files 0666 whatever the umask. The data dir's 0700
 * already keeps other users out; this makes the files themselves private too (at open and close;
 * files it adds in between are covered by the directory).
 */
function restrictModes(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    fs.chmodSync(file, entry.isDirectory() ? 0o700 : 0o600);
  }
  fs.chmodSync(dir, 0o700);
}
