/**
 * Where the seat's catalogue and own state come from. The RxDB replica (src/replica/) is the
 * primary source; until it has synced — or where it cannot open — the catalogue is fetched
 * from `GET /api/catalog` and the last good copy is kept on the device, so the app still
 * browses and searches with the appliance unreachable.
 */
import type { CatalogTitle, TitleKind } from './model.ts';

/** Resume points are not here: they live in the passenger session's document (src/resume/). */
export interface SeatPreferences {
  favourites: string[];
}

export interface CatalogSource {
  titles(): CatalogTitle[];
  /** Called whenever the catalogue or the seat's own state changes. */
  subscribe(listener: () => void): () => void;
  preferences(): SeatPreferences;
  setFavourite(titleId: string, on: boolean): Promise<void>;
  online(): boolean;
  /** A new flight: drops the passenger's own state (favourites) from the device. */
  forgetPersonal(): Promise<void>;
  close(): Promise<void>;
}

const CACHE_KEY = 'ifec.catalog.v1';
const PREFS_KEY = 'ifec.prefs.v1';

type Raw = Record<string, unknown>;

/** Accepts a catalogue entry as the appliance serves it (a title manifest or a catalogue row) and keeps what the seat uses. */
export function toCatalogTitle(raw: Raw, baseUrl: string): CatalogTitle | undefined {
  if (typeof raw.id !== 'string' || typeof raw.titles !== 'object' || raw.titles === null) return undefined;
  const images = Array.isArray(raw.images) ? (raw.images as Raw[]) : [];
  const image = (role: string) => {
    const direct = raw[role] ?? raw[`${role}Url`];
    if (typeof direct === 'string') return new URL(direct, baseUrl).href;
    const candidates = images.filter((i) => i.role === role && typeof (i.url ?? i.path) === 'string');
    const pick = candidates.find((i) => i.format === 'webp' && Number(i.width) <= 400) ?? candidates.find((i) => i.format === 'webp') ?? candidates[0];
    return pick ? new URL(String(pick.url ?? pick.path), baseUrl).href : undefined;
  };
  const licence = raw.licence as { start?: string } | undefined;
  return {
    id: raw.id,
    kind: (raw.kind as TitleKind) ?? 'movie',
    titles: raw.titles as Record<string, string>,
    synopses: (raw.synopses as Record<string, string>) ?? {},
    genres: (raw.genres as string[]) ?? [],
    cast: (raw.cast as CatalogTitle['cast']) ?? [],
    rating: (raw.rating as CatalogTitle['rating']) ?? { system: 'NR', value: 'NR' },
    releaseYear: raw.releaseYear as number | undefined,
    durationS: Number(raw.durationS ?? 0),
    series: raw.series as CatalogTitle['series'],
    album: raw.album as CatalogTitle['album'],
    audioLanguages: (raw.audioLanguages as CatalogTitle['audioLanguages']) ?? [],
    subtitleLanguages: (raw.subtitleLanguages as CatalogTitle['subtitleLanguages']) ?? [],
    rights: raw.rights === 'seatback-only' ? 'seatback-only' : 'all-devices',
    priceTier: (raw.priceTier as CatalogTitle['priceTier']) ?? 'included',
    addedAt: String(raw.addedAt ?? licence?.start ?? raw.createdAt ?? new Date(0).toISOString()),
    poster: image('poster'),
    backdrop: image('backdrop'),
    master: typeof raw.master === 'string' ? raw.master : undefined,
  };
}

export function parseCatalogResponse(body: unknown, baseUrl: string): CatalogTitle[] {
  const b = body as { titles?: unknown[]; documents?: unknown[] } | null;
  const list = Array.isArray(body) ? body : (b?.documents ?? b?.titles ?? []);
  return (list as Raw[]).map((r) => toCatalogTitle(r, baseUrl)).filter((t): t is CatalogTitle => t !== undefined);
}

/** The fallback source: HTTP plus a copy kept in localStorage. */
export class HttpCatalogSource implements CatalogSource {
  private list: CatalogTitle[] = [];
  private prefs: SeatPreferences;
  private reachable = false;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly baseUrl: string, private readonly storage: Storage = localStorage) {
    try {
      this.list = JSON.parse(storage.getItem(CACHE_KEY) ?? '[]') as CatalogTitle[];
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
      const res = await fetch(new URL('/api/replication/catalog/snapshot', this.baseUrl));
      if (!res.ok) throw new Error(`catalog ${res.status}`);
      const titles = parseCatalogResponse(await res.json(), this.baseUrl).filter((t) => !(t as { _deleted?: boolean })._deleted);
      this.list = titles;
      this.storage.setItem(CACHE_KEY, JSON.stringify(titles));
      this.reachable = true;
    } catch {
      this.reachable = false;
    }
    this.emit();
  }

  titles(): CatalogTitle[] {
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
