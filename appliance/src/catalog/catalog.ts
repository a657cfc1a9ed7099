/**
 * The catalogue domain: projects the active content load into replicated title documents
 * (stored in PGlite, held in memory, streamed to seats) and answers seats' pulls from memory.
 *
 * A new load changes only what changed: titles whose content is the same keep their place;
 * changed and new titles get a new `updatedAt`; titles that left get a `_deleted` tombstone
 * so every replica drops them.
 */

import {
  type CatalogTitle,
  type CatalogTitleDoc,
  IfecError,
  type ReplicationCheckpoint,
  STREAM_EVENTS,
  type TitleManifest,
} from '@ifec/protocol';
import type { Logger } from 'pino';
import type { ActiveContentLoad } from '../media/content-loads.ts';
import type { Store } from '../store/store.ts';
import type { LiveStream } from './live-stream.ts';
import { CatalogPages, type PageBody } from './pages.ts';
import type { ReplicationClock } from './sequence.ts';
import { buildSnapshot, type CatalogSnapshotFile } from './snapshot.ts';
import { canonicalJson, projectTitle } from './titles.ts';

/** Larger change sets go out as a `resync` hint: seats pull the pages (cached) at their own pace. */
const MAX_STREAMED_DOCUMENTS = 200;

export interface CatalogChange {
  loadId: string;
  added: number;
  changed: number;
  removed: number;
  checkpoint: ReplicationCheckpoint | null;
}

export class CatalogDuplicateTitle extends IfecError<'CATALOG_DUPLICATE_TITLE'> {
  constructor(message: string) {
    super('CATALOG_DUPLICATE_TITLE', message);
  }
}

export class Catalog {
  readonly pages = new CatalogPages();
  private snapshotFile: CatalogSnapshotFile | undefined;
  private snapshotBuild: Promise<void> = Promise.resolve();
  private loadId: string | null = null;
  /** One catalogue change at a time, from diff to memory, so each diff sees the last one's result. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Canonical content of held documents, computed once each (a new load compares 5,000). */
  private readonly heldContent = new WeakMap<CatalogTitleDoc, string>();

  constructor(
    private readonly deps: { store: Store; clock: ReplicationClock; stream: LiveStream; log: Logger; now?: () => Date },
  ) {}

  /** At start: the catalogue as the store holds it. */
  async load(): Promise<void> {
    const { rows } = await this.deps.store.query<{ doc: CatalogTitleDoc }>(
      'SELECT doc FROM catalog_titles ORDER BY updated_at, id',
    );
    const docs = rows.map((r) => r.doc);
    for (const d of docs) this.deps.clock.observe(d.updatedAt);
    this.pages.apply(docs);
    this.loadId = docs.filter((d) => !d._deleted).at(-1)?.loadId ?? null;
    await this.rebuildSnapshot();
  }

  get currentLoadId(): string | null {
    return this.loadId;
  }

  get checkpoint(): ReplicationCheckpoint | null {
    return this.pages.checkpoint;
  }

  /** The snapshot to serve now (built for the latest change, or the one before while it builds). */
  async snapshot(): Promise<CatalogSnapshotFile> {
    if (!this.snapshotFile) await this.snapshotBuild;
    return this.snapshotFile!;
  }

  pull(since: ReplicationCheckpoint | null, limit: number): PageBody {
    return this.pages.page(since, limit);
  }

  /** Wired to ContentLoads.onActivated: every newly active load becomes the catalogue. */
  projectLoad(active: Pick<ActiveContentLoad, 'loadId' | 'titles'>): Promise<CatalogChange> {
    return this.replaceCatalog(active.loadId, active.titles);
  }

  /** Makes `titles` the whole catalogue. */
  replaceCatalog(loadId: string, titles: TitleManifest[]): Promise<CatalogChange> {
    const run = this.queue.then(() => this.replaceNow(loadId, titles));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async replaceNow(loadId: string, titles: TitleManifest[]): Promise<CatalogChange> {
    const incoming = new Map<string, CatalogTitle>();
    for (const m of titles) {
      if (incoming.has(m.id)) throw new CatalogDuplicateTitle(`title ${m.id} appears twice in load ${loadId}`);
      incoming.set(m.id, projectTitle(loadId, m));
    }
    const writes: CatalogTitleDoc[] = [];
    const counts = { added: 0, changed: 0, removed: 0 };
    const committed = await this.deps.store.write(async (tx) => {
      for (const [id, content] of incoming) {
        const held = this.pages.get(id);
        if (held && !held._deleted && this.sameTitle(held, content)) continue;
        if (!held || held._deleted) counts.added++;
        else counts.changed++;
        writes.push({ ...content, updatedAt: this.deps.clock.next(), _deleted: false });
      }
      for (const held of this.pages.live()) {
        if (incoming.has(held.id)) continue;
        counts.removed++;
        writes.push({ ...held, updatedAt: this.deps.clock.next(), _deleted: true });
      }
      if (writes.length === 0) return false;
      await tx.query(
        `INSERT INTO catalog_titles (id, updated_at, deleted, doc)
         SELECT d->>'id', (d->>'updatedAt')::bigint, (d->>'_deleted')::boolean, d FROM jsonb_array_elements($1::jsonb) AS d
         ON CONFLICT (id) DO UPDATE SET updated_at = EXCLUDED.updated_at, deleted = EXCLUDED.deleted, doc = EXCLUDED.doc`,
        [JSON.stringify(writes)],
      );
      return true;
    });
    this.loadId = loadId;
    if (committed) {
      this.pages.apply(writes);
      const checkpoint = this.pages.checkpoint!;
      if (writes.length <= MAX_STREAMED_DOCUMENTS)
        this.deps.stream.publish(STREAM_EVENTS.changes, { documents: writes, checkpoint });
      else this.deps.stream.publish(STREAM_EVENTS.resync, { checkpoint });
      await this.rebuildSnapshot();
    }
    const change = { loadId, ...counts, checkpoint: this.pages.checkpoint };
    this.deps.log.info(change, committed ? 'catalogue updated' : 'catalogue unchanged');
    return change;
  }

  /** Same editorial content? The load a title came from alone is not a change worth sending. */
  private sameTitle(held: CatalogTitleDoc, content: CatalogTitle): boolean {
    let before = this.heldContent.get(held);
    if (before === undefined) {
      const { updatedAt: _u, _deleted: _d, loadId: _l, ...rest } = held;
      this.heldContent.set(held, (before = canonicalJson(rest)));
    }
    const { loadId: _l2, ...newContent } = content;
    return before === canonicalJson(newContent);
  }

  private rebuildSnapshot(): Promise<void> {
    const input = {
      loadId: this.loadId,
      checkpoint: this.pages.checkpoint,
      documentsJson: this.pages.liveJson(),
      now: this.deps.now?.() ?? new Date(),
    };
    this.snapshotBuild = buildSnapshot(input).then((file) => {
      this.snapshotFile = file;
      this.deps.log.debug(
        { documents: file.documents, bytes: file.json.length, gzip: file.gzip.length, brotli: file.brotli.length },
        'catalogue snapshot built',
      );
    });
    return this.snapshotBuild;
  }
}
