/**
 * Ranking aboard. Pure: the catalogue, the model from the content load, what this session did
 * (only when it opted in) and the flight's context in; rows with a reason per card out.
 *
 * A title is offered only if the session could play it (the same refusePlayback the key
 * server applies: seatback-only on phones, entitlement, parental lock, region), so a card never
 * leads to a refusal.
 */
import {
  RECO_LIMITS,
  type RecoModel,
  type RecoReason,
  type RecoRow,
  type RecoSignalKind,
  type TimeOfDay,
  type TitleManifest,
} from '@ifec/protocol';
import { type PlaybackContext, refusePlayback } from '../media/playback-policy.ts';

/** What a signal says about taste: a favourite most, an abandoned title against. */
export const SIGNAL_WEIGHT: Record<Exclude<RecoSignalKind, 'searched'>, number> = {
  watched: 1,
  finished: 1.5,
  favourited: 2,
  abandoned: -1,
};

/** A title-level signal or a search, oldest first. */
export type SessionSignal =
  | { kind: Exclude<RecoSignalKind, 'searched'>; titleId: string }
  | { kind: 'searched'; query: string };

/** The model with its lookups built once per content load. */
export class RankingModel {
  readonly index: Map<string, number>;

  constructor(readonly model: RecoModel) {
    this.index = new Map(model.titles.map((t, i) => [t, i]));
  }

  neighboursOf(titleId: string): Array<[string, number]> {
    const i = this.index.get(titleId);
    if (i === undefined) return [];
    return this.model.neighbours[i]!.map(([j, s]) => [this.model.titles[j]!, s]);
  }

  /** Blended priors by context: 850 seats on one flight share a handful of contexts. Read-only for callers. */
  private readonly priorCache = new Map<string, Map<string, number>>();

  /** Prior scores for the context, blended: the route counts most, then region, language, time of day. */
  priorScores(
    context: Pick<FlightContext, 'route' | 'region' | 'language' | 'timeOfDay'>,
  ): ReadonlyMap<string, number> {
    const key = `${context.route ?? ''}|${context.region ?? ''}|${context.language ?? ''}|${context.timeOfDay ?? ''}`;
    let cached = this.priorCache.get(key);
    if (!cached) {
      cached = this.blendPriors(context);
      if (this.priorCache.size >= 256) this.priorCache.clear();
      this.priorCache.set(key, cached);
    }
    return cached;
  }

  private blendPriors(
    context: Pick<FlightContext, 'route' | 'region' | 'language' | 'timeOfDay'>,
  ): Map<string, number> {
    const out = new Map<string, number>();
    const add = (list: Array<[number, number]> | undefined, w: number) => {
      for (const [i, s] of list ?? []) {
        const id = this.model.titles[i]!;
        out.set(id, (out.get(id) ?? 0) + w * s);
      }
    };
    const { priors } = this.model;
    add(this.model.popular, 0.1);
    if (context.route) add(priors.route[context.route], 1);
    if (context.region) add(priors.region[context.region], 0.5);
    if (context.language) add(priors.language[context.language], 0.3);
    if (context.timeOfDay) add(priors.timeOfDay[context.timeOfDay], 0.2);
    return out;
  }

  routeList(route: string | undefined): Array<[string, number]> {
    return route ? (this.model.priors.route[route] ?? []).map(([i, s]) => [this.model.titles[i]!, s]) : [];
  }

  regionList(region: string | undefined): Array<[string, number]> {
    return region ? (this.model.priors.region[region] ?? []).map(([i, s]) => [this.model.titles[i]!, s]) : [];
  }
}

export interface FlightContext {
  /** `LHR-NRT`, when the crew set origin and destination. */
  route?: string;
  /** What the seat shows for the destination (an IATA code or a city name). */
  destination?: string;
  /** ISO region under the aircraft or of the destination. */
  region?: string;
  language?: string;
  timeOfDay?: TimeOfDay;
  /** Seconds until arrival; undefined when neither the ETA nor the planned duration is known. */
  remainingS?: number;
}

export interface RankInput {
  titles: TitleManifest[];
  model: RankingModel | undefined;
  /** The session's signals, oldest first; empty and ignored without consent. */
  signals: SessionSignal[];
  personalised: boolean;
  playback: PlaybackContext;
  flight: FlightContext;
  /** Cards per row. */
  perRow?: number;
}

/** A title that would be finished with less than this left counts as not fitting: the descent and the landing. */
export const LANDING_MARGIN_S = 10 * 60;

/**
 * What a catalogue's ranking needs, built once per catalogue (a content load's titles never
 * change under it): 850 seats asking at once must not each rebuild maps of 5,000 titles.
 */
export class CatalogueIndex {
  private static readonly cache = new WeakMap<TitleManifest[], CatalogueIndex>();
  readonly byId: Map<string, TitleManifest>;
  readonly bySeries = new Map<string, TitleManifest[]>();
  readonly byGenre = new Map<string, TitleManifest[]>();
  /** Every name and genre of a title, lower-cased: what a search matches. */
  readonly searchText = new Map<string, string>();
  private readonly eligibleCache = new Map<string, Eligible>();
  private readonly unmodelled = new WeakMap<RankingModel, Map<string, TitleManifest[]>>();

  constructor(readonly titles: TitleManifest[]) {
    this.byId = new Map(titles.map((t) => [t.id, t]));
    for (const t of titles) {
      if (t.kind === 'episode' && t.series) push(this.bySeries, t.series.id, t);
      for (const g of t.genres) push(this.byGenre, g, t);
      const names = [...Object.values(t.titles), ...t.genres, ...(t.series ? Object.values(t.series.titles) : [])];
      this.searchText.set(t.id, names.join('\n').toLowerCase());
    }
    for (const list of this.bySeries.values()) list.sort(order);
  }

  /** By genre, the titles a model was not trained on (new this month): genres speak for them. Once per model. */
  unmodelledByGenre(model: RankingModel | undefined): Map<string, TitleManifest[]> {
    if (!model) return this.byGenre;
    let byGenre = this.unmodelled.get(model);
    if (!byGenre) {
      byGenre = new Map();
      for (const [genre, list] of this.byGenre) {
        const rest = list.filter((t) => !model.index.has(t.id));
        if (rest.length > 0) byGenre.set(genre, rest);
      }
      this.unmodelled.set(model, byGenre);
    }
    return byGenre;
  }

  static of(titles: TitleManifest[]): CatalogueIndex {
    let index = CatalogueIndex.cache.get(titles);
    if (!index) {
      index = new CatalogueIndex(titles);
      CatalogueIndex.cache.set(titles, index);
    }
    return index;
  }

  /**
   * The titles this viewer may play. What depends only on the device, the lock and the region
   * is cached; a title not included is asked about per viewer (the shop's purchases).
   */
  eligible(playback: PlaybackContext): Eligible {
    const key = `${playback.viewer.device}|${playback.parentalMaxAge ?? '-'}|${playback.region ?? '-'}`;
    let cached = this.eligibleCache.get(key);
    if (!cached) {
      const paidFor: PlaybackContext = { ...playback, entitlements: { purchased: () => true } };
      const allowed = this.titles.filter((t) => t.kind !== 'audio' && refusePlayback(t, paidFor) === undefined);
      cached = new Eligible(
        allowed.filter((t) => t.priceTier === 'included'),
        allowed.filter((t) => t.priceTier !== 'included'),
        this,
      );
      if (this.eligibleCache.size >= 64) this.eligibleCache.clear();
      this.eligibleCache.set(key, cached);
    }
    const bought = cached.paid.filter((t) => playback.entitlements.purchased(playback.viewer, t.id));
    return bought.length === 0 ? cached : new Eligible([...cached.list, ...bought], [], this);
  }
}

/** The titles one kind of viewer may play, with the lookups fits-before-landing needs. */
export class Eligible {
  readonly ids: Set<string>;
  /** Films and other single titles, longest first. */
  readonly singlesByLength: TitleManifest[];
  /** Each series' playable episodes, in order. */
  readonly series = new Map<string, TitleManifest[]>();
  /** An episode's place in its series' playable list. */
  readonly episodeAt = new Map<string, number>();
  /** Per time budget (to the minute): every series' run from its first episode, longest first. */
  private readonly runsByBudget = new Map<number, { ordered: EpisodeRun[]; bySeries: Map<string, EpisodeRun> }>();

  /** The runs that fit `budgetS` when nothing of a series was seen: the same for every session on board. */
  runsFor(budgetS: number): { ordered: EpisodeRun[]; bySeries: Map<string, EpisodeRun> } {
    const key = Math.floor(budgetS / 60);
    let runs = this.runsByBudget.get(key);
    if (!runs) {
      const bySeries = new Map<string, EpisodeRun>();
      for (const [id, episodes] of this.series) {
        const run = runFrom(id, episodes, 0, key * 60);
        if (run) bySeries.set(id, run);
      }
      const ordered = [...bySeries.values()].sort(byRunLength);
      runs = { ordered, bySeries };
      if (this.runsByBudget.size >= 8) this.runsByBudget.clear();
      this.runsByBudget.set(key, runs);
    }
    return runs;
  }

  get(id: string): TitleManifest | undefined {
    return this.ids.has(id) ? this.catalogue.byId.get(id) : undefined;
  }

  constructor(
    readonly list: TitleManifest[],
    /** Allowed but not included: playable once bought. */
    readonly paid: TitleManifest[],
    private readonly catalogue: CatalogueIndex,
  ) {
    this.ids = new Set(list.map((t) => t.id));
    this.singlesByLength = list
      .filter((t) => t.kind !== 'episode')
      .sort((a, b) => b.durationS - a.durationS || (a.id < b.id ? -1 : 1));
    for (const [id, episodes] of this.catalogue.bySeries) {
      const playable = episodes.filter((e) => this.ids.has(e.id));
      if (playable.length > 0) this.series.set(id, playable);
      playable.forEach((e, i) => {
        this.episodeAt.set(e.id, i);
      });
    }
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function eligibleTitles(titles: TitleManifest[], playback: PlaybackContext): TitleManifest[] {
  return CatalogueIndex.of(titles).eligible(playback).list;
}

/** The session's taste: title -> weight (favourite 2, finished 1.5, watched 1, abandoned -1); the strongest signal of a title wins. */
export function tasteOf(signals: SessionSignal[], catalogue: CatalogueIndex): Map<string, number> {
  const taste = new Map<string, number>();
  for (const s of signals) {
    if (s.kind === 'searched') {
      // A search says a little about every title it finds.
      const q = s.query.toLowerCase();
      for (const [id, text] of catalogue.searchText) if (!taste.has(id) && text.includes(q)) taste.set(id, 0.3);
      continue;
    }
    const w = SIGNAL_WEIGHT[s.kind];
    const held = taste.get(s.titleId);
    taste.set(s.titleId, held === undefined || w < 0 || (held > 0 && w > held) ? w : held);
  }
  return taste;
}

/** How much of an abandoned title's dislike its neighbours share (a liked title passes on all of its weight). */
export const ABANDONED_NEIGHBOUR_SHARE = 0.5;

interface Scored {
  id: string;
  score: number;
  /** The title of the taste that contributed most. */
  because?: string;
}

/** Item-to-item score of every title from the session's taste; genres stand in for the titles the model has not seen (new this month). */
export function personalScores(
  taste: Map<string, number>,
  model: RankingModel | undefined,
  catalogue: CatalogueIndex,
): Map<string, Scored> {
  const out = new Map<string, Scored>();
  const best = new Map<string, number>();
  const bump = (id: string, s: number, because: string | undefined) => {
    let held = out.get(id);
    if (!held) {
      held = { id, score: 0 };
      out.set(id, held);
    }
    held.score += s;
    if (because && s > (best.get(id) ?? 0)) {
      best.set(id, s);
      held.because = because;
    }
  };
  const genreWeight = new Map<string, number>();
  /** The first liked title of each genre: what a genre match is explained by. */
  const genreBecause = new Map<string, string>();
  let total = 0;
  for (const [id, w] of taste) {
    // Given up well before the end: the titles most like it lose part of what they gained.
    if (w < 0) {
      for (const [j, s] of model?.neighboursOf(id) ?? []) bump(j, ABANDONED_NEIGHBOUR_SHARE * w * s, undefined);
      continue;
    }
    if (w === 0) continue;
    total += w;
    // What a search found is itself a candidate (it is what the passenger looked for).
    if (w < 1) bump(id, w, undefined);
    for (const [j, s] of model?.neighboursOf(id) ?? []) bump(j, w * s, id);
    for (const g of catalogue.byId.get(id)?.genres ?? []) {
      genreWeight.set(g, (genreWeight.get(g) ?? 0) + w);
      if (!genreBecause.has(g)) genreBecause.set(g, id);
    }
  }
  if (total > 0) {
    const byGenre = new Map<string, { t: TitleManifest; g: number; because: string | undefined }>();
    // The model speaks for the titles it was trained on; genres stand in for the others.
    const unmodelled = catalogue.unmodelledByGenre(model);
    for (const [genre, w] of genreWeight) {
      for (const t of unmodelled.get(genre) ?? []) {
        const held = byGenre.get(t.id);
        if (held) held.g += w;
        else byGenre.set(t.id, { t, g: w, because: genreBecause.get(genre) });
      }
    }
    for (const { t, g, because } of byGenre.values()) bump(t.id, (0.3 * g) / (total * t.genres.length), because);
  }
  for (const [id, w] of taste) if (w < 0) out.delete(id);
  return out;
}

function sortScored(list: Scored[]): Scored[] {
  return list.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

/** Episodes of a series that play one after another within a budget, offered by the first. */
export interface EpisodeRun {
  seriesId: string;
  first: TitleManifest;
  /** Index of the first in the series' playable episodes, and how many follow it. */
  start: number;
  length: number;
  runS: number;
}

/** The run of a series (its playable episodes, in order) from `start` within the budget; undefined if none fits. */
function runFrom(seriesId: string, series: TitleManifest[], start: number, budgetS: number): EpisodeRun | undefined {
  let total = 0;
  let length = 0;
  for (let i = start; i < series.length; i++) {
    const d = series[i]!.durationS;
    if (total + d > budgetS) break;
    total += d;
    length++;
  }
  return length === 0 ? undefined : { seriesId, first: series[start]!, start, length, runS: total };
}

function byRunLength(a: EpisodeRun, b: EpisodeRun): number {
  return b.runS - a.runS || (a.first.id < b.first.id ? -1 : 1);
}

function order(a: TitleManifest, b: TitleManifest): number {
  return a.series!.season - b.series!.season || a.series!.episode - b.series!.episode;
}

export function rankRows(input: RankInput): RecoRow[] {
  const perRow = Math.min(input.perRow ?? 10, RECO_LIMITS.titlesPerRow);
  const catalogue = CatalogueIndex.of(input.titles);
  const eligible = catalogue.eligible(input.playback);
  const byId = eligible.ids;
  const allById = catalogue.byId;
  const model = input.model;
  const prior = model?.priorScores(input.flight) ?? new Map<string, number>();
  const taste = input.personalised ? tasteOf(input.signals, catalogue) : new Map<string, number>();
  const seen = new Set([...taste].filter(([, w]) => w >= 1 || w < 0).map(([id]) => id));
  const personal = input.personalised ? personalScores(taste, model, catalogue) : new Map<string, Scored>();
  const rows: RecoRow[] = [];
  const card = (id: string, reason: RecoReason) => ({ titleId: id, reason });
  const fresh = (id: string) => byId.has(id) && !seen.has(id);

  // Personal rows: only with consent and something to go on.
  if (personal.size > 0) {
    const forYou = sortScored([...personal.values()].filter((s) => fresh(s.id) && s.score > 0)).slice(0, perRow);
    if (forYou.length > 0) {
      rows.push({
        kind: 'for-you',
        reason: { key: 'for-you' },
        items: forYou.map((s) =>
          card(
            s.id,
            s.because && allById.has(s.because) ? { key: 'because-you-watched', title: s.because } : { key: 'for-you' },
          ),
        ),
      });
    }
    const last = [...input.signals]
      .reverse()
      // Not a title given up since: "because you watched" names only what the passenger liked.
      .find(
        (s) =>
          s.kind !== 'searched' && s.kind !== 'abandoned' && (taste.get(s.titleId) ?? 0) > 0 && allById.has(s.titleId),
      );
    if (last && last.kind !== 'searched') {
      const reason: RecoReason = { key: 'because-you-watched', title: last.titleId };
      const similar = (model?.neighboursOf(last.titleId) ?? []).filter(([id]) => fresh(id)).slice(0, perRow);
      if (similar.length > 0)
        rows.push({ kind: 'because-you-watched', reason, items: similar.map(([id]) => card(id, reason)) });
    }
  }

  // Popular rows: everyone gets them, personalised or not.
  const routeItems = model?.routeList(input.flight.route).filter(([id]) => fresh(id)) ?? [];
  if (routeItems.length > 0) {
    const reason: RecoReason = {
      key: 'popular-route',
      ...(input.flight.destination ? { place: input.flight.destination } : {}),
    };
    // Ties within the route broken by the rest of the context (language, time of day).
    const ranked = routeItems.map(([id, s]) => ({ id, score: s + 0.01 * (prior.get(id) ?? 0) }));
    rows.push({
      kind: 'popular-route',
      reason,
      items: sortScored(ranked)
        .slice(0, perRow)
        .map((s) => card(s.id, reason)),
    });
  }
  const regionItems = model?.regionList(input.flight.region).filter(([id]) => fresh(id)) ?? [];
  if (regionItems.length > 0) {
    const reason: RecoReason = { key: 'popular-region', place: input.flight.region! };
    rows.push({ kind: 'popular-region', reason, items: regionItems.slice(0, perRow).map(([id]) => card(id, reason)) });
  }
  if (routeItems.length === 0 && regionItems.length === 0) {
    // No model, or none for this route: the blended prior, else the catalogue's order.
    const reason: RecoReason = { key: 'popular' };
    const ranked =
      prior.size > 0
        ? sortScored([...prior].map(([id, score]) => ({ id, score }))).map((s) => s.id)
        : eligible.list.map((t) => t.id);
    const items = ranked.filter(fresh).slice(0, perRow);
    if (items.length > 0) rows.push({ kind: 'popular', reason, items: items.map((id) => card(id, reason)) });
  }

  // Scores for what can be scored (few titles); the rest of the row is the longest that fits.
  const scores = new Map(prior);
  for (const [id, p] of personal) scores.set(id, (scores.get(id) ?? 0) + p.score);
  const fits = fitsBeforeLanding(eligible, input.flight.remainingS, scores, seen, perRow);
  if (fits) rows.push(fits);
  return rows;
}

/**
 * Titles that can be finished before arrival: a film shorter than the time left (less the
 * landing margin), or the run of episodes of a series that fits, offered by its first unseen
 * episode. Best score first; then, among titles no score speaks for, the one that fills the
 * time best (the longest that fits).
 */
export function fitsBeforeLanding(
  eligible: Eligible,
  remainingS: number | undefined,
  scores: Map<string, number>,
  seen: Set<string>,
  perRow: number,
): RecoRow | undefined {
  if (remainingS === undefined) return undefined;
  const budgetS = remainingS - LANDING_MARGIN_S;
  const minutes = Math.max(0, Math.floor(remainingS / 60));
  if (budgetS <= 0) return undefined;
  type Candidate = { id: string; score: number; episodes?: number; runS: number };
  const candidates: Candidate[] = [];
  // Every series' run is the same for every session until it has seen one of its episodes.
  const runs = eligible.runsFor(budgetS);
  const ownRuns = new Map<string, EpisodeRun | undefined>();
  for (const id of seen) {
    const t = eligible.get(id);
    const sid = t?.kind === 'episode' ? t.series?.id : undefined;
    if (!sid || ownRuns.has(sid)) continue;
    const episodes = eligible.series.get(sid)!;
    const start = episodes.findIndex((e) => !seen.has(e.id));
    ownRuns.set(sid, start < 0 ? undefined : runFrom(sid, episodes, start, Math.floor(budgetS / 60) * 60));
  }
  const runOf = (sid: string) => (ownRuns.has(sid) ? ownRuns.get(sid) : runs.bySeries.get(sid));
  // A run's score is the mean of its episodes' scores: only the (few) scored titles are visited.
  const runSums = new Map<string, number>();
  for (const [id, score] of scores) {
    const t = eligible.get(id);
    if (!t) continue;
    if (t.kind === 'episode') {
      const sid = t.series?.id;
      const run = sid ? runOf(sid) : undefined;
      const at = eligible.episodeAt.get(id)!;
      if (sid && run && at >= run.start && at < run.start + run.length)
        runSums.set(sid, (runSums.get(sid) ?? 0) + score);
      continue;
    }
    if (!seen.has(id) && t.durationS <= budgetS) candidates.push({ id, score, runS: t.durationS });
  }
  const asCandidate = (run: EpisodeRun, score: number): Candidate => ({
    id: run.first.id,
    score,
    episodes: run.length,
    runS: run.runS,
  });
  for (const [sid, sum] of runSums) {
    const run = runOf(sid)!;
    candidates.push(asCandidate(run, sum / run.length));
  }
  candidates.sort((a, b) => b.score - a.score || b.runS - a.runS || (a.id < b.id ? -1 : 1));
  const picked = candidates.filter((c) => c.score > 0).slice(0, perRow);
  // Unscored runs, longest first: the shared order, with this session's own runs merged in.
  const zero: Candidate[] = [];
  for (const run of runs.ordered) {
    if (zero.length >= perRow) break;
    if (!ownRuns.has(run.seriesId) && !runSums.has(run.seriesId)) zero.push(asCandidate(run, 0));
  }
  for (const [sid, run] of ownRuns) if (run && !runSums.has(sid)) zero.push(asCandidate(run, 0));
  zero.sort((a, b) => b.runS - a.runS || (a.id < b.id ? -1 : 1));
  const unscored = [...zero, ...candidates.filter((c) => c.score <= 0)];
  // The longest single titles that fit, merged with the unscored episode runs by length.
  const taken = new Set(picked.map((c) => c.id));
  let from = lowerBound(eligible.singlesByLength, budgetS);
  let u = 0;
  while (picked.length < perRow) {
    while (
      from < eligible.singlesByLength.length &&
      (seen.has(eligible.singlesByLength[from]!.id) || taken.has(eligible.singlesByLength[from]!.id))
    )
      from++;
    const single = eligible.singlesByLength[from];
    const run = unscored[u];
    if (!single && !run) break;
    if (run && (!single || run.runS >= single.durationS)) {
      picked.push(run);
      u++;
    } else if (single) {
      picked.push({ id: single.id, score: 0, runS: single.durationS });
      taken.add(single.id);
      from++;
    }
  }
  const items = picked.map((c) => ({
    titleId: c.id,
    reason: {
      key: 'fits-before-landing' as const,
      minutes,
      ...(c.episodes && c.episodes > 1 ? { episodes: c.episodes } : {}),
    },
  }));
  return items.length > 0
    ? { kind: 'fits-before-landing', reason: { key: 'fits-before-landing', minutes }, items }
    : undefined;
}

/** The first index of a longest-first list whose title lasts at most `budgetS`. */
function lowerBound(byLength: TitleManifest[], budgetS: number): number {
  let lo = 0;
  let hi = byLength.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byLength[mid]!.durationS > budgetS) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
