/**
 * A seeded simulated viewing history with a known ground truth, for the offline evaluation and
 * the tests. The taste-cluster model:
 *
 * - `clusters` tastes (think thriller, comedy, kids, documentary…); each title belongs to one,
 *   round-robin, and has a Zipf popularity (title r of its cluster weighs 1 / (r + 1)^0.8, and a
 *   global shuffle of that weight makes some clusters' heads bigger than others).
 * - Each session has one taste, drawn in proportion to cluster size, and watches 1 to
 *   `maxPerSession` titles (uniform). Each pick is from its taste with probability `loyalty`
 *   (by in-cluster popularity) or else from the whole catalogue by popularity, without repeats.
 * - Sessions are spread evenly over `weeks`; each has a route, a region and a local hour.
 *
 * The same seed gives the same history (mulberry32).
 */
import type { RecoTrainingInput, RecoViewingCount, RecoWatchHistory } from '@ifec/protocol';

export interface SimulationOptions {
  seed: number;
  titles: number;
  clusters: number;
  sessions: number;
  weeks: number;
  maxPerSession?: number;
  loyalty?: number;
  routes?: string[];
}

export interface SimulatedSession extends RecoWatchHistory {
  week: number;
  taste: number;
  route: string;
}

export interface Simulation {
  catalogue: string[];
  /** Title index -> its cluster. */
  clusterOf: number[];
  sessions: SimulatedSession[];
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index drawn in proportion to `cumulative` (a running sum of weights). */
function draw(cumulative: Float64Array, random: () => number): number {
  const x = random() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function cumulate(weights: number[]): Float64Array {
  const c = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => {
    s += w;
    c[i] = s;
  });
  return c;
}

export function simulateViewing(o: SimulationOptions): Simulation {
  const random = mulberry32(o.seed);
  const maxPer = o.maxPerSession ?? 6;
  const loyalty = o.loyalty ?? 0.8;
  const routes = o.routes ?? ['LHR-NRT', 'LHR-JFK', 'CDG-DXB', 'FRA-SIN'];
  const catalogue = Array.from({ length: o.titles }, (_, i) => `title-${String(i).padStart(5, '0')}`);
  const clusterOf = catalogue.map((_, i) => i % o.clusters);
  const weight = catalogue.map((_, i) => 1 / (Math.floor(i / o.clusters) + 1) ** 0.8);
  // Shuffle weights within the catalogue so cluster heads differ in size.
  for (let i = weight.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [weight[i], weight[j]] = [weight[j]!, weight[i]!];
  }
  const members = Array.from({ length: o.clusters }, (_, c) =>
    catalogue.map((_, i) => i).filter((i) => clusterOf[i] === c),
  );
  const clusterCum = members.map((m) => cumulate(m.map((i) => weight[i]!)));
  const globalCum = cumulate(weight);
  const tasteCum = cumulate(members.map((m) => m.reduce((s, i) => s + weight[i]!, 0)));

  const sessions: SimulatedSession[] = [];
  for (let s = 0; s < o.sessions; s++) {
    const taste = draw(tasteCum, random);
    const n = 1 + Math.floor(random() * maxPer);
    const picked = new Set<number>();
    for (let tries = 0; picked.size < n && tries < n * 10; tries++) {
      const i = random() < loyalty ? members[taste]![draw(clusterCum[taste]!, random)]! : draw(globalCum, random);
      picked.add(i);
    }
    sessions.push({
      session: `sim-${s}`,
      titles: [...picked].map((i) => catalogue[i]!),
      week: Math.floor((s * o.weeks) / o.sessions),
      taste,
      route: routes[Math.floor(random() * routes.length)]!,
    });
  }
  return { catalogue, clusterOf, sessions };
}

/** The training input the ground would see for these sessions: every viewing as an anonymous count, every session as an opted-in history. */
export function trainingInputOf(sim: Simulation, sessions: SimulatedSession[]): RecoTrainingInput {
  const counts: RecoViewingCount[] = sessions.flatMap((s) =>
    s.titles.map((titleId) => ({ titleId, cabinClass: 'economy', watchedS: 5400, completed: true, route: s.route })),
  );
  return { catalogue: sim.catalogue, counts, histories: sessions.map(({ session, titles }) => ({ session, titles })) };
}
