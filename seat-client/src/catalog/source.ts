/**
 * Where the seat's catalogue and own state come from. The RxDB replica (src/replica/) is the
 * primary source; until it has synced — or where it cannot open — the catalogue's snapshot is
 * fetched over HTTP and the last good copy is kept on the device, so the app still browses and
 * searches with the appliance unreachable.
 */
import { type CatalogTitleDoc, paths, type SeatSettings } from '@ifec/protocol';
import { type TitleView, titleView } from './model.ts';

/** Resume points are not here: they live in the passenger session's document (src/resume/). */
export interface SeatPreferences {
  favourites: string[];
}

export interface CatalogSource {
  titles(): TitleView[];
  /** Called whenever the catalogue or the seat's own state changes. */
  subscribe(listener: () => void): () => void;
  preferences(): SeatPreferences;
  setFavourite(titleId: string, on: boolean): Promise<void>;
  /** Keeps the passenger's settings with the seat's own state on the appliance; absent: they stay on the device. */
  saveSettings?(settings: SeatSettings): Promise<void>;
  online(): boolean;
  /** Resolves when the seat's own changes (favourites) have reached the appliance; absent: they stay on the device. */
  whenDelivered?(): Promise<void>;
  /** A new flight: drops the passenger's own state (favourites) from the device. */
  forgetPersonal(): Promise<void>;
  close(): Promise<void>;
}

/** v2: the view model of protocol's catalogue title (v1 held the older, guessed shape). */
const CACHE_KEY = 'ifec.catalog.v2';
const PREFS_KEY = 'ifec.prefs.v1';

/**
 * A cold start's check of the snapshot, without zod: the fields the view model reads, with their
 * types. Home is drawn from this; the full check (snapshot-check.ts) follows once home is on
 * screen and drops what protocol's schema refuses.
 */
export function titlesAtStart(body: unknown, baseUrl: string): TitleView[] | undefined {
  const documents = (body as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(documents)) return undefined;
  const titles: TitleView[] = [];
  for (const raw of documents) {
    const d = raw as Partial<CatalogTitleDoc> | null;
    if (
      typeof d !== 'object' ||
      d === null ||
      d._deleted !== false ||
      typeof d.id !== 'string' ||
      typeof d.kind !== 'string' ||
      typeof d.titles !== 'object' ||
      typeof d.durationS !== 'number' ||
      typeof d.addedAt !== 'string' ||
      typeof d.master !== 'string' ||
      !Array.isArray(d.images) ||
      !Array.isArray(d.genres)
    )
      continue;
    titles.push(titleView(d as CatalogTitleDoc, baseUrl));
  }
  return titles;
}

/** The fallback source: HTTP plus a copy kept in localStorage. */
export class HttpCatalogSource implements CatalogSource {
  private list: TitleView[] = [];
  private prefs: SeatPreferences;
  private reachable = false;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Home has been drawn from a snapshot once (later ones get the full check before they are shown). */
  private drawn = false;

  constructor(
    private readonly baseUrl: string,
    private readonly storage: Storage = localStorage,
    /** The first snapshot's full check waits for this (app/main.ts: home on screen). */
    private readonly fullCheckAfter: Promise<void> = Promise.resolve(),
  ) {
    try {
      this.list = JSON.parse(storage.getItem(CACHE_KEY) ?? '[]') as TitleView[];
    } catch {
      this.list = [];
    }
    this.prefs = { favourites: [], ...(JSON.parse(storage.getItem(PREFS_KEY) ?? '{}') as Partial<SeatPreferences>) };
  }

  /** One fetch now; `poll` keeps refreshing (phones: there is no replica to stream changes). */
  async start(poll = true): Promise<void> {
    await this.refresh();
    if (poll) this.timer = setInterval(() => void this.refresh(), 15_000);
  }

  async refresh(): Promise<void> {
    try {
      // The replication snapshot carries every language (the search needs them all).
      // Default cache mode: the first call takes the response index.html preloaded; the appliance
      // answers no-cache + etag, so later calls revalidate (304) instead of downloading again.
      // (A plain fetch, not the ApiClient: its extra headers would miss the preloaded response.)
      const res = await fetch(new URL(paths.replication.catalogSnapshot, this.baseUrl));
      if (!res.ok) throw new Error(`catalog ${res.status}`);
      const body: unknown = await res.json();
      let drawnNow: TitleView[] | undefined;
      if (!this.drawn) {
        // Cold start: home is drawn from the light check, zod and the schemas load after it.
        const first = titlesAtStart(body, this.baseUrl);
        if (first) {
          this.drawn = true;
          drawnNow = first;
          this.list = first;
          this.reachable = true;
          this.emit();
          await this.fullCheckAfter;
        }
      }
      const { titlesOfSnapshot } = await import('./snapshot-check.ts');
      const titles = titlesOfSnapshot(body, this.baseUrl);
      this.drawn = true;
      this.list = titles;
      this.storage.setItem(CACHE_KEY, JSON.stringify(titles));
      this.reachable = true;
      // The full check dropped nothing the light one just drew: home is not drawn again.
      if (drawnNow?.length === titles.length && titles.every((t, i) => t.id === drawnNow[i]?.id)) return;
    } catch {
      this.reachable = false;
    }
    this.emit();
  }

  titles(): TitleView[] {
    return this.list;
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  preferences(): SeatPreferences {
    return this.prefs;
  }
  async setFavourite(titleId: string, on: boolean): Promise<void> {
    const set = new Set(this.prefs.favourites);
    if (on) set.add(titleId);
    else set.delete(titleId);
    this.prefs = { ...this.prefs, favourites: [...set] };
    this.persist();
  }
  online(): boolean {
    return this.reachable;
  }
  async forgetPersonal(): Promise<void> {
    this.prefs = { favourites: [] };
    this.storage.removeItem(PREFS_KEY);
  }
  async close(): Promise<void> {
    clearInterval(this.timer);
  }
  private persist(): void {
    this.storage.setItem(PREFS_KEY, JSON.stringify(this.prefs));
    this.emit();
  }
  private emit(): void {
    for (const l of this.listeners) l();
  }
}
