/**
 * Content loads on the aircraft: verify, install and activate a signed load; remember which
 * one is active across restarts. A load lives under `<dataDir>/content/<loadId>/` holding only
 * the files load.json names (copied as regular files, never symlinks), and is verified again
 * in its final place so nothing changed between the check and the use.
 *
 * A refused load (tampered, untrusted, expired, a licence window not open, an older version)
 * never replaces the active one: the cabin keeps watching what it watched.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Transaction } from '@electric-sql/pglite';
import {
  type ContentLoad,
  contentLoad,
  IfecError,
  LOAD_FILE,
  PACKAGE_MANIFEST_FILE,
  type TitleManifest,
  titleManifest,
} from '@ifec/protocol';
import { type ContentLoadProblem, inspectContentLoad, type KeyInput } from '@ifec/protocol/node';
import type { Logger } from 'pino';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Sql, Store } from '../store/store.ts';

export interface ActiveContentLoad {
  loadId: string;
  /** Absolute path of the installed load (inside the data dir). */
  dir: string;
  load: ContentLoad;
  titles: TitleManifest[];
  activatedAt: string;
}

export type InstallProblem =
  | ContentLoadProblem
  | { code: 'LOAD_ROLLBACK' | 'LOAD_NOT_A_FILE'; message: string; path?: string; titleId?: string };

export class ContentLoadRefused extends IfecError<'CONTENT_LOAD_REFUSED'> {
  constructor(
    readonly source: string,
    readonly problems: InstallProblem[],
  ) {
    super('CONTENT_LOAD_REFUSED', `content load ${source} refused: ${problems.map((p) => p.message).join('; ')}`);
  }

  /** The HTTP answer lists every problem (http-kit's ErrorDetails). */
  get details() {
    return { problems: this.problems };
  }
}

const ACTIVE_KEY = 'active-content-load';
/** The crew were told a load is active: journalled before the answer, so a store lost to a power cut keeps it. */
export const CONTENT_LOAD_ACTIVATED = 'media.content-load-activated';

/** Applier: the active load (replay in journal order: the last wins). */
export async function applyContentLoadActivated(tx: Transaction, record: JournalRecord): Promise<void> {
  await tx.query(
    `INSERT INTO media_state (key, value, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [ACTIVE_KEY, JSON.stringify(record.data)],
  );
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface ContentLoadsOptions {
  dataDir: string;
  store: Store;
  /** Without it (tools, unit tests) the activation goes to the store alone. */
  records?: Pick<DurableRecords, 'write'>;
  /** Ed25519 public keys (PEM) a load may be signed by. */
  trustedKeys: () => KeyInput[];
  log: Logger;
  now?: () => Date;
}

export class ContentLoads {
  private current: ActiveContentLoad | undefined;
  private readonly listeners = new Set<(load: ActiveContentLoad) => void>();
  /** One install at a time: two loads racing to become active would be a coin toss. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly root: string;
  private readonly now: () => Date;

  constructor(private readonly options: ContentLoadsOptions) {
    this.root = path.join(options.dataDir, 'content');
    this.now = options.now ?? (() => new Date());
    fs.mkdirSync(this.root, { recursive: true });
  }

  get active(): ActiveContentLoad | undefined {
    return this.current;
  }

  /** Called after every activation (install or restore at start). Returns an unsubscribe. */
  onActivated(listener: (load: ActiveContentLoad) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Verifies the load in `dir`, copies it into the data dir, verifies the copy, activates it. */
  install(dir: string): Promise<ActiveContentLoad> {
    const run = this.queue.then(() => this.installNow(path.resolve(dir)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** At start: re-verify and re-activate the load that was active before. */
  async restore(): Promise<ActiveContentLoad | undefined> {
    const { rows } = await this.options.store.query<{ value: { loadId: string } }>(
      'SELECT value FROM media_state WHERE key = $1',
      [ACTIVE_KEY],
    );
    const loadId = rows[0]?.value.loadId;
    if (!loadId) return undefined;
    const dir = path.join(this.root, loadId);
    const inspected = await inspectContentLoad(dir, this.options.trustedKeys(), this.now());
    if (!inspected.load || inspected.problems.length > 0) {
      // Licences end and files rot: a load that was fine yesterday may not be today.
      this.options.log.error(
        { loadId, problems: inspected.problems },
        'the previously active content load no longer verifies; no content is served',
      );
      return undefined;
    }
    return this.activate(loadId, dir, inspected.load, inspected.manifests);
  }

  private async installNow(source: string): Promise<ActiveContentLoad> {
    const header = readLoadHeader(source);
    if (!header) {
      const inspected = await inspectContentLoad(source, this.options.trustedKeys(), this.now());
      throw new ContentLoadRefused(
        source,
        inspected.problems.length
          ? inspected.problems
          : [{ code: 'LOAD_INVALID', message: `${LOAD_FILE} is not a content load` }],
      );
    }
    const active = this.current?.load;
    if (
      active &&
      active.airline === header.airline &&
      active.fleet === header.fleet &&
      header.version < active.version
    ) {
      throw new ContentLoadRefused(source, [
        {
          code: 'LOAD_ROLLBACK',
          message: `load ${header.id} is version ${header.version}, older than the active ${active.id} (version ${active.version})`,
          path: LOAD_FILE,
        },
      ]);
    }
    const final = path.join(this.root, header.id);
    const alreadyInPlace = source === final;
    const staging = alreadyInPlace ? final : path.join(this.root, `.staging-${crypto.randomBytes(6).toString('hex')}`);
    try {
      if (!alreadyInPlace) await copyLoad(source, staging, header);
      const inspected = await inspectContentLoad(staging, this.options.trustedKeys(), this.now());
      if (!inspected.load || inspected.problems.length > 0) throw new ContentLoadRefused(source, inspected.problems);
      if (!alreadyInPlace) {
        // Swap directories by rename so a reader sees either the old tree or the new one.
        const aside = fs.existsSync(final) ? `${final}.old-${crypto.randomBytes(4).toString('hex')}` : undefined;
        if (aside) fs.renameSync(final, aside);
        fs.renameSync(staging, final);
        if (aside) await fsp.rm(aside, { recursive: true, force: true });
        fsyncDir(this.root); // the new name is on disk before the journal says it is active
      }
      const active = { loadId: header.id, version: header.version };
      if (this.options.records) await this.options.records.write(CONTENT_LOAD_ACTIVATED, crypto.randomUUID(), active);
      else
        await this.options.store.write(async (tx) => {
          await tx.query(
            `INSERT INTO media_state (key, value, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
            [ACTIVE_KEY, JSON.stringify({ loadId: header.id, version: header.version })],
          );
        });
      const previous = this.current;
      const activated = this.activate(header.id, final, inspected.load, inspected.manifests);
      if (previous && previous.loadId !== header.id) await fsp.rm(previous.dir, { recursive: true, force: true });
      return activated;
    } catch (error) {
      if (!alreadyInPlace) await fsp.rm(staging, { recursive: true, force: true });
      if (error instanceof ContentLoadRefused)
        this.options.log.warn({ source, problems: error.problems }, 'content load refused; the active load stays');
      throw error;
    }
  }

  private activate(loadId: string, dir: string, load: ContentLoad, titles: TitleManifest[]): ActiveContentLoad {
    const activated: ActiveContentLoad = { loadId, dir, load, titles, activatedAt: this.now().toISOString() };
    this.current = activated;
    this.options.log.info({ loadId, cycle: load.cycle, titles: titles.length }, 'content load active');
    for (const listener of this.listeners) {
      try {
        listener(activated);
      } catch (error) {
        this.options.log.error({ err: error, loadId }, 'a content load listener failed');
      }
    }
    return activated;
  }
}

/** The load.json of a directory, if it parses; the signature is checked later on the copy. */
function readLoadHeader(dir: string): ContentLoad | undefined {
  try {
    const parsed = contentLoad.safeParse(JSON.parse(fs.readFileSync(path.join(dir, LOAD_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Copies exactly the files the load names, each as a regular file. A symlink or a missing
 * file is not copied, so the verification of the copy reports it. Asynchronous: a monthly
 * load is hundreds of gigabytes and the cabin keeps being served while it copies.
 */
async function copyLoad(source: string, target: string, load: ContentLoad): Promise<void> {
  await fsp.mkdir(target, { recursive: true });
  const copy = async (rel: string): Promise<boolean> => {
    const from = path.join(source, rel);
    let stat: fs.Stats;
    try {
      stat = await fsp.lstat(from);
    } catch {
      return false;
    }
    if (!stat.isFile()) return false;
    const to = path.join(target, rel);
    await fsp.mkdir(path.dirname(to), { recursive: true });
    await fsp.copyFile(from, to, fs.constants.COPYFILE_FICLONE);
    return true;
  };
  await copy(LOAD_FILE);
  if (load.recommendations) await copy(load.recommendations.path);
  for (const key of load.keys) await copy(key.path);
  for (const entry of load.packages) {
    const manifestRel = `${entry.path}/${PACKAGE_MANIFEST_FILE}`;
    if (!(await copy(manifestRel))) continue;
    let manifest: TitleManifest;
    try {
      const parsed = titleManifest.safeParse(JSON.parse(fs.readFileSync(path.join(target, manifestRel), 'utf8')));
      if (!parsed.success) continue;
      manifest = parsed.data;
    } catch {
      continue;
    }
    for (const file of manifest.files) await copy(`${entry.path}/${file.path}`);
  }
}

/** For tests and tools: the active load id recorded in the store. */
export async function recordedActiveLoad(db: Sql): Promise<string | undefined> {
  const { rows } = await db.query<{ value: { loadId: string } }>('SELECT value FROM media_state WHERE key = $1', [
    ACTIVE_KEY,
  ]);
  return rows[0]?.value.loadId;
}

export class TrustedKeyError extends IfecError<'CONTENT_TRUST_INVALID'> {
  constructor(message: string) {
    super('CONTENT_TRUST_INVALID', message);
  }
}

/** Reads the PEM public keys named in config (comma-separated paths); a bad one stops start-up. */
export function readTrustedKeyFiles(list: string): string[] {
  return list
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((file) => {
      let pem: string;
      try {
        pem = fs.readFileSync(file, 'utf8');
        crypto.createPublicKey(pem);
      } catch (error) {
        throw new TrustedKeyError(
          `IFEC_CONTENT_TRUSTED_KEYS: ${file} is not a readable PEM public key (${(error as Error).message})`,
        );
      }
      return pem;
    });
}
