/**
 * The catalogue as the seat sees it: the editorial part of each title package plus what the
 * player needs to offer (languages, duration). Shapes follow protocol/src/content.ts.
 */
export type TitleKind = 'movie' | 'episode' | 'audio' | 'kids' | 'live';
export type Texts = Record<string, string>;

export interface CatalogTitle {
  id: string;
  kind: TitleKind;
  titles: Texts;
  synopses: Texts;
  genres: string[];
  cast: { name: string; role: string; character?: string }[];
  rating: { system: string; value: string };
  releaseYear?: number;
  durationS: number;
  series?: { id: string; titles: Texts; season: number; episode: number };
  album?: { id: string; titles: Texts; artist: string; track: number };
  audioLanguages: { language: string; audioDescription: boolean }[];
  subtitleLanguages: { language: string; closedCaptions: boolean }[];
  rights: 'seatback-only' | 'all-devices';
  priceTier: 'included' | 'premium-1' | 'premium-2' | 'premium-3';
  /** When it entered the catalogue (licence start): drives "new this month". */
  addedAt: string;
  poster?: string;
  backdrop?: string;
  /** Master playlist URL, used when the appliance has no playback endpoint. */
  master?: string;
}

export type Device = 'seatback' | 'phone';

/** The episode after this one in its series (next season's first after a season's last). */
export function nextEpisode(titles: CatalogTitle[], current: CatalogTitle): CatalogTitle | undefined {
  const series = current.series;
  if (!series) return undefined;
  const order = (t: CatalogTitle) => t.series!.season * 10_000 + t.series!.episode;
  return titles
    .filter((t) => t.series?.id === series.id && order(t) > order(current))
    .sort((a, b) => order(a) - order(b))[0];
}

/** Premium tiers in the cabin's currency; the real price list arrives with the policy. */
export const PRICE_TIERS: Record<Exclude<CatalogTitle['priceTier'], 'included'>, { amount: number; currency: string }> = {
  'premium-1': { amount: 3.99, currency: 'EUR' },
  'premium-2': { amount: 5.99, currency: 'EUR' },
  'premium-3': { amount: 8.99, currency: 'EUR' },
};

/** Ratings a parental lock hides, by rating system (anything for adults or older teens). */
const ADULT_RATINGS: Record<string, ReadonlySet<string>> = {
  MPAA: new Set(['R', 'NC-17']), TVPG: new Set(['TV-MA']), BBFC: new Set(['15', '18', 'R18']),
  FSK: new Set(['16', '18']), CNC: new Set(['-16', '-18']), ACB: new Set(['MA15+', 'R18+']), PEGI: new Set(['16', '18']),
  CHVRS: new Set(['14A', '18A', 'R']), EIRIN: new Set(['R15+', 'R18+']), KMRB: new Set(['15', '18']), CBFC: new Set(['A']),
};

export function isForAdults(title: CatalogTitle): boolean {
  return ADULT_RATINGS[title.rating.system]?.has(title.rating.value) ?? false;
}

/** What a device may show: a phone never offers seatback-only titles; a parental lock hides adult ratings. */
export function visibleTo(titles: CatalogTitle[], device: Device, parentalLock: boolean): CatalogTitle[] {
  return titles.filter((t) => (device === 'seatback' || t.rights !== 'seatback-only') && !(parentalLock && isForAdults(t)));
}

/** Accent- and case-insensitive form used for search (é -> e, ß -> ss, full-width -> ASCII). */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('en').replace(/ß/g, 'ss').trim();
}

/** Matches every word of the query against the title in every language, its people and genres. */
export function searchTitles(titles: CatalogTitle[], query: string): CatalogTitle[] {
  const words = foldForSearch(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return titles.filter((t) => {
    const haystack = foldForSearch([
      ...Object.values(t.titles), ...Object.values(t.series?.titles ?? {}), ...Object.values(t.album?.titles ?? {}),
      t.album?.artist ?? '', ...t.cast.map((c) => c.name), ...t.genres,
    ].join(' \u0000 '));
    return words.every((w) => haystack.includes(w));
  });
}

/** TV: episodes grouped by series, then season, in order. */
export function groupSeries(titles: CatalogTitle[]): Map<string, { titles: Texts; seasons: Map<number, CatalogTitle[]> }> {
  const out = new Map<string, { titles: Texts; seasons: Map<number, CatalogTitle[]> }>();
  for (const t of titles) {
    if (t.kind !== 'episode' || !t.series) continue;
    const series = out.get(t.series.id) ?? { titles: t.series.titles, seasons: new Map<number, CatalogTitle[]>() };
    const season = series.seasons.get(t.series.season) ?? [];
    season.push(t);
    season.sort((a, b) => a.series!.episode - b.series!.episode);
    series.seasons.set(t.series.season, season);
    out.set(t.series.id, series);
  }
  return out;
}

export function isNewThisMonth(title: CatalogTitle, now: Date): boolean {
  const added = new Date(title.addedAt);
  return now.getTime() - added.getTime() < 31 * 86400_000 && added.getTime() <= now.getTime();
}
