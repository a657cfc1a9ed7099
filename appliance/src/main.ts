/**
 * The appliance's composition root: config -> store -> domains -> transports. The only file
 * that wires things together; each domain is one module (src/domain.ts says the shape).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AIRSPACE_POLICY_PUBLICATION, FLIGHT_PLAN_PUBLICATION, type Publication } from '@ifec/protocol';
import type { Express } from 'express';
import { type Logger, pino } from 'pino';
import { accessDomain } from './access/access-domain.ts';
import { metricsAccess } from './access/http.ts';
import { asyncApiRouter } from './bus/asyncapi-router.ts';
import { CabinBus } from './bus/cabin-bus.ts';
import { guardHttpServer } from './bus/limits.ts';
import { TopicRouter } from './bus/topic-router.ts';
import { cabinDomain } from './cabin/cabin-domain.ts';
import type { Catalog } from './catalog/catalog.ts';
import { catalogDomain } from './catalog/catalog-domain.ts';
import { ReplicationClock } from './catalog/sequence.ts';
import { commerceDomain, type RunningCommerce } from './commerce/commerce-domain.ts';
import { type ApplianceConfig, ConfigError, loadConfig } from './config.ts';
import { banner } from './demo/first-run.ts';
import { BusLink, Domains } from './domain.ts';
import { type FlightDomain, flightDomain } from './flight/flight-domain.ts';
import { createHttpApp } from './http/server.ts';
import { mediaDomain } from './media/media-domain.ts';
import { createMetrics } from './metrics.ts';
import { type RunningRecommendations, recommendationsDomain } from './recommendations/recommendations-domain.ts';
import { resumeDomain } from './resume/resume-domain.ts';
import type { ResumeHub } from './resume/resume-hub.ts';
import { seatStateDomain } from './seat-state/seat-state-domain.ts';
import type { SeatStates } from './seat-state/seat-states.ts';
import type { Pairings } from './sessions/pairing.ts';
import type { PassengerSessions } from './sessions/passenger-sessions.ts';
import type { FlightReset } from './sessions/reset.ts';
import { flightResetDomain, sessionsDomain } from './sessions/sessions-domain.ts';
import { readCheckpoint, StoreCheckpoints, snapshotOf } from './store/checkpoint.ts';
import { fsyncTree, markCleanStop, takeCleanStop } from './store/clean-stop.ts';
import { lockDataDir } from './store/data-dir-lock.ts';
import { DurableRecords } from './store/durable-records.ts';
import { type FileOps, nodeFileOps } from './store/files.ts';
import { Journal } from './store/journal.ts';
import { Store } from './store/store.ts';
import { checkSyncConfig, type RunningSync, syncDomain } from './sync/sync-domain.ts';
import { type RunningUpdates, updatesDomain } from './updates/updates-domain.ts';
import { seatAppRouter } from './web/static-app.ts';

export interface RunningAppliance {
  config: ApplianceConfig;
  httpPort: number;
  mqttPort: number;
  /** The express app (test/openapi.test.ts walks its routes). */
  app: Express;
  bus: CabinBus;
  store: Store;
  /** The replicated catalogue; tests and the bench feed it with replaceCatalog. */
  catalog: Catalog;
  seatStates: SeatStates;
  /** Outbox, statistics producers, publications from the ground, bundles, the sync loop. */
  sync: RunningSync;
  /** Position sources, flight state, airspace and its policy. */
  flight: FlightDomain;
  /** Passenger sessions, phone pairings, playback-state documents, reset for next flight. */
  passengers: { sessions: PassengerSessions; pairings: Pairings; hub: ResumeHub; reset: FlightReset };
  /** Rows per session, its signals and consent, the flight clock. */
  recommendations: RunningRecommendations;
  /** Store checkpoints (journal compaction); tests and the bench take one at will. */
  checkpoints: StoreCheckpoints;
  /** The onboard shop: catalogue, orders, entitlements. */
  commerce: RunningCommerce;
  stop(): Promise<void>;
  /** Verified software and its rollout to the seat units. */
  updates: RunningUpdates;
}

/** Every domain, in the order they open (each may use what the ones before it expose). */
export const DOMAINS = [
  accessDomain,
  sessionsDomain,
  resumeDomain,
  seatStateDomain,
  flightResetDomain,
  cabinDomain,
  flightDomain,
  mediaDomain,
  catalogDomain,
  syncDomain,
  recommendationsDomain,
  updatesDomain,
  commerceDomain,
];

export async function startAppliance(
  config: ApplianceConfig,
  log: Logger,
  out: (text: string) => void = () => {},
  /** The durable file layer (journal, secrets); a power-cut test puts its fault injector here. */
  files: FileOps = nodeFileOps,
): Promise<RunningAppliance> {
  checkSyncConfig(config); // config read from files fails here, naming the variable, before anything starts
  const lock = lockDataDir(config.dataDir);
  if (lock.tookOverStaleLock)
    log.warn({ dataDir: config.dataDir }, 'previous appliance did not stop cleanly; replaying the journal');
  const cleanThrough = takeCleanStop(config.dataDir, !lock.tookOverStaleLock);
  let draining = false;
  let ready = false;

  // Store: journal first, PGlite second; every domain's record kinds are known before the replay.
  const checkpoint = readCheckpoint(config.dataDir);
  const storeOpening = performance.now();
  const store = await Store.open(path.join(config.dataDir, 'pglite'), log, {
    snapshot: snapshotOf(config.dataDir, checkpoint),
    keepBroken: config.storeKeepBroken,
  });
  const journal = await Journal.open(path.join(config.dataDir, 'journal.log'), {
    groupCommitMs: config.journalGroupCommitMs,
    files,
  });
  const storeOpenMs = Math.round(performance.now() - storeOpening);
  const records = new DurableRecords(journal, store, log);
  const domains = new Domains(records, new TopicRouter());
  domains.declare(DOMAINS);
  // After a clean stop the store holds everything journalled: replay nothing (unless it was rebuilt);
  // after a crash, what came after the last checkpoint (store/checkpoint.ts).
  const replaying = performance.now();
  const replayed = await records.replay(
    store.rebuilt ? store.restoredThrough : Math.max(cleanThrough ?? 0, checkpoint?.through ?? 0),
  );
  const checkpoints = new StoreCheckpoints({
    dataDir: config.dataDir,
    store,
    journal,
    records,
    files,
    log: log.child({ domain: 'store' }),
    everyRecords: config.storeCheckpointRecords,
    maxAgeS: config.storeCheckpointMaxAgeS,
    lastThrough: checkpoint?.through ?? 0,
  });
  const replayMs = Math.round(performance.now() - replaying);
  if (cleanThrough !== undefined && !store.rebuilt)
    log.info(
      { records: replayed, storeHoldsThrough: cleanThrough, storeOpenMs },
      'stopped cleanly last time: journal not replayed',
    );
  else log.info({ storeOpenMs, replayMs, records: replayed }, 'journal replayed');

  // Domains, each from what the ones before it expose. They publish on the bus from restore() on.
  const metrics = createMetrics();
  const link = new BusLink();
  const clock = new ReplicationClock();
  const child = (domain: string) => log.child({ domain });
  const access = await domains.open(accessDomain, {
    config,
    store,
    records,
    files,
    // Audited to the ground; the sync domain opens below, and a login comes only once HTTP listens.
    onCrewLogin: (crew): Promise<void> =>
      sync.audit.record({ actor: `crew:${crew.crewId}`, action: 'crew.login', detail: { role: crew.role } }),
    log,
  });
  const { directory, seatSessions } = access;
  const sessions = await domains.open(sessionsDomain, {
    config,
    store,
    records,
    directory,
    seatSessions,
    bus: link,
  });
  const sessionOf = (seatId: string) => sessions.sessions.sessionOf(seatId);
  const hub = await domains.open(resumeDomain, { store, sessionOf, bus: link, log: child('resume') });
  const seatStates = await domains.open(seatStateDomain, {
    store,
    records,
    clock,
    seatSessions,
    sessionOf,
    log: child('replication'),
  });
  const reset = await domains.open(flightResetDomain, {
    store,
    directory,
    sessions,
    hub,
    seatStates,
    bus: link,
    log: child('sessions'),
  });
  const cabin = await domains.open(cabinDomain, { config, store, records, directory, bus: link });
  const parentalLocked = (seatId: string) => cabin.seatControl.all()[seatId]?.parentalLock ?? false;
  const flight = await domains.open(flightDomain, {
    config,
    log: child('flight'),
    publish: link.publish,
    records,
    directory,
    registry: metrics.registry,
    // Read from start() on, once the sync domain below is open.
    latestPolicy: async (): Promise<unknown> =>
      (await sync.publications.latest('policy', AIRSPACE_POLICY_PUBLICATION))?.payload,
    latestFlightPlan: async (): Promise<{ seq: number; payload: unknown } | undefined> => {
      const plan: Publication | undefined = await sync.publications.latest('flight-plan', FLIGHT_PLAN_PUBLICATION);
      return plan && { seq: plan.seq, payload: plan.payload };
    },
  });
  const loads = await domains.open(mediaDomain, {
    config,
    store,
    records,
    directory,
    parentalLocked,
    currentRegion: flight.currentRegion,
    airspaceRestriction: flight.restrictedBy,
    // The shop answers (commerce opens below; keys are asked for only once HTTP listens).
    entitlements: { purchased: (viewer, titleId) => commerce.purchased(viewer, titleId) },
    httpPort: () => httpPort,
    log: child('media'),
  });
  const catalog = await domains.open(catalogDomain, { store, clock, loads, log: child('replication') });
  const sync = await domains.open(syncDomain, {
    config,
    store,
    records,
    directory,
    aircraftId: access.tailNumber,
    publish: link.publish,
    installContentLoad: (dir) => loads.install(dir),
    // Viewing counts and seat summaries: the seat's class and the title's running time.
    cabin: {
      classOf: cabin.seatClassOf,
      durationOf: (titleId) => loads.active?.titles.find((t) => t.id === titleId)?.durationS,
      viewingContext: () => flight.viewingContext(),
    },
    log: child('sync'),
  });
  const recommendations = await domains.open(recommendationsDomain, {
    config,
    store,
    records,
    directory,
    seatSessions,
    sessionOf,
    pairedSeat: sessions.pairings.pairedSeat,
    hub,
    seatStates,
    parentalLocked,
    loads,
    reset,
    bus: link,
    log: child('recommendations'),
  });
  const updates = await domains.open(updatesDomain, {
    config,
    store,
    records,
    directory,
    seatSessions,
    phase: () => flight.state.phase,
    groundSpeedMps: () => flight.state.position(Date.now())?.groundSpeedMps,
    latestSoftware: () => sync.publications.latest('software'),
    downlinkFile: (sha256) =>
      sync.publications.hasFile(sha256) ? path.join(config.dataDir, 'sync', 'files', sha256) : undefined,
    audit: (entry) => sync.audit.record(entry),
    log: child('updates'),
  });
  const commerce: RunningCommerce = await domains.open(commerceDomain, {
    store,
    records,
    directory,
    seatSessions,
    aircraftId: access.tailNumber,
    sessionOf,
    pairedSeat: sessions.pairings.pairedSeat,
    latestPublication: (kind, name) => sync.publications.latest(kind, name),
    titles: () => loads.active?.titles ?? [],
    priceZone: () => flight.currentPolicy()?.priceZone.value,
    region: flight.currentRegion,
    rate: { burst: config.shopOrderBurst, refillMs: 3000 },
    cabinClassOf: cabin.seatClassOf,
    viewingContext: () => flight.viewingContext(),
    log: child('commerce'),
  });
  cabin.seatMap.observe({ health: sync.onSeatHealth, fault: (seatId) => sync.flight.onFault(seatId) });
  reset.onReset((report) => sync.onFlightReset(report));

  // Transports: the cabin bus, then HTTP (the seat app's static files after every API route).
  const bus = await CabinBus.create({
    authenticate: (u, p, source) => directory.authenticate(u, p, source),
    router: domains.topics,
    metrics,
    log,
    pairedSeat: sessions.pairings.pairedSeat,
  });
  link.connect(bus);
  await domains.restore();
  const health = {
    live: () => true,
    ready: () =>
      draining
        ? { ready: false, reason: 'shutting down' }
        : ready
          ? { ready: true }
          : { ready: false, reason: 'starting' },
  };
  const app = createHttpApp({
    routers: [...domains.routers, asyncApiRouter(), seatAppRouter()],
    metrics,
    // Maintenance crew and the appliance's services only: metrics tell an attacker who is where.
    metricsAllowed: metricsAccess(directory),
    log,
    health,
  });
  const fastPaths = domains.fastPaths;
  // Hot media segments skip express (origin.ts, loadFileFastPath); everything else goes through it.
  const server = http.createServer((req, res) => {
    for (const fast of fastPaths) if (fast(req, res)) return;
    app(req, res);
  });
  guardHttpServer(server); // connections per address, pending sockets bounded (bus/limits.ts)
  bus.attachWebSocket(server);
  const httpPort = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    // Boarding: every seat opens its replication stream and its requests within seconds. Node's
    // default backlog (511) overflows and dropped SYNs come back 1, 3, 7… s later (bench/boarding.ts).
    server.listen({ port: config.httpPort, host: config.host, backlog: 4096 }, () =>
      resolve((server.address() as AddressInfo).port),
    );
  });
  const mqttPort = await bus.listenTcp(config.mqttPort, config.host);
  await domains.start();
  checkpoints.start();
  ready = true;
  log.info({ httpPort, mqttPort, tailNumber: access.tailNumber, slowSteps: domains.slowSteps }, 'appliance ready');
  out(
    banner({
      httpPort,
      mqttPort,
      dataDir: config.dataDir,
      tailNumber: access.tailNumber,
      seats: directory.seatIds.length,
      issued: access.issued,
      credentialsTtlH: config.firstRunCredentialsTtlH,
    }),
  );

  let stopping: Promise<void> | undefined;
  // Bounded whatever clients do (seats reconnect at once): the bus refuses them and ends every
  // connection first; the sync pass in flight is aborted; HTTP requests get 3 s to finish.
  const stop = () =>
    (stopping ??= (async () => {
      draining = true;
      log.info('shutting down: no new connections, draining');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Bus first: it refuses reconnects and ends every client, so nothing holds the stop up.
      await bus.close();
      await domains.stop();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
      server.closeAllConnections();
      await checkpoints.stop();
      await journal.close();
      await store.close();
      const files = fsyncTree(store.dir);
      markCleanStop(config.dataDir, journal.lastSeq);
      lock.release();
      log.info({ journalThrough: journal.lastSeq, storeFilesSynced: files }, 'stopped cleanly');
    })());

  return {
    config,
    httpPort,
    mqttPort,
    app,
    bus,
    store,
    catalog,
    seatStates,
    sync,
    flight,
    passengers: { sessions: sessions.sessions, pairings: sessions.pairings, hub, reset },
    recommendations,
    checkpoints,
    commerce,
    stop,
    updates,
  };
}

/** Runs the appliance as a process (config from the environment, stops on SIGTERM/SIGINT): `npm start`, `ifec-appliance serve`. */
export async function runAppliance(): Promise<void> {
  // Nothing the appliance writes (PGlite's files included) is for other users of the machine.
  process.umask(0o077);
  let config: ApplianceConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`ifec-appliance: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ level: config.logLevel, base: { svc: 'appliance' } });
  // Nothing the appliance writes (PGlite's files included) is for other users of the machine.
  process.umask(0o077);
  let running: RunningAppliance;
  try {
    running = await startAppliance(config, log, (text) => process.stdout.write(text));
  } catch (error) {
    const e = error as Error & { code?: string };
    process.stderr.write(`ifec-appliance: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // A stop that stops: past 10 s, exit anyway (the journal is fdatasync'd; the next start replays it).
      setTimeout(() => {
        log.error('stop took longer than 10 s; exiting without a clean stop');
        process.exit(1);
      }, 10_000).unref();
      running.stop().then(
        () => process.exit(0),
        (error) => {
          log.error({ err: error }, 'unclean shutdown');
          process.exit(1);
        },
      );
    });
  }
}

// `tsx src/main.ts` (npm start); the installed bin is bin/ifec-appliance.mjs (src/cli.ts).
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runAppliance();
}
