/**
 * Recommendations: the model trained on the ground and shipped in the content load, what the
 * ground trains it from, and the aboard API (rows for a session, its signals, its consent).
 *
 * The model is item-to-item: for each title, its nearest titles by damped co-occurrence, plus
 * cold-start priors (popular titles) by route, region, language and time of day. Titles are
 * referred to by their index in `titles` so 5,000 titles with 20 neighbours stay small.
 */
import { z } from 'zod';
import { languageCode } from './cabin.ts';
import { isoDateTime, LOAD_RECO_MODEL_FILE, titleId } from './content.ts';

export const RECO_MODEL_SCHEMA_VERSION = 1;
/** Where the model sits in a content load (listed, with its sha256, in load.json). */
export const RECO_MODEL_FILE = LOAD_RECO_MODEL_FILE;

export const RECO_LIMITS = {
  titles: 20_000,
  neighboursPerTitle: 50,
  priorTitles: 100,
  priorKeys: 2_000,
  /** Signals one passenger session may keep; older ones are dropped first. */
  signalsPerSession: 200,
  searchQueryChars: 100,
  titlesPerRow: 20,
} as const;

/** [title index, score]; score rounded to 4 digits by the trainer. */
export const scoredIndex = z.tuple([z.number().int().nonnegative(), z.number().nonnegative()]);
export type ScoredIndex = z.infer<typeof scoredIndex>;
const scoredList = z.array(scoredIndex).max(RECO_LIMITS.priorTitles);

/** Hours are UTC-free local departure buckets: night 0-5, morning 6-11, afternoon 12-17, evening 18-23. */
export const timeOfDay = z.enum(['night', 'morning', 'afternoon', 'evening']);
export type TimeOfDay = z.infer<typeof timeOfDay>;
export function timeOfDayOf(hour: number): TimeOfDay {
  return hour < 6 ? 'night' : hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening';
}

/** A route is `ORIGIN-DESTINATION` (IATA or ICAO codes). */
export const routeKey = z.string().regex(/^[A-Z0-9]{3,4}-[A-Z0-9]{3,4}$/, 'a route such as LHR-NRT');
export const regionKey = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 region');

const priorTable = <K extends z.ZodType<string>>(key: K) =>
  z
    .partialRecord(key, scoredList)
    .refine((t) => Object.keys(t).length <= RECO_LIMITS.priorKeys, `at most ${RECO_LIMITS.priorKeys} keys`);

export const recoModel = z
  .object({
    schemaVersion: z.literal(RECO_MODEL_SCHEMA_VERSION),
    /** Only moves up; the aboard ranker reports which one it uses. */
    version: z.number().int().positive(),
    trainedAt: isoDateTime,
    /** Sessions and viewings it was trained on (for the report, not for ranking). */
    trainedOn: z
      .object({ sessions: z.number().int().nonnegative(), viewings: z.number().int().nonnegative() })
      .strict(),
    titles: z.array(titleId).max(RECO_LIMITS.titles),
    /** neighbours[i]: the titles most often watched with titles[i], best first. */
    neighbours: z.array(z.array(scoredIndex).max(RECO_LIMITS.neighboursPerTitle)),
    /** Overall popularity, best first. */
    popular: scoredList,
    priors: z
      .object({
        route: priorTable(routeKey),
        region: priorTable(regionKey),
        language: priorTable(languageCode),
        timeOfDay: priorTable(timeOfDay),
      })
      .strict(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.neighbours.length !== m.titles.length)
      ctx.addIssue({ code: 'custom', path: ['neighbours'], message: 'one neighbour list per title' });
    const n = m.titles.length;
    const bad = (list: ScoredIndex[]) => list.some(([i]) => i >= n);
    if (m.neighbours.some(bad) || bad(m.popular))
      ctx.addIssue({ code: 'custom', path: ['neighbours'], message: 'a title index beyond titles' });
    for (const [table, entries] of Object.entries(m.priors)) {
      if (Object.values(entries as Record<string, ScoredIndex[]>).some(bad))
        ctx.addIssue({ code: 'custom', path: ['priors', table], message: 'a title index beyond titles' });
    }
  });
export type RecoModel = z.infer<typeof recoModel>;

// ---------------------------------------------------------------------------------------------
// What the ground trains from.

/**
 * One anonymous viewing count (the outbox's viewing.count) with the flight context the ground
 * knows from the aircraft's schedule: no seat, no session, no passenger.
 */
export const recoViewingCount = z
  .object({
    titleId,
    cabinClass: z.string().min(1).max(32),
    watchedS: z.number().nonnegative(),
    completed: z.boolean(),
    audioLanguage: languageCode.optional(),
    route: routeKey.optional(),
    region: regionKey.optional(),
    /** Local hour below the aircraft when the viewing began, 0-23 (what the ranking aboard keys on). */
    hour: z.number().int().min(0).max(23).optional(),
  })
  .strict();
export type RecoViewingCount = z.infer<typeof recoViewingCount>;

/** An opted-in session's titles in the order watched (an opaque id, never a seat or a name). */
export const recoWatchHistory = z
  .object({ session: z.string().min(1).max(64), titles: z.array(titleId).max(500) })
  .strict();
export type RecoWatchHistory = z.infer<typeof recoWatchHistory>;

export const recoTrainingInput = z
  .object({
    catalogue: z.array(titleId).max(RECO_LIMITS.titles),
    counts: z.array(recoViewingCount).max(10_000_000),
    histories: z.array(recoWatchHistory).max(5_000_000),
  })
  .strict();
export type RecoTrainingInput = z.infer<typeof recoTrainingInput>;

// ---------------------------------------------------------------------------------------------
// Aboard: the seat's API.

export const recoSignalKind = z.enum(['watched', 'finished', 'abandoned', 'favourited', 'searched']);
export type RecoSignalKind = z.infer<typeof recoSignalKind>;

/** POST paths.recommendations.signals: one thing the passenger did (seat or paired phone). */
export const recoSignal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('searched'), query: z.string().trim().min(1).max(RECO_LIMITS.searchQueryChars) }).strict(),
  z.object({ kind: recoSignalKind.exclude(['searched']), titleId }).strict(),
]);
export type RecoSignal = z.infer<typeof recoSignal>;

/** PUT paths.recommendations.consent: the passenger's explicit choice for this session. */
export const recoConsent = z.object({ personalised: z.boolean() }).strict();
export type RecoConsent = z.infer<typeof recoConsent>;

export const recoRowKind = z.enum([
  'for-you',
  'because-you-watched',
  'popular-route',
  'popular-region',
  'popular',
  'fits-before-landing',
]);
export type RecoRowKind = z.infer<typeof recoRowKind>;

/**
 * Why a card is there, as an i18n key and its parameters; the seat writes it in its language.
 * `title` is the id of the title that explains it (the seat shows its name), `place` an airport
 * code or a region, `minutes` the time left.
 */
export const recoReason = z
  .object({
    key: z.enum([
      'because-you-watched',
      'popular-route',
      'popular-region',
      'popular',
      'fits-before-landing',
      'for-you',
    ]),
    title: titleId.optional(),
    place: z.string().max(64).optional(),
    minutes: z.number().int().nonnegative().optional(),
    /** A run of episodes: how many. */
    episodes: z.number().int().positive().max(100).optional(),
  })
  .strict();
export type RecoReason = z.infer<typeof recoReason>;

export const recoRow = z
  .object({
    kind: recoRowKind,
    reason: recoReason,
    items: z.array(z.object({ titleId, reason: recoReason }).strict()).max(RECO_LIMITS.titlesPerRow),
  })
  .strict();
export type RecoRow = z.infer<typeof recoRow>;

/** GET paths.recommendations.rows. */
export const recoRows = z
  .object({
    personalised: z.boolean(),
    modelVersion: z.number().int().nonnegative().nullable(),
    /** Minutes until arrival as the ranker saw them; null when unknown. */
    minutesLeft: z.number().int().nonnegative().nullable(),
    rows: z.array(recoRow).max(10),
  })
  .strict();
export type RecoRows = z.infer<typeof recoRows>;

// ---------------------------------------------------------------------------------------------
// The outbox record the ground's viewing-count table is fed from.

/** The outbox kind of one finished anonymous viewing. */
export const VIEWING_COUNT_KIND = 'viewing.count';

/**
 * The data of a `viewing.count` outbox record: the training count plus the flight it belongs
 * to. Route, region and hour were added later (optional: older appliances send none).
 */
export const viewingCountRecord = recoViewingCount.extend({ flightId: z.string().min(1).max(128).optional() }).strict();
export type ViewingCountRecord = z.infer<typeof viewingCountRecord>;
