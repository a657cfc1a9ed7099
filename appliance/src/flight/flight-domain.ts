/**
 * The flight domain handed to main.ts as one module: position sources (best healthy one
 * wins), the flight state published on flight/position (1 Hz, retained) and flight/phase
 * (retained, on change), the crew's flight plan, the airspace below and the policy that
 * holds there (policy/current, an AirspaceRegulationUpdated record for the ground).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  AIRSPACE_POLICY_PUBLICATION,
  type AirspacePolicy,
  airspacePolicy,
  type FlightPhaseState,
  flightPhaseState,
  flightPosition,
  groundFlightPlan,
  IfecError,
  type PolicyCurrent,
  type PositionSourceKind,
  policyCurrent,
  type RoutePoint,
  topics,
} from '@ifec/protocol';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { AccessDirectory } from '../access/directory.ts';
import type { ApplianceDomain } from '../domain.ts';
import { AirspaceIndex } from '../geo/airspace.ts';
import { blockingRule, DEMO_AIRSPACE_POLICY, decide, sameDecision } from '../geo/airspace-policy.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import { groundOnly } from '../sync/outbox.ts';
import { AirportDirectory, type KnownAirport } from './airports.ts';
import type { Fix } from './fix.ts';
import { type FlightPlan, FlightState, STALE_AFTER_MS } from './flight-state.ts';
import { flightRouter } from './http.ts';
import type { PhaseChange } from './phase.ts';
import { createSource, type PositionSource, parseSourceList } from './sources.ts';
import { parseTrack } from './track-file.ts';

/** The outbox record of a change of what the airspace allows. */
export const AIRSPACE_REGULATION_UPDATED = 'airspace.regulation-updated';

/** flight/position's pace, at most 1 Hz: a fix that moves the aircraft goes out once the last is this old. */
export const POSITION_EVERY_MS = 1000;
/** Without a fresh fix, the last position is first repeated this long after it was published. */
export const REPEAT_AFTER_FIX_MS = 1500;

/** How often the ground's policy and flight plan are looked for in the publications (a local query). */
export const GROUND_READ_EVERY_MS = 5_000;

/** What `npm start` flies when no source is configured: the map moves on a fresh machine (12.7 h in 13 min). */
export const DEMO_FLIGHT_SOURCES = 'simulator:LHR-SIN@60';

export interface FlightConfig {
  dataDir: string;
  host: string;
  demo: boolean;
  flightSources: string;
  flightMaxDatagramsPerS: number;
  /** A fixed region that overrides the geo engine (testing, or an operator's choice). */
  region?: string;
}

type Publish = (topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }) => Promise<void>;

interface SavedState {
  flightNumber: string | null;
  origin: string | null;
  destination: string | null;
  /** Crew's plan stays until crew change it; a simulator's route is replaced by its next leg. */
  setByCrew?: boolean;
  /** Who set the plan (setByCrew is what older files say); the ground's newest plan seq applied. */
  planFrom?: 'crew' | 'ground' | 'simulator';
  groundPlanSeq?: number;
  scheduledDeparture?: string;
  scheduledArrival?: string;
  route?: RoutePoint[];
  phase?: ReturnType<FlightState['phaseSnapshot']>;
}

/** Written to a temporary file, fsync'd, renamed: a power cut leaves the old plan or the new one. */
function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export interface FlightDeps {
  config: FlightConfig;
  log: Logger;
  publish: Publish;
  records: DurableRecords;
  directory: AccessDirectory;
  registry: Registry;
  /** The ground's latest signed airspace policy payload (already verified by the publications domain). */
  latestPolicy?: () => Promise<unknown>;
  /** The ground's latest flight plan publication for this aircraft (verified), with its seq. */
  latestFlightPlan?: () => Promise<{ seq: number; payload: unknown } | undefined>;
  now?: () => number;
  airports?: AirportDirectory;
  airspace?: AirspaceIndex;
}

export function createFlightDomain(deps: FlightDeps) {
  const { config, log, publish } = deps;
  const now = deps.now ?? Date.now;
  const airports = deps.airports ?? AirportDirectory.bundled();
  const airspace = deps.airspace ?? AirspaceIndex.bundled();
  const stateFile = path.join(config.dataDir, 'flight', 'state.json');

  let saved: SavedState = { flightNumber: null, origin: null, destination: null };
  try {
    saved = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as SavedState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn({ err: error, file: stateFile }, 'flight state file unreadable; starting with no flight plan');
  }
  const planOf = (s: SavedState): FlightPlan => ({
    flightNumber: s.flightNumber ?? null,
    origin: (s.origin && airports.find(s.origin)) || null,
    destination: (s.destination && airports.find(s.destination)) || null,
    ...(s.scheduledDeparture ? { scheduledDeparture: s.scheduledDeparture } : {}),
    ...(s.scheduledArrival ? { scheduledArrival: s.scheduledArrival } : {}),
    ...(s.route?.length ? { route: s.route } : {}),
    ...((s.planFrom ?? (s.setByCrew ? 'crew' : undefined)) ? { from: s.planFrom ?? 'crew' } : {}),
  });
  /** Crew's or the ground's plan is kept until one of them changes it; the simulator's route only fills a blank. */
  const planIsSet = () => state.plan.from === 'crew' || state.plan.from === 'ground';
  let groundPlanSeq = saved.groundPlanSeq ?? 0;
  const state = new FlightState({
    regionAt: (lat, lon) => airspace.lookup(lat, lon),
    plan: planOf(saved),
    ...(saved.phase ? { phase: saved.phase } : {}),
  });
  const save = () => {
    const p = state.plan;
    writeAtomically(
      stateFile,
      JSON.stringify({
        flightNumber: p.flightNumber,
        origin: p.origin?.icao ?? null,
        destination: p.destination?.icao ?? null,
        setByCrew: p.from === 'crew',
        ...(p.from ? { planFrom: p.from } : {}),
        groundPlanSeq,
        ...(p.scheduledDeparture ? { scheduledDeparture: p.scheduledDeparture } : {}),
        ...(p.scheduledArrival ? { scheduledArrival: p.scheduledArrival } : {}),
        ...(p.route?.length ? { route: p.route } : {}),
        phase: state.phaseSnapshot(),
      } satisfies SavedState),
    );
  };

  const accepted = new Counter({
    name: 'ifec_flight_input_accepted_total',
    help: 'NMEA sentences, GDL90 messages, ARINC 429 words and track points accepted, by source',
    labelNames: ['source'] as const,
    registers: [deps.registry],
  });
  const rejected = new Counter({
    name: 'ifec_flight_input_rejected_total',
    help: 'Position input refused, by source and reason (checksum, crc, parity, truncated, garbage, ...)',
    labelNames: ['source', 'reason'] as const,
    registers: [deps.registry],
  });
  const switches = new Counter({
    name: 'ifec_flight_source_switches_total',
    help: 'Changes of the position source in use',
    registers: [deps.registry],
  });

  // ---- sources, best first --------------------------------------------------------------
  const specs = parseSourceList(config.flightSources || (config.demo ? DEMO_FLIGHT_SOURCES : ''));
  const lastFixAt = new Map<string, number>();
  let active: { id: string; kind: PositionSourceKind; rank: number } | undefined;
  const phaseListeners: ((state: FlightPhaseState, change: PhaseChange) => void)[] = [];
  const sourceLog = log;
  // Refusals are logged at most once a second per source: a flood of garbage must not flood the log.
  const lastRefusalLog = new Map<string, number>();

  const onFix = (id: string, kind: PositionSourceKind, rank: number, fix: Fix) => {
    const t = now();
    lastFixAt.set(id, t);
    const activeHealthy = active !== undefined && t - (lastFixAt.get(active.id) ?? 0) <= STALE_AFTER_MS;
    if (!active || (active.id !== id && (rank < active.rank || !activeHealthy))) {
      sourceLog.warn(
        {
          from: active?.id ?? null,
          to: id,
          reason: !active
            ? 'first source'
            : rank < active.rank
              ? 'a better source is back'
              : 'the source in use went quiet',
        },
        'position source switched',
      );
      if (active) switches.inc();
      active = { id, kind, rank };
    }
    if (active.id !== id) return;
    const result = state.accept(fix, kind, t);
    if (result.phase) onPhaseChange(result.phase);
    if (result.region) evaluatePolicy('region');
    // A fix that moves the aircraft goes out at once when the last flight/position is a second
    // old, else at that second; the other sentences of the same epoch (same place) do not count.
    positionTick(fix.lat !== lastSent?.lat || fix.lon !== lastSent?.lon);
  };

  const sources: PositionSource[] = specs.map((spec, rank) =>
    createSource(spec, {
      host: config.host,
      events: (id, kind) => ({
        fix: (fix) => onFix(id, kind, rank, fix),
        accepted: () => accepted.inc({ source: id }),
        rejected: (reason, detail) => {
          rejected.inc({ source: id, reason });
          const t = now();
          if (t - (lastRefusalLog.get(id) ?? 0) >= 1000) {
            lastRefusalLog.set(id, t);
            sourceLog.debug({ source: id, reason, detail }, 'position input refused');
          }
        },
      }),
      airport: (code) => airports.find(code),
      readTrack: (file) => parseTrack(fs.readFileSync(file, 'utf8')),
      onRoute: (origin, destination) => {
        // The simulator sets the route unless crew or the ground have set a flight plan.
        if (planIsSet()) return;
        state.setPlan({ flightNumber: state.plan.flightNumber, origin, destination, from: 'simulator' });
        void publishPhase();
      },
      maxDatagramsPerS: config.flightMaxDatagramsPerS,
      logError: (id, error) => sourceLog.error({ source: id, err: error.message }, 'position source failed'),
    }),
  );

  // ---- publishing -------------------------------------------------------------------------
  const publishPhase = async () => {
    const body = flightPhaseState.parse(state.phaseState());
    await publish(topics.flightPhase, JSON.stringify(body), { retain: true, qos: 1 });
  };

  const onPhaseChange = (change: PhaseChange) => {
    sourceLog.info({ from: change.previous, to: change.phase, rule: change.rule }, 'flight phase changed');
    try {
      save();
    } catch (error) {
      sourceLog.error({ err: error }, 'flight state not saved');
    }
    const body = state.phaseState();
    publishPhase().catch((error: unknown) => sourceLog.error({ err: error }, 'flight/phase not published'));
    for (const listener of phaseListeners) listener(body, change);
    evaluatePolicy('phase');
  };

  let lastPositionError = 0;
  /** Where the last flight/position put the aircraft, to tell a fix that moves it from one that does not. */
  let lastSent: { lat: number; lon: number } | undefined;
  const publishPosition = () => {
    const position = positionNow();
    if (!position) return;
    const checked = flightPosition.safeParse(position);
    if (!checked.success) {
      if (now() - lastPositionError > 60_000)
        sourceLog.error({ issue: checked.error.issues[0] }, 'flight/position failed its schema; not published');
      lastPositionError = now();
      return;
    }
    lastSent = { lat: position.lat, lon: position.lon };
    publish(topics.flightPosition, JSON.stringify(checked.data), { retain: true, qos: 0 }).catch(() => undefined);
    // Dead reckoning moves the aircraft without fixes: the airspace may change under it.
    if (checked.data.quality === 'dead_reckoning') evaluatePolicy('dead reckoning');
    // Altitude bands (connectivity above 3,000 m) change without a region change.
    else evaluatePolicy('altitude');
  };

  // ---- policy by airspace -----------------------------------------------------------------
  let policy: AirspacePolicy = DEMO_AIRSPACE_POLICY;
  let policySource: 'demo' | 'ground' = 'demo';
  let current: PolicyCurrent | undefined;
  const policyLog = log.child({ area: 'policy' });

  const situation = () => {
    const position = state.position(now());
    return {
      region: config.region ?? (state.hasFix ? state.region : null),
      altitudeM: position?.altitudeM ?? 0,
      phase: state.phase,
    };
  };

  function evaluatePolicy(why: string): void {
    const decision = policyCurrent.parse(decide(policy, situation(), new Date(now()).toISOString()));
    if (sameDecision(current, decision)) return;
    const previous = current;
    current = decision;
    policyLog.info(
      {
        why,
        policy: `${policy.id} v${policy.version} (${policySource})`,
        region: decision.region ?? 'international waters',
        tags: decision.tags,
        wifi: decision.wifi,
        voip: decision.voip,
        messaging: decision.messaging,
        priceZone: decision.priceZone,
        blocked: decision.blocked,
      },
      'airspace policy decision',
    );
    publish(topics.policyCurrent, JSON.stringify(decision), { retain: true, qos: 1 }).catch((error: unknown) =>
      policyLog.error({ err: error }, 'policy/current not published'),
    );
    // Before the first fix nothing is known about the airspace: nothing to tell the ground.
    if (!state.hasFix && config.region === undefined) return;
    const id = `${decision.at}:${decision.policyId}:${decision.region ?? 'INTL'}`;
    deps.records
      .write(AIRSPACE_REGULATION_UPDATED, id, {
        event: 'AirspaceRegulationUpdated',
        previousRegion: previous?.region ?? null,
        ...decision,
      })
      .catch((error: unknown) => policyLog.error({ err: error }, 'AirspaceRegulationUpdated not recorded'));
  }

  const refreshPolicy = async () => {
    if (!deps.latestPolicy) return;
    const payload = await deps.latestPolicy();
    if (payload === undefined) return;
    const parsed = airspacePolicy.safeParse(payload);
    if (!parsed.success) {
      policyLog.error(
        { issue: parsed.error.issues[0] },
        'airspace policy from the ground is not valid; keeping the one in use',
      );
      return;
    }
    if (policySource === 'ground' && parsed.data.id === policy.id && parsed.data.version === policy.version) return;
    policy = parsed.data;
    policySource = 'ground';
    policyLog.info(
      { id: policy.id, version: policy.version, rules: policy.rules.length },
      'airspace policy from the ground in use',
    );
    evaluatePolicy('new policy');
  };

  // ---- the ground's flight plan -------------------------------------------------------------
  /**
   * Applies the ground's newest plan for this aircraft once: a plan crew overrode afterwards
   * stays overridden until the ground publishes a newer one (a higher seq).
   */
  const refreshFlightPlan = async (): Promise<boolean> => {
    if (!deps.latestFlightPlan) return false;
    const latest = await deps.latestFlightPlan();
    if (!latest || latest.seq <= groundPlanSeq) return false;
    const planLog = log.child({ area: 'flight-plan', seq: latest.seq });
    const parsed = groundFlightPlan.safeParse(latest.payload);
    const origin = parsed.success ? airports.find(parsed.data.origin) : undefined;
    const destination = parsed.success ? airports.find(parsed.data.destination) : undefined;
    groundPlanSeq = latest.seq; // a refused plan is not tried again every 30 s
    if (!parsed.success || !origin || !destination) {
      planLog.error(
        parsed.success
          ? { unknownAirport: origin ? parsed.data.destination : parsed.data.origin }
          : { issue: parsed.error.issues[0] },
        'flight plan from the ground refused; keeping the plan in use',
      );
      save();
      return false;
    }
    const p = parsed.data;
    state.setPlan({
      flightNumber: p.flightNumber,
      origin,
      destination,
      scheduledDeparture: p.scheduledDeparture,
      scheduledArrival: p.scheduledArrival,
      route: p.route,
      from: 'ground',
    });
    save();
    planLog.info(
      { flightNumber: p.flightNumber, origin: origin.icao, destination: destination.icao, waypoints: p.route.length },
      'flight plan from the ground in use',
    );
    await publishPhase();
    return true;
  };

  // ---- the crew's flight plan --------------------------------------------------------------
  const setPlan = async (update: {
    flightNumber?: string;
    origin?: string;
    destination?: string;
  }): Promise<FlightPhaseState> => {
    const find = (code: string | undefined, current: KnownAirport | null): KnownAirport | null => {
      if (code === undefined) return current;
      const airport = airports.find(code);
      if (!airport) throw new UnknownAirportError(code);
      return airport;
    };
    const plan = state.plan;
    const origin = find(update.origin, plan.origin);
    const destination = find(update.destination, plan.destination);
    // Crew override the ground's plan; its schedule and route stay only while the airports do.
    const sameLeg = origin?.icao === plan.origin?.icao && destination?.icao === plan.destination?.icao;
    state.setPlan({
      flightNumber: update.flightNumber ?? plan.flightNumber,
      origin,
      destination,
      ...(sameLeg && plan.scheduledDeparture ? { scheduledDeparture: plan.scheduledDeparture } : {}),
      ...(sameLeg && plan.scheduledArrival ? { scheduledArrival: plan.scheduledArrival } : {}),
      ...(sameLeg && plan.route ? { route: plan.route } : {}),
      from: 'crew',
    });
    save();
    log.info(
      {
        domain: 'flight',
        flightNumber: state.plan.flightNumber,
        origin: state.plan.origin?.icao,
        destination: state.plan.destination?.icao,
      },
      'flight plan set by crew',
    );
    await publishPhase();
    return state.phaseState();
  };

  const positionNow = () => {
    const position = state.position(now());
    if (position && active && position.source) position.sourceId = active.id;
    return position;
  };
  const snapshot = () => ({
    position: positionNow() ?? null,
    phase: state.phaseState(),
    route: state.plan.route ?? [],
    policy: current ?? null,
    sources: sources.map((s, rank) => ({
      id: s.id,
      kind: s.kind,
      rank,
      active: active?.id === s.id,
      healthy: now() - (lastFixAt.get(s.id) ?? -Infinity) <= STALE_AFTER_MS,
    })),
  });

  // flight/position at most once a second (850 seats hear it). A fresh fix is published as soon
  // as the last publication is a second old, so a 1 Hz receiver's fix reaches the map without
  // waiting for a tick. Without fresh fixes the last position is repeated (stale, then dead
  // reckoning): first 1.5 s after the last fix, so a receiver a little slower than 1 Hz is not
  // overtaken by a repeat that would hold its fix back a second, then every second.
  // Paced by the process's monotonic clock: this is transport pacing, not flight time.
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let lastPositionAt = Number.NEGATIVE_INFINITY;
  let lastWasFix = false;
  let fixPending = false;
  function positionTick(freshFix = false): void {
    if (!running) return;
    if (freshFix) fixPending = true;
    clearTimeout(timer);
    const gap = () => (fixPending || !lastWasFix ? POSITION_EVERY_MS : REPEAT_AFTER_FIX_MS);
    let wait = lastPositionAt + gap() - performance.now();
    if (wait <= 0) {
      lastPositionAt = performance.now();
      lastWasFix = fixPending;
      fixPending = false;
      publishPosition();
      wait = gap();
    }
    timer = setTimeout(positionTick, wait);
    timer.unref();
  }
  let policyTimer: NodeJS.Timeout | undefined;
  return {
    router: flightRouter({ directory: deps.directory, snapshot, setPlan }),
    /** The live region for the key server: the fixed override, else the airspace below; undefined before the first fix or over international waters. */
    currentRegion: (): string | undefined => config.region ?? state.region ?? undefined,
    /** Why the airspace's policy refuses a title now (the rule id), or undefined. */
    restrictedBy: (title: { id: string; genres: readonly string[] }): string | undefined =>
      blockingRule(policy, situation(), title),
    onPhase(listener: (state: FlightPhaseState, change: PhaseChange) => void): void {
      phaseListeners.push(listener);
    },
    currentPolicy: () => current,
    /** Route, region below and local hour below, for an anonymous viewing count (the recommendations' keys). */
    viewingContext: (): { route?: string; region?: string; hour?: number } => {
      const { origin, destination } = state.plan;
      const code = (a: KnownAirport) => a.iata ?? a.icao;
      const position = positionNow();
      const region = config.region ?? state.region ?? undefined;
      const hour = Number(position?.localTimes.below?.time.slice(0, 2));
      return {
        ...(origin && destination ? { route: `${code(origin)}-${code(destination)}` } : {}),
        ...(region ? { region } : {}),
        ...(Number.isInteger(hour) && hour >= 0 && hour < 24 ? { hour } : {}),
      };
    },
    sources,
    state,
    async start(): Promise<void> {
      for (const s of sources) await s.start();
      if (sources.length) sourceLog.info({ sources: sources.map((s) => s.id) }, 'position sources started, best first');
      await publishPhase();
      await refreshPolicy().catch((error: unknown) => policyLog.error({ err: error }, 'airspace policy not read'));
      await refreshFlightPlan().catch((error: unknown) => log.error({ err: error }, 'flight plan not read'));
      evaluatePolicy('start');
      running = true;
      positionTick();
      policyTimer = setInterval(() => {
        void refreshPolicy().catch((error: unknown) => policyLog.error({ err: error }, 'airspace policy not read'));
        void refreshFlightPlan().catch((error: unknown) => log.error({ err: error }, 'flight plan not read'));
      }, GROUND_READ_EVERY_MS);
      policyTimer.unref();
    },
    /** Reads the ground's policy again now (the sync domain calls it after a downlink; tests too). */
    refreshPolicy,
    /** Applies the ground's newest flight plan now if it is new; true when it was applied. */
    refreshFlightPlan,
    async stop(): Promise<void> {
      running = false;
      clearTimeout(timer);
      clearInterval(policyTimer);
      for (const s of sources) await s.stop();
    },
  };
}

export class UnknownAirportError extends IfecError<'UNKNOWN_AIRPORT'> {
  constructor(readonly airport: string) {
    super('UNKNOWN_AIRPORT', `no airport ${airport} in the bundled list (IATA or ICAO)`);
  }
}

export type FlightDomain = ReturnType<typeof createFlightDomain>;

/** The flight domain as main.ts combines it: position sources, flight state, airspace, policy. */
export const flightDomain: ApplianceDomain<FlightDeps, FlightDomain> = {
  name: 'flight',
  records: { [AIRSPACE_REGULATION_UPDATED]: groundOnly },
  async open(deps) {
    const flight = createFlightDomain(deps);
    return { api: flight, router: flight.router, start: () => flight.start(), stop: () => flight.stop() };
  },
};
export { AIRSPACE_POLICY_PUBLICATION };
