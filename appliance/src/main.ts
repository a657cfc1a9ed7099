/**
 * The appliance's composition root: config -> store -> domains -> transports. The only file
 * that wires things together; each domain is one module (src/domain.ts says the shape).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, pino } from 'pino';
import { accessDomain } from './access/access-domain.ts';
import { asyncApiRouter } from './bus/asyncapi-router.ts';
import { CabinBus } from './bus/cabin-bus.ts';
import { TopicRouter } from './bus/topic-router.ts';
import { cabinDomain } from './cabin/cabin-domain.ts';
import type { Catalog } from './catalog/catalog.ts';
import { catalogDomain } from './catalog/catalog-domain.ts';
import { ReplicationClock } from './catalog/sequence.ts';
import { type ApplianceConfig, ConfigError, loadConfig } from './config.ts';
import { banner } from './demo/first-run.ts';
import { BusLink, Domains } from './domain.ts';
import { createHttpApp } from './http/server.ts';
import { mediaDomain } from './media/media-domain.ts';
import { createMetrics } from './metrics.ts';
import { recommendationsDomain, type RunningRecommendations } from './recommendations/recommendations-domain.ts';
import { resumeDomain } from './resume/resume-domain.ts';
import type { ResumeHub } from './resume/resume-hub.ts';
import { seatStateDomain } from './seat-state/seat-state-domain.ts';
import type { SeatStates } from './seat-state/seat-states.ts';
import type { Pairings } from './sessions/pairing.ts';
import type { PassengerSessions } from './sessions/passenger-sessions.ts';
import type { FlightReset } from './sessions/reset.ts';
import { flightResetDomain, sessionsDomain } from './sessions/sessions-domain.ts';
import { lockDataDir } from './store/data-dir-lock.ts';
import { DurableRecords } from './store/durable-records.ts';
import { Journal } from './store/journal.ts';
import { Store } from './store/store.ts';
import { type RunningSync, syncDomain } from './sync/sync-domain.ts';
import { seatAppRouter } from './web/static-app.ts';

export interface RunningAppliance {
  config: ApplianceConfig;
  httpPort: number;
  mqttPort: number;
  bus: CabinBus;
  store: Store;
  /** The replicated catalogue; tests and the bench feed it with replaceCatalog. */
  catalog: Catalog;
  seatStates: SeatStates;
  /** Outbox, statistics producers, publications from the ground, bundles, the sync loop. */
  sync: RunningSync;
  /** Passenger sessions, phone pairings, playback-state documents, reset for next flight. */
  passengers: { sessions: PassengerSessions; pairings: Pairings; hub: ResumeHub; reset: FlightReset };
  /** Rows per session, its signals and consent, the flight clock. */
  recommendations: RunningRecommendations;
  stop(): Promise<void>;
}

/** Every domain, in the order they open (each may use what the ones before it expose). */
export const DOMAINS = [
  accessDomain,
  sessionsDomain,
  resumeDomain,
  seatStateDomain,
  flightResetDomain,
  cabinDomain,
  mediaDomain,
  catalogDomain,
  syncDomain,
  recommendationsDomain,
];

export async function startAppliance(
  config: ApplianceConfig,
  log: Logger,
  out: (text: string) => void = () => {},
): Promise<RunningAppliance> {
  const lock = lockDataDir(config.dataDir);
  if (lock.tookOverStaleLock)
    log.warn({ dataDir: config.dataDir }, 'previous appliance did not stop cleanly; replaying the journal');
  let draining = false;
  let ready = false;

  // Store: journal first, PGlite second; every domain's record kinds are known before the replay.
  const store = await Store.open(path.join(config.dataDir, 'pglite'), log);
  const journal = await Journal.open(path.join(config.dataDir, 'journal.log'), {
    groupCommitMs: config.journalGroupCommitMs,
  });
  const records = new DurableRecords(journal, store, log);
  const domains = new Domains(records, new TopicRouter());
  domains.declare(DOMAINS);
  log.info({ records: await records.replay() }, 'journal replayed');

  // Domains, each from what the ones before it expose. They publish on the bus from restore() on.
  const link = new BusLink();
  const clock = new ReplicationClock();
  const child = (domain: string) => log.child({ domain });
  const access = await domains.open(accessDomain, { config, store, records, log });
  const { directory, seatSessions } = access;
  const sessions = await domains.open(sessionsDomain, { config, store, directory, seatSessions, bus: link });
  const sessionOf = (seatId: string) => sessions.sessions.sessionOf(seatId);
  const hub = await domains.open(resumeDomain, { store, sessionOf, bus: link, log: child('resume') });
  const seatStates = await domains.open(seatStateDomain, {
    store,
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
  const loads = await domains.open(mediaDomain, { config, store, directory, parentalLocked, log: child('media') });
  const catalog = await domains.open(catalogDomain, { store, clock, loads, log: child('replication') });
  const sync = await domains.open(syncDomain, {
    config,
    store,
    records,
    directory,
    aircraftId: access.tailNumber,
    publish: link.publish,
    installContentLoad: (dir) => loads.install(dir),
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

  // Transports: the cabin bus, then HTTP (the seat app's static files after every API route).
  const metrics = createMetrics();
  const bus = await CabinBus.create({
    authenticate: (u, p) => directory.authenticate(u, p),
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
  const server = http.createServer(
    createHttpApp({ routers: [...domains.routers, asyncApiRouter(), seatAppRouter()], metrics, log, health }),
  );
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
  ready = true;
  log.info({ httpPort, mqttPort, tailNumber: access.tailNumber }, 'appliance ready');
  out(
    banner({
      httpPort,
      mqttPort,
      dataDir: config.dataDir,
      tailNumber: access.tailNumber,
      seats: directory.seatIds.length,
      issued: config.demo ? access.issued : undefined,
    }),
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      draining = true;
      log.info('shutting down: no new connections, draining');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await domains.stop();
      await bus.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
      server.closeAllConnections();
      await journal.close();
      await store.close();
      lock.release();
      log.info('stopped cleanly');
    })());

  return {
    config,
    httpPort,
    mqttPort,
    bus,
    store,
    catalog,
    seatStates,
    sync,
    passengers: { sessions: sessions.sessions, pairings: sessions.pairings, hub, reset },
    recommendations,
    stop,
  };
}

/** Runs the appliance as a process (config from the environment, stops on SIGTERM/SIGINT): `npm start`, `ifec-appliance serve`. */
export async function runAppliance(): Promise<void> {
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
  let running: RunningAppliance;
  try {
    running = await startAppliance(config, log, (text) => process.stdout.write(text));
  } catch (error) {
    const e = error as Error & { code?: string };
    process.stderr.write(`ifec-appliance: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
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
