/**
 * Trains the recommendation model shipped in the content load. Pure: inputs in, model out.
 *
 * Item-to-item co-occurrence with popularity damping: two titles watched in one opted-in
 * session count once for each other, a long session counts less per pair (a binge says less
 * about each pair than two picks do), and the score divides by popularity on both sides
 * (cosine) so a blockbuster is not everyone's neighbour; a shrinkage term keeps a pair seen
 * once from outranking a pair seen fifty times. Cold-start priors are completion-weighted
 * viewing counts per route, region, language and time of day, from the anonymous counts.
 */
import {
  RECO_LIMITS,
  RECO_MODEL_SCHEMA_VERSION,
  type RecoModel,
  type RecoTrainingInput,
  type ScoredIndex,
  timeOfDayOf,
} from '@ifec/protocol';

export interface TrainOptions {
  version: number;
  trainedAt: string;
  /** Neighbours kept per title. */
  neighbours?: number;
  /** Titles kept per prior key. */
  priorTitles?: number;
  /** Co-occurrence shrinkage: score × n / (n + shrink). */
  shrink?: number;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** The k best of a score map as [index, score], best first (ties by index, for stable output). */
function topK(scores: Map<number, number>, k: number): ScoredIndex[] {
  return [...scores]
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, k)
    .map(([i, s]) => [i, round(s)] as ScoredIndex);
}

/** A viewing counts 1 when completed, else the share of a typical 90-minute title watched (at most 1). */
function viewingWeight(c: { completed: boolean; watchedS: number }): number {
  return c.completed ? 1 : Math.min(1, c.watchedS / 5400) * 0.5;
}

export function trainModel(input: RecoTrainingInput, options: TrainOptions): RecoModel {
  const k = Math.min(options.neighbours ?? 20, RECO_LIMITS.neighboursPerTitle);
  const priorK = Math.min(options.priorTitles ?? 30, RECO_LIMITS.priorTitles);
  const shrink = options.shrink ?? 2;
  const titles = [...new Set(input.catalogue)];
  const index = new Map(titles.map((t, i) => [t, i]));

  // Co-occurrence over opted-in sessions; only titles in this load count.
  const sessionCount = new Float64Array(titles.length);
  const pairs: Map<number, number>[] = titles.map(() => new Map());
  const pairN: Map<number, number>[] = titles.map(() => new Map());
  for (const h of input.histories) {
    const seen = [...new Set(h.titles.map((t) => index.get(t)).filter((i): i is number => i !== undefined))];
    for (const i of seen) sessionCount[i]! += 1;
    if (seen.length < 2) continue;
    const w = 1 / Math.log2(1 + seen.length);
    for (const i of seen) {
      const row = pairs[i]!;
      const rowN = pairN[i]!;
      for (const j of seen) {
        if (i === j) continue;
        row.set(j, (row.get(j) ?? 0) + w);
        rowN.set(j, (rowN.get(j) ?? 0) + 1);
      }
    }
  }
  const neighbours = pairs.map((row, i) => {
    const scores = new Map<number, number>();
    for (const [j, co] of row) {
      const n = pairN[i]!.get(j)!;
      scores.set(j, (co / Math.sqrt(sessionCount[i]! * sessionCount[j]!)) * (n / (n + shrink)));
    }
    return topK(scores, k);
  });

  // Popularity and priors from the anonymous counts (and the histories, one view each).
  const overall = new Map<number, number>();
  const tables = {
    route: new Map<string, Map<number, number>>(),
    region: new Map<string, Map<number, number>>(),
    language: new Map<string, Map<number, number>>(),
    timeOfDay: new Map<string, Map<number, number>>(),
  };
  const add = (table: Map<string, Map<number, number>>, key: string | undefined, i: number, w: number) => {
    if (key === undefined) return;
    let m = table.get(key);
    if (!m) {
      m = new Map();
      table.set(key, m);
    }
    m.set(i, (m.get(i) ?? 0) + w);
  };
  for (const c of input.counts) {
    const i = index.get(c.titleId);
    if (i === undefined) continue;
    const w = viewingWeight(c);
    overall.set(i, (overall.get(i) ?? 0) + w);
    add(tables.route, c.route, i, w);
    add(tables.region, c.region, i, w);
    add(tables.language, c.audioLanguage, i, w);
    add(tables.timeOfDay, c.hour === undefined ? undefined : timeOfDayOf(c.hour), i, w);
  }
  if (input.counts.length === 0) {
    sessionCount.forEach((n, i) => {
      if (n > 0) overall.set(i, n);
    });
  }
  const normalised = (m: Map<number, number>): ScoredIndex[] => {
    const best = topK(m, priorK);
    const top = best[0]?.[1] ?? 1;
    return best.map(([i, s]) => [i, round(s / top)] as ScoredIndex);
  };
  const prior = (table: Map<string, Map<number, number>>) => {
    // The keys with most viewings first, up to the limit.
    const keys = [...table].sort((a, b) => sum(b[1]) - sum(a[1])).slice(0, RECO_LIMITS.priorKeys);
    return Object.fromEntries(keys.map(([key, m]) => [key, normalised(m)]));
  };

  return {
    schemaVersion: RECO_MODEL_SCHEMA_VERSION,
    version: options.version,
    trainedAt: options.trainedAt,
    trainedOn: { sessions: input.histories.length, viewings: input.counts.length },
    titles,
    neighbours,
    popular: normalised(overall),
    priors: {
      route: prior(tables.route),
      region: prior(tables.region),
      language: prior(tables.language),
      timeOfDay: prior(tables.timeOfDay),
    },
  };
}

function sum(m: Map<number, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}
