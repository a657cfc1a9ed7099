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

  /** Prior scores for the context, blended: the route counts most, then region, language, time of day. */
  priorScores(context: Pick<FlightContext, 'route' | 'region' | 'language' | 'timeOfDay'>): Map<string, number> {
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

export function eligibleTitles(titles: TitleManifest[], playback: PlaybackContext): TitleManifest[] {
  return titles.filter((t) => t.kind !== 'audio' && refusePlayback(t, playback) === undefined);
}

/** The session's taste: title -> weight (favourite 2, finished 1.5, watched 1, abandoned -1); the strongest signal of a title wins. */
export function tasteOf(signals: SessionSignal[], titles: Map<string, TitleManifest>): Map<string, number> {
  const taste = new Map<string, number>();
  for (const s of signals) {
    if (s.kind === 'searched') {
      // A search says a little about every title it finds.
      const q = s.query.toLowerCase();
      for (const t of titles.values()) {
        const names = [...Object.values(t.titles), ...t.genres, ...(t.series ? Object.values(t.series.titles) : [])];
        if (names.some((n) => n.toLowerCase().includes(q)) && !taste.has(t.id)) taste.set(t.id, 0.3);
      }
      continue;
    }
    const w = SIGNAL_WEIGHT[s.kind];
    const held = taste.get(s.titleId);
    taste.set(s.titleId, held === undefined || w < 0 || (held > 0 && w > held) ? w : held);
  }
  return taste;
}

interface Scored {
  id: string;
  score: number;
  /** The title of the taste that contributed most. */
  because?: string;
}

/** Item-to-item score of every title from the session's taste; genres help titles the model has not seen. */
export function personalScores(
  taste: Map<string, number>,
  model: RankingModel | undefined,
  titles: Map<string, TitleManifest>,
): Map<string, Scored> {
  const out = new Map<string, Scored>();
  const bump = (id: string, s: number, because: string, best: Map<string, number>) => {
    const held = out.get(id) ?? { id, score: 0 };
    held.score += s;
    if (s > (best.get(id) ?? 0)) {
      best.set(id, s);
      held.because = because;
    }
    out.set(id, held);
  };
  const best = new Map<string, number>();
  const genreWeight = new Map<string, number>();
  let total = 0;
  for (const [id, w] of taste) {
    if (w <= 0) continue;
    total += w;
    for (const [j, s] of model?.neighboursOf(id) ?? []) bump(j, w * s, id, best);
    for (const g of titles.get(id)?.genres ?? []) genreWeight.set(g, (genreWeight.get(g) ?? 0) + w);
  }
  if (total > 0 && genreWeight.size > 0) {
    for (const t of titles.values()) {
      if (t.genres.length === 0) continue;
      let g = 0;
      for (const genre of t.genres) g += genreWeight.get(genre) ?? 0;
      if (g === 0) continue;
      const because = [...taste].find(
        ([id, w]) => w > 0 && titles.get(id)?.genres.some((x) => t.genres.includes(x)),
      )?.[0];
      bump(t.id, (0.3 * g) / (total * t.genres.length), because ?? '', best);
    }
  }
  for (const [id, w] of taste) if (w < 0) out.delete(id);
  return out;
}

function sortScored(list: Scored[]): Scored[] {
  return list.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

/** The episodes of a series that play one after another from `first`: [run, total seconds]. */
function episodeRun(first: TitleManifest, bySeries: Map<string, TitleManifest[]>, budgetS: number): TitleManifest[] {
  const all = bySeries.get(first.series!.id) ?? [];
  const run: TitleManifest[] = [];
  let total = 0;
  for (const e of all.slice(all.indexOf(first))) {
    if (total + e.durationS > budgetS) break;
    run.push(e);
    total += e.durationS;
  }
  return run;
}

function order(a: TitleManifest, b: TitleManifest): number {
  return a.series!.season - b.series!.season || a.series!.episode - b.series!.episode;
}

export function rankRows(input: RankInput): RecoRow[] {
  const perRow = Math.min(input.perRow ?? 10, RECO_LIMITS.titlesPerRow);
  const eligible = eligibleTitles(input.titles, input.playback);
  const byId = new Map(eligible.map((t) => [t.id, t]));
  const allById = new Map(input.titles.map((t) => [t.id, t]));
  const model = input.model;
  const prior = model?.priorScores(input.flight) ?? new Map<string, number>();
  const taste = input.personalised ? tasteOf(input.signals, allById) : new Map<string, number>();
  const seen = new Set([...taste].filter(([, w]) => w >= 1 || w < 0).map(([id]) => id));
  const personal = input.personalised ? personalScores(taste, model, allById) : new Map<string, Scored>();
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
      .find((s) => s.kind !== 'searched' && s.kind !== 'abandoned' && allById.has(s.titleId));
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
        : eligible.map((t) => t.id);
    const items = ranked.filter(fresh).slice(0, perRow);
    if (items.length > 0) rows.push({ kind: 'popular', reason, items: items.map((id) => card(id, reason)) });
  }

  const fits = fitsBeforeLanding(
    eligible,
    input.flight.remainingS,
    (id) => (personal.get(id)?.score ?? 0) + (prior.get(id) ?? 0),
    seen,
    perRow,
  );
  if (fits) rows.push(fits);
  return rows;
}

/**
 * Titles that can be finished before arrival: a film shorter than the time left (less the
 * landing margin), or the run of episodes of a series that fits, offered by its first episode.
 */
export function fitsBeforeLanding(
  eligible: TitleManifest[],
  remainingS: number | undefined,
  score: (id: string) => number,
  seen: Set<string>,
  perRow: number,
): RecoRow | undefined {
  if (remainingS === undefined) return undefined;
  const budgetS = remainingS - LANDING_MARGIN_S;
  const minutes = Math.max(0, Math.floor(remainingS / 60));
  if (budgetS <= 0) return undefined;
  const bySeries = new Map<string, TitleManifest[]>();
  for (const t of eligible)
    if (t.kind === 'episode' && t.series) bySeries.set(t.series.id, [...(bySeries.get(t.series.id) ?? []), t]);
  for (const list of bySeries.values()) list.sort(order);
  const candidates: Array<{ id: string; score: number; episodes?: number; runS: number }> = [];
  for (const t of eligible) {
    if (seen.has(t.id)) continue;
    if (t.kind === 'episode' && t.series) {
      // The first episode of the series not yet seen starts the run.
      const first = bySeries.get(t.series.id)!.find((e) => !seen.has(e.id));
      if (first !== t) continue;
      const run = episodeRun(t, bySeries, budgetS);
      if (run.length === 0) continue;
      const runS = run.reduce((s, e) => s + e.durationS, 0);
      candidates.push({
        id: t.id,
        score: run.reduce((s, e) => s + score(e.id), 0) / run.length,
        episodes: run.length,
        runS,
      });
    } else if (t.durationS <= budgetS) {
      candidates.push({ id: t.id, score: score(t.id), runS: t.durationS });
    }
  }
  // Best score first; among equals the one that fills the time best.
  candidates.sort((a, b) => b.score - a.score || b.runS - a.runS || (a.id < b.id ? -1 : 1));
  const items = candidates.slice(0, perRow).map((c) => ({
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
