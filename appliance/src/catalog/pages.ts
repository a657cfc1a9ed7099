/**
 * The catalogue held in memory, in checkpoint order, so 850 seats' pulls never reach the
 * store: a pull is a binary search and a slice. Each document is serialised once when it
 * arrives, and a pull page (the same for every seat starting from the same checkpoint) is
 * assembled and gzipped once, then served from a small cache until the catalogue changes.
 */
import zlib from 'node:zlib';
import { type CatalogTitleDoc, checkpointAfter, type ReplicationCheckpoint } from '@ifec/protocol';

interface Entry {
  doc: CatalogTitleDoc;
  json: string;
}

export interface PageBody {
  json: Buffer;
  /** Absent when the page is too small to be worth compressing. */
  gzip?: Buffer;
  documents: number;
}

const PAGE_CACHE_LIMIT = 512;
/** Pages smaller than this are sent as they are: gzip would cost more than it saves. */
const GZIP_MIN_BYTES = 1024;

export class CatalogPages {
  private order: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private readonly pageCache = new Map<string, PageBody>();

  get size(): number {
    return this.byId.size;
  }

  get checkpoint(): ReplicationCheckpoint | null {
    const last = this.order[this.order.length - 1];
    return last ? { updatedAt: last.doc.updatedAt, id: last.doc.id } : null;
  }

  get(id: string): CatalogTitleDoc | undefined {
    return this.byId.get(id)?.doc;
  }

  /** Titles a seat may see now (tombstones left out), in checkpoint order. */
  live(): CatalogTitleDoc[] {
    return this.order.filter((e) => !e.doc._deleted).map((e) => e.doc);
  }

  /** The live titles' JSON, already serialised, for the snapshot. */
  liveJson(): string[] {
    return this.order.filter((e) => !e.doc._deleted).map((e) => e.json);
  }

  /**
   * Takes documents the write queue just committed. Their `updatedAt` is above every one
   * held, so the order stays sorted by appending after removing their older versions.
   */
  apply(docs: CatalogTitleDoc[]): void {
    if (docs.length === 0) return;
    const incoming = [...docs].sort(compareDocs);
    const first = incoming[0]!;
    const last = this.checkpoint;
    if (last && !checkpointAfter({ updatedAt: first.updatedAt, id: first.id }, last)) {
      throw new Error(`catalogue change at ${first.updatedAt}/${first.id} is not after ${last.updatedAt}/${last.id}`);
    }
    const replaced = new Set(incoming.map((d) => d.id));
    if (incoming.length > 64) this.order = this.order.filter((e) => !replaced.has(e.doc.id));
    else {
      for (const id of replaced) {
        const old = this.byId.get(id);
        if (!old) continue;
        const at = this.indexAfter({ updatedAt: old.doc.updatedAt, id: old.doc.id }) - 1;
        if (this.order[at] === old) this.order.splice(at, 1);
        else this.order = this.order.filter((e) => e !== old);
      }
    }
    for (const doc of incoming) {
      const entry = { doc, json: JSON.stringify(doc) };
      this.order.push(entry);
      this.byId.set(doc.id, entry);
    }
    this.pageCache.clear();
  }

  /** The body of a pull answer: up to `limit` documents after `since`, in order. */
  page(since: ReplicationCheckpoint | null, limit: number): PageBody {
    const key = since ? `${since.updatedAt}\u0000${since.id}\u0000${limit}` : `\u0000${limit}`;
    const cached = this.pageCache.get(key);
    if (cached) {
      // Refresh its place so the pages every seat is reading stay cached.
      this.pageCache.delete(key);
      this.pageCache.set(key, cached);
      return cached;
    }
    const from = since ? this.indexAfter(since) : 0;
    const slice = this.order.slice(from, from + limit);
    const lastDoc = slice[slice.length - 1]?.doc;
    const checkpoint = lastDoc ? { updatedAt: lastDoc.updatedAt, id: lastDoc.id } : since;
    const json = Buffer.from(
      `{"documents":[${slice.map((e) => e.json).join(',')}],"checkpoint":${JSON.stringify(checkpoint)}}`,
    );
    const body: PageBody = { json, documents: slice.length };
    if (json.length >= GZIP_MIN_BYTES) body.gzip = zlib.gzipSync(json, { level: 6 });
    this.pageCache.set(key, body);
    if (this.pageCache.size > PAGE_CACHE_LIMIT) this.pageCache.delete(this.pageCache.keys().next().value!);
    return body;
  }

  /** Index of the first entry strictly after the checkpoint. */
  private indexAfter(since: ReplicationCheckpoint): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const d = this.order[mid]!.doc;
      if (checkpointAfter({ updatedAt: d.updatedAt, id: d.id }, since)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function compareDocs(a: CatalogTitleDoc, b: CatalogTitleDoc): number {
  return a.updatedAt - b.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
