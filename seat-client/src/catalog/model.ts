/**
 * The catalogue as the seat's screens see it: protocol's one title shape (`CatalogTitle`,
 * what the appliance projects from each manifest and replicates) mapped once to a view model
 * with artwork as absolute URLs. Nothing here guesses a field: the document is typed.
 */
import type { CatalogTitle } from '@ifec/protocol';

export type Texts = Record<string, string>;

export type TitleView = Pick<
  CatalogTitle,
  | 'id'
  | 'kind'
  | 'titles'
  | 'synopses'
  | 'genres'
  | 'cast'
  | 'rating'
  | 'releaseYear'
  | 'featured'
  | 'durationS'
  | 'series'
  | 'album'
  | 'audioLanguages'
  | 'subtitleLanguages'
  | 'rights'
  | 'priceTier'
  | 'addedAt'
> & {
  /** Absolute URLs of the preferred poster and backdrop, when the package has them. */
  poster?: string;
  backdrop?: string;
  /** Every WebP size the image step made of them (`srcset`): a card fetches and decodes the size it shows. */
  posterSet?: string;
  backdropSet?: string;
  /** Master playlist URL, used when the appliance has no playback endpoint. */
  master: string;
};

/** The one mapping from a catalogue document to what the cards and the detail screen show. */
export function titleView(doc: CatalogTitle, baseUrl: string): TitleView {
  const absolute = (url: string) => new URL(url, baseUrl).href;
  const view: TitleView = {
    id: doc.id,
    kind: doc.kind,
    titles: doc.titles,
    synopses: doc.synopses,
    genres: doc.genres,
    cast: doc.cast,
    rating: doc.rating,
    durationS: doc.durationS,
    audioLanguages: doc.audioLanguages,
    subtitleLanguages: doc.subtitleLanguages,
    rights: doc.rights,
    priceTier: doc.priceTier,
    addedAt: doc.addedAt,
    master: absolute(doc.master),
  };
  if (doc.releaseYear !== undefined) view.releaseYear = doc.releaseYear;
  if (doc.featured !== undefined) view.featured = doc.featured;
  if (doc.series) view.series = doc.series;
  if (doc.album) view.album = doc.album;
  if (doc.poster) view.poster = absolute(doc.poster);
  if (doc.backdrop) view.backdrop = absolute(doc.backdrop);
  const sizes = (role: 'poster' | 'backdrop') =>
    doc.images
      .filter((i) => i.role === role && i.format === 'webp')
      .sort((a, b) => a.width - b.width)
      .map((i) => `${absolute(i.url)} ${i.width}w`)
      .join(', ');
  if (doc.poster && sizes('poster')) view.posterSet = sizes('poster');
  if (doc.backdrop && sizes('backdrop')) view.backdropSet = sizes('backdrop');
  return view;
}

export type Device = 'seatback' | 'phone';

/** The episode after this one in its series (next season's first after a season's last). */
export function nextEpisode(titles: TitleView[], current: TitleView): TitleView | undefined {
  const series = current.series;
  if (!series) return undefined;
  const order = (t: TitleView) => t.series!.season * 10_000 + t.series!.episode;
  return titles
    .filter((t) => t.series?.id === series.id && order(t) > order(current))
    .sort((a, b) => order(a) - order(b))[0];
}

/** Premium tiers in the cabin's currency; the real price list arrives with the policy. */
export const PRICE_TIERS: Record<Exclude<TitleView['priceTier'], 'included'>, { amount: number; currency: string }> = {
  'premium-1': { amount: 3.99, currency: 'EUR' },
  'premium-2': { amount: 5.99, currency: 'EUR' },
  'premium-3': { amount: 8.99, currency: 'EUR' },
};

/** Ratings a parental lock hides, by rating system (anything for adults or older teens). */
const ADULT_RATINGS: Record<string, ReadonlySet<string>> = {
  MPAA: new Set(['R', 'NC-17']),
  TVPG: new Set(['TV-MA']),
  BBFC: new Set(['15', '18', 'R18']),
  FSK: new Set(['16', '18']),
  CNC: new Set(['-16', '-18']),
  ACB: new Set(['MA15+', 'R18+']),
  PEGI: new Set(['16', '18']),
  CHVRS: new Set(['14A', '18A', 'R']),
  EIRIN: new Set(['R15+', 'R18+']),
  KMRB: new Set(['15', '18']),
  CBFC: new Set(['A']),
};

export function isForAdults(title: TitleView): boolean {
  return ADULT_RATINGS[title.rating.system]?.has(title.rating.value) ?? false;
}

/** The youngest age a rating is meant for, by rating system (undefined: a rating we do not know). */
const RATING_AGES: Record<string, Record<string, number>> = {
  MPAA: { G: 0, PG: 8, 'PG-13': 13, R: 17, 'NC-17': 18 },
  TVPG: { 'TV-Y': 0, 'TV-Y7': 7, 'TV-G': 0, 'TV-PG': 10, 'TV-14': 14, 'TV-MA': 17 },
  BBFC: { U: 0, PG: 8, '12A': 12, '12': 12, '15': 15, '18': 18, R18: 18 },
  FSK: { '0': 0, '6': 6, '12': 12, '16': 16, '18': 18 },
  PEGI: { '3': 3, '7': 7, '12': 12, '16': 16, '18': 18 },
  CNC: { U: 0, '-10': 10, '-12': 12, '-16': 16, '-18': 18 },
  ACB: { G: 0, PG: 8, M: 15, 'MA15+': 15, 'R18+': 18 },
  CHVRS: { G: 0, PG: 8, '14A': 14, '18A': 18, R: 18 },
  EIRIN: { G: 0, PG12: 12, 'R15+': 15, 'R18+': 18 },
  KMRB: { ALL: 0, '12': 12, '15': 15, '18': 18 },
  CBFC: { U: 0, UA: 12, A: 18 },
};

export function ratingAge(rating: TitleView['rating']): number | undefined {
  return RATING_AGES[rating.system]?.[rating.value.toUpperCase()] ?? RATING_AGES[rating.system]?.[rating.value];
}

/** The ages a passenger may choose for the parental lock ("hide titles rated above 14"). */
export const PARENTAL_AGES = [7, 12, 14, 16] as const;
/** Hides what the lock hid before a passenger could choose (R, TV-MA, 15, 16 and above). */
export const DEFAULT_PARENTAL_AGE = 14;

function hiddenByLock(title: TitleView, maxAge: number): boolean {
  const age = ratingAge(title.rating);
  return age === undefined ? isForAdults(title) : age > maxAge;
}

/** What a device may show: a phone never offers seatback-only titles; a parental lock hides ratings above its age. */
export function visibleTo(
  titles: TitleView[],
  device: Device,
  parentalLock: boolean,
  maxAge: number = DEFAULT_PARENTAL_AGE,
): TitleView[] {
  return titles.filter(
    (t) => (device === 'seatback' || t.rights !== 'seatback-only') && !(parentalLock && hiddenByLock(t, maxAge)),
  );
}

/** TV: episodes grouped by series, then season, in order. */
export function groupSeries(titles: TitleView[]): Map<string, { titles: Texts; seasons: Map<number, TitleView[]> }> {
  const out = new Map<string, { titles: Texts; seasons: Map<number, TitleView[]> }>();
  for (const t of titles) {
    if (t.kind !== 'episode' || !t.series) continue;
    const series = out.get(t.series.id) ?? { titles: t.series.titles, seasons: new Map<number, TitleView[]>() };
    const season = series.seasons.get(t.series.season) ?? [];
    season.push(t);
    season.sort((a, b) => a.series!.episode - b.series!.episode);
    series.seasons.set(t.series.season, season);
    out.set(t.series.id, series);
  }
  return out;
}

export function isNewThisMonth(title: TitleView, now: Date): boolean {
  const added = new Date(title.addedAt);
  return now.getTime() - added.getTime() < 31 * 86400_000 && added.getTime() <= now.getTime();
}
