/**
 * Seat <-> appliance replication: the documents a seat replicates and the HTTP shapes of
 * RxDB's pull / push / live-stream protocol as the appliance serves it.
 *
 * The checkpoint is `(updatedAt, id)`. `updatedAt` is a number the appliance's single write
 * queue assigns (microseconds on the appliance's clock, never less than the previous one
 * plus one): it only moves forward, and no client clock ever sets it. Deletions are soft:
 * a document leaves with `_deleted: true` so every replica learns it left.
 *
 *   GET  /api/replication/catalog/snapshot        the whole catalogue at one checkpoint (gzip/br)
 *   GET  /api/replication/catalog/pull?updatedAt=&id=&limit=
 *   GET  /api/replication/catalog/stream          SSE: `changes` and `resync` events
 *   POST /api/seats/login                         a seat's bearer token
 *   GET  /api/replication/seat-state/pull?...     (Bearer seat token) the seat's own documents
 *   POST /api/replication/seat-state/push         (Bearer seat token) rows -> conflicts
 *   GET  /api/replication/seat-state/stream       (Bearer seat token) SSE
 */
import { z } from 'zod';
import { languageCode, seatId } from './cabin.ts';
import { contentRating, localizedText, playbackRights, priceTier, regionCode, titleId, titleKind } from './content.ts';

/**
 * Sent by a seat with its seat-state pushes: the passenger session it holds. A push from an
 * ended session (a seat that was offline during "reset for next flight") is refused (409
 * SESSION_ENDED) so the last flight's settings and favourites cannot come back.
 */
export const PASSENGER_SESSION_HEADER = 'x-ifec-passenger-session';

/** Most documents one pull answers; a client asking for more gets this many. */
export const MAX_PULL_BATCH = 500;
/** Most rows one push may carry. */
export const MAX_PUSH_ROWS = 100;
/** Server-sent event names on a replication stream. */
export const STREAM_EVENTS = { changes: 'changes', resync: 'resync', hello: 'hello' } as const;

export const replicationCheckpoint = z
  .object({
    updatedAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    id: z.string().max(200),
  })
  .strict();
export type ReplicationCheckpoint = z.infer<typeof replicationCheckpoint>;

/** Query string of a pull: no checkpoint means "from the beginning". */
export const pullQuery = z
  .object({
    updatedAt: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    id: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PULL_BATCH).default(100),
  })
  .strict()
  .refine(
    (q) => (q.updatedAt === undefined) === (q.id === undefined),
    'updatedAt and id come together (a checkpoint) or not at all',
  );

// ---------------------------------------------------------------------------------------------
// The catalogue: one document per title of the active content load, read-only for seats.
// `catalogTitle` is the one shape of a title a seat (or any client) sees, from the content
// load to the seat's card: the appliance projects each manifest to it once
// (appliance/src/catalog/titles.ts), replication wraps it in `catalogTitleDoc`, the seat maps
// it once to its view model (seat-client/src/catalog/model.ts).

export const catalogImage = z
  .object({
    role: z.enum(['poster', 'backdrop', 'thumbnail']),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    format: z.enum(['webp', 'jpeg']),
    /** Origin-relative URL: `/hls/<titleId>/<path in package>`. */
    url: z.string(),
  })
  .strict();

export const catalogTitle = z
  .object({
    id: titleId,
    /** The content load this version of the title came from. */
    loadId: z.string(),
    kind: titleKind,
    series: z
      .object({ id: titleId, titles: localizedText, season: z.number().int(), episode: z.number().int() })
      .strict()
      .optional(),
    album: z
      .object({ id: titleId, titles: localizedText, artist: z.string(), track: z.number().int() })
      .strict()
      .optional(),
    titles: localizedText,
    synopses: localizedText,
    genres: z.array(z.string()),
    cast: z.array(z.object({ name: z.string(), role: z.string(), character: z.string().optional() }).strict()),
    rating: contentRating,
    releaseYear: z.number().int().optional(),
    /** The content load's highlight order (1: the hero on home). */
    featured: z.number().int().min(1).max(20).optional(),
    originalLanguage: languageCode,
    durationS: z.number().positive(),
    audioLanguages: z.array(z.object({ language: languageCode, audioDescription: z.boolean() }).strict()),
    subtitleLanguages: z.array(z.object({ language: languageCode, closedCaptions: z.boolean() }).strict()),
    rights: playbackRights,
    priceTier,
    licence: z.object({ start: z.string(), end: z.string() }).strict(),
    regions: z.object({ allowed: z.array(regionCode), blocked: z.array(regionCode) }).strict(),
    /** When it entered the catalogue (its licence start): drives "new this month". */
    addedAt: z.string(),
    /** Origin-relative URLs of the preferred poster and backdrop, when the package has one. */
    poster: z.string().optional(),
    backdrop: z.string().optional(),
    images: z.array(catalogImage),
    /** Origin-relative URL of the master playlist (the player asks `POST /api/playback` first). */
    master: z.string(),
    /** Every title, series, album, artist, cast and genre text folded for search (no accents, lower case). */
    searchText: z.string(),
  })
  .strict();
export type CatalogTitle = z.infer<typeof catalogTitle>;

/** A catalogue title as replicated: its place in the write queue's order, and RxDB's tombstone. */
export const catalogTitleDoc = catalogTitle
  .extend({
    updatedAt: z.number().int().nonnegative(),
    _deleted: z.boolean(),
  })
  .strict();
export type CatalogTitleDoc = z.infer<typeof catalogTitleDoc>;

/** A title with its name and synopsis picked in one language (`GET /api/catalog?lang=`). */
export type LocalizedCatalogTitle = CatalogTitle & {
  title: string;
  synopsis: string;
  /** The language `title` and `synopsis` are in (may differ from the one asked for). */
  language: string;
};

/** The text in `lang`, else its base language (pt for pt-BR), else English, else the original, else any. */
export function pickLanguage(
  texts: Record<string, string>,
  lang: string,
  original: string,
): { text: string; language: string } {
  const base = lang.split('-')[0]!;
  for (const candidate of [lang, base, 'en', original]) {
    if (texts[candidate]) return { text: texts[candidate]!, language: candidate };
  }
  const [language, text] = Object.entries(texts)[0] ?? [original, ''];
  return { text, language };
}

export function localizeTitle(title: CatalogTitle, lang: string): LocalizedCatalogTitle {
  const picked = pickLanguage(title.titles, lang, title.originalLanguage);
  const synopsis = pickLanguage(title.synopses, picked.language, title.originalLanguage).text;
  return { ...title, title: picked.text, synopsis, language: picked.language };
}

/** The one-file first sync: every live title at one checkpoint (no tombstones). */
export interface CatalogSnapshot {
  loadId: string | null;
  builtAt: string;
  /** Pull from here on; null when the catalogue is empty. */
  checkpoint: ReplicationCheckpoint | null;
  documents: CatalogTitleDoc[];
}

// ---------------------------------------------------------------------------------------------
// A seat's own state: settings, favourites, its passenger parental lock. Each seat sees and
// writes only its own documents; the seat comes from the token, never from the document.

export const captionStyle = z
  .object({
    size: z.enum(['small', 'medium', 'large', 'x-large']).optional(),
    colour: z.enum(['white', 'yellow', 'green', 'cyan', 'blue', 'magenta', 'red', 'black']).optional(),
    background: z.enum(['black', 'white', 'transparent', 'semi-transparent']).optional(),
    font: z.enum(['default', 'serif', 'monospace', 'casual', 'small-caps']).optional(),
    edge: z.enum(['none', 'outline', 'drop-shadow', 'raised', 'depressed']).optional(),
  })
  .strict();

export const seatSettings = z
  .object({
    uiLanguage: languageCode.optional(),
    audioLanguage: languageCode.optional(),
    /** null: subtitles off. */
    subtitleLanguage: languageCode.nullable().optional(),
    audioDescription: z.boolean().optional(),
    textSize: z.enum(['normal', 'large', 'x-large']).optional(),
    highContrast: z.boolean().optional(),
    captions: captionStyle.optional(),
    doNotDisturb: z.boolean().optional(),
  })
  .strict();
export type SeatSettings = z.infer<typeof seatSettings>;

export const favourite = z
  .object({
    titleId,
    addedAt: z.iso.datetime({ offset: true }),
  })
  .strict();

/**
 * The passenger's own lock (the crew-set lock is the appliance's, enforced when playing).
 * The PIN is never stored: a PBKDF2 hash the seat computes, checked on the seat offline.
 */
export const passengerParentalLock = z
  .object({
    enabled: z.boolean(),
    /** Highest minimum age the seat may watch while locked. */
    maxAge: z.number().int().min(0).max(21),
    pinHash: z
      .string()
      .regex(/^[A-Za-z0-9+/=_-]{16,200}$/)
      .optional(),
    pinSalt: z
      .string()
      .regex(/^[A-Za-z0-9+/=_-]{8,100}$/)
      .optional(),
  })
  .strict();
export type PassengerParentalLock = z.infer<typeof passengerParentalLock>;

const stateBase = {
  updatedAt: z.number().int().nonnegative().optional(),
  _deleted: z.boolean(),
};

export const SETTINGS_DOC_ID = 'settings';
export const PARENTAL_LOCK_DOC_ID = 'parental-lock';
export function favouriteDocId(title: string): string {
  return `favourite:${title}`;
}

export const seatStateDocument = z.discriminatedUnion('kind', [
  z.object({ id: z.literal(SETTINGS_DOC_ID), kind: z.literal('settings'), value: seatSettings, ...stateBase }).strict(),
  z
    .object({
      id: z.string().regex(/^favourite:[a-z0-9][a-z0-9-]{1,63}$/),
      kind: z.literal('favourite'),
      value: favourite,
      ...stateBase,
    })
    .strict()
    .refine((d) => d.id === favouriteDocId(d.value.titleId), {
      message: 'a favourite document id is favourite:<its titleId>',
      path: ['id'],
    }),
  z
    .object({
      id: z.literal(PARENTAL_LOCK_DOC_ID),
      kind: z.literal('parental-lock'),
      value: passengerParentalLock,
      ...stateBase,
    })
    .strict(),
]);
export type SeatStateDoc = z.infer<typeof seatStateDocument>;
export type SeatStateKind = SeatStateDoc['kind'];

/** One row of RxDB's push: what the seat believed the appliance had, and what it has now. */
export const seatStatePushRow = z
  .object({
    assumedMasterState: seatStateDocument.nullable().optional(),
    newDocumentState: seatStateDocument,
  })
  .strict();
export type SeatStatePushRow = z.infer<typeof seatStatePushRow>;
export const seatStatePush = z
  .array(seatStatePushRow)
  .min(1)
  .max(MAX_PUSH_ROWS)
  .refine(
    (rows) => new Set(rows.map((r) => r.newDocumentState.id)).size === rows.length,
    'a push names each document once',
  );

export const seatLogin = z.object({ seatId, secret: z.string().min(8).max(200) }).strict();
export interface SeatLoginResponse {
  token: string;
  seatId: string;
  expiresInS: number;
}

/** A pull's answer; fewer documents than asked means the seat is caught up. */
export interface PullResponse<T> {
  documents: T[];
  checkpoint: ReplicationCheckpoint | null;
}

/** What a `changes` event carries on a stream. */
export interface StreamChanges<T> {
  documents: T[];
  checkpoint: ReplicationCheckpoint;
}

/** Is `a` after `b` in checkpoint order? */
export function checkpointAfter(a: ReplicationCheckpoint, b: ReplicationCheckpoint | null | undefined): boolean {
  if (!b) return true;
  return a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && a.id > b.id);
}

/** Folds text for search: no accents, lower case, ß -> ss, full-width -> ASCII. */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('en').replace(/ß/g, 'ss').trim();
}
