/**
 * The appliance's composition root: config -> store -> services -> transports.
 * The only file that wires things together.
 */
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { ConfigError, loadConfig, type ApplianceConfig } from './config.ts';
import { lockDataDir } from './store/data-dir-lock.ts';
import { type FileOps, nodeFileOps } from './store/files.ts';
import { Store } from './store/store.ts';
import { Journal } from './store/journal.ts';
import { DurableRecords } from './store/durable-records.ts';
import { createMetrics } from './metrics.ts';
import { AccessDirectory } from './access/directory.ts';
import { TokenSigner } from './access/tokens.ts';
import { accessRouter, metricsAccess } from './access/http.ts';
import { PinHasher } from './access/pin-hasher.ts';
import { reportLoginFailures } from './access/login-guard.ts';
import { AIRCRAFT_PROVISIONED, applyProvisioned, currentAircraft, seatClasses } from './aircraft/provisioning.ts';
import { CabinBus } from './bus/cabin-bus.ts';
import { TopicRouter } from './bus/topic-router.ts';
import { guardHttpServer } from './bus/limits.ts';
import { CABIN_PA, PaService, applyPaRecord } from './cabin/pa.ts';
import { SEAT_FAULT, SeatMap, applySeatFault } from './cabin/seat-map.ts';
import { registerCabinTopics } from './cabin/bus.ts';
import { cabinRouter } from './cabin/http.ts';
import { SeatControl, seatControlRouter } from './cabin/seat-control.ts';
import { seatAppRouter } from './web/static-app.ts';
import { createHttpApp } from './http/server.ts';
import { banner, ensureAircraft } from './demo/first-run.ts';
import { ContentLoads, readTrustedKeyFiles } from './media/content-loads.ts';
import { PlaybackSessions } from './media/playback-sessions.ts';
import { KeyServer } from './media/keys.ts';
import { noPurchases } from './media/playback-policy.ts';
import { LiveChannels } from './media/live-channels.ts';
import { mediaRouter } from './media/http.ts';
import { cachedDemoKey, installDemoContent } from './media/demo-content.ts';
import { ReplicationClock } from './catalog/sequence.ts';
import { LiveStream } from './catalog/live-stream.ts';
import { Catalog } from './catalog/catalog.ts';
import { catalogRouter } from './catalog/http.ts';
import { SEAT_STATE_FORGOTTEN, SEAT_STATE_STORED, SeatStates, applySeatStateForgotten, applySeatStateStored } from './seat-state/seat-states.ts';
import { SeatSessions } from './seat-state/sessions.ts';
import { seatStateRouter } from './seat-state/http.ts';
import { toGround } from './sync/outbox.ts';
import { createSync, registerGroundKinds, type RunningSync } from './sync/sync-domain.ts';
import { PassengerSessions } from './sessions/passenger-sessions.ts';
import { Pairings } from './sessions/pairing.ts';
import { FlightReset } from './sessions/reset.ts';
import { phoneDisconnector, registerSessionTopics, watchFlightPhase } from './sessions/bus.ts';
import { sessionsRouter } from './sessions/http.ts';
import { ResumeStore } from './resume/resume-store.ts';
import { ResumeHub } from './resume/resume-hub.ts';

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
  stop(): Promise<void>;
}

/** `files`: the durable file layer (journal, secrets); a power-cut test puts its fault injector here. */
export async function startAppliance(config: ApplianceConfig, log: Logger, out: (text: string) => void = () => {}, files: FileOps = nodeFileOps): Promise<RunningAppliance> {
  const lock = lockDataDir(config.dataDir);
  if (lock.tookOverStaleLock) log.warn({ dataDir: config.dataDir }, 'previous appliance did not stop cleanly; replaying the journal');
  let draining = false;
  let ready = false;

  const store = await Store.open(path.join(config.dataDir, 'pglite'), log);
  const journal = await Journal.open(path.join(config.dataDir, 'journal.log'), { groupCommitMs: config.journalGroupCommitMs, files });
  const records = new DurableRecords(journal, store, log);
  records.register(AIRCRAFT_PROVISIONED, applyProvisioned);
  records.register(CABIN_PA, toGround(applyPaRecord));
  records.register(SEAT_FAULT, toGround(applySeatFault));
  registerGroundKinds(records);
  records.register(SEAT_STATE_STORED, applySeatStateStored);
  records.register(SEAT_STATE_FORGOTTEN, applySeatStateForgotten);
  const replayed = await records.replay();
  log.info({ records: replayed }, 'journal replayed');

  const issued = await ensureAircraft(config, store, records, log, files);
  const aircraft = (await currentAircraft(store))!;
  // Hostile cabin: PIN hashing off libuv's pool, bounded; failed logins logged in aggregate.
  const pinHasher = new PinHasher({ threads: 1, maxQueue: 16 });
  const directory = new AccessDirectory(TokenSigner.fromDataDir(config.dataDir, files), pinHasher);
  await directory.load(store);
  reportLoginFailures(directory.loginGuard, log.child({ domain: 'access' }));

  const metrics = createMetrics();
  const router = new TopicRouter();
  const passengerSessions = new PassengerSessions();
  await passengerSessions.load(store, directory.seatIds, (fn) => store.write(fn));
  const pairings = new Pairings(store, passengerSessions, { codeTtlMs: config.pairingCodeTtlS * 1000 });
  await pairings.load(store);
  const bus = await CabinBus.create({ authenticate: (u, p, source) => directory.authenticate(u, p, source), router, metrics, log, pairedSeat: pairings.pairedSeat });
  // Seat replication: the catalogue follows the active content load; seat state is per seat.
  const replicationLog = log.child({ domain: 'replication' });
  const replicationClock = new ReplicationClock();
  const catalogStream = new LiveStream({ name: 'catalog' });
  const seatStateStream = new LiveStream({ name: 'seat-state' });
  const catalog = new Catalog({ store, clock: replicationClock, stream: catalogStream, log: replicationLog });
  const seatStates = new SeatStates({ store, records, clock: replicationClock, stream: seatStateStream, log: replicationLog });
  await catalog.load();
  await seatStates.load();
  const resumeHub = new ResumeHub({ store: new ResumeStore(store), sessionOf: (seatId) => passengerSessions.sessionOf(seatId), publish: (topic, payload, options) => bus.publish(topic, payload, options), log: log.child({ domain: 'resume' }) });
  resumeHub.register(router);
  registerSessionTopics(router);
  const disconnectPhones = phoneDisconnector(bus);
  const flightReset = new FlightReset({ store, sessions: passengerSessions, pairings, hub: resumeHub, seatStates, publish: (topic, payload, options) => bus.publish(topic, payload, options), disconnectPhones, log: log.child({ domain: 'sessions' }) });
  watchFlightPhase(bus, (payload) => flightReset.onFlightPhase(payload));
  await flightReset.announceAll();
  const pa = new PaService(records, (topic, payload, options) => bus.publish(topic, payload, options));
  const seatMap = new SeatMap(await seatClasses(store), records, config.seatOfflineAfterS * 1000);
  await seatMap.loadFaults(store);
  registerCabinTopics(router, pa, seatMap);
  await pa.restore(store);
  const seatControl = new SeatControl(new Set(directory.seatIds), store, (topic, payload, options) => bus.publish(topic, payload, options));
  await seatControl.restore();

  const mediaLog = log.child({ domain: 'media' });
  const mediaSigner = TokenSigner.fromDataDir(config.dataDir);
  const trustedContentKeys = readTrustedKeyFiles(config.contentTrustedKeys);
  const demoKey = config.demo ? cachedDemoKey() : undefined;
  if (demoKey) trustedContentKeys.push(demoKey);
  const contentLoads = new ContentLoads({ dataDir: config.dataDir, store, trustedKeys: () => trustedContentKeys, log: mediaLog });
  await contentLoads.restore();

  const seatSessions = new SeatSessions(directory, TokenSigner.fromDataDir(config.dataDir));
  contentLoads.onActivated((active) => {
    catalog.projectLoad(active).catch((error: unknown) => replicationLog.error({ err: error, loadId: active.loadId }, 'catalogue projection failed'));
  });
  if (contentLoads.active) await catalog.projectLoad(contentLoads.active);
  const liveChannels = new LiveChannels({
    channels: config.liveChannels.split(','), dataDir: config.dataDir, signer: mediaSigner, publishSecret: config.livePublishSecret,
    ffmpeg: config.ffmpegPath, segmentS: 2, windowSegments: 6, reconnectGraceMs: config.liveReconnectGraceS * 1000, log: mediaLog,
  });
  const keyServer = new KeyServer({
    loads: contentLoads, entitlements: noPurchases, currentRegion: () => config.region,
    parentalLocked: (seatId) => seatControl.all()[seatId]?.parentalLock ?? false, parentalLockMaxAge: config.parentalLockMaxAge,
  });
  const playbackSessions = new PlaybackSessions(mediaSigner, config.playbackTokenTtlS);
  const sync = await createSync({
    config, store, records, directory, aircraftId: aircraft.tailNumber, log: log.child({ domain: 'sync' }),
    publish: (topic, payload, options) => bus.publish(topic, payload, options),
    installContentLoad: (dir) => contentLoads.install(dir),
  });

  const app = createHttpApp({
    // The media router first: /hls is the hot path and must not pass the seat app's static file lookups.
    routers: [mediaRouter({ directory, loads: contentLoads, sessions: playbackSessions, keys: keyServer, live: liveChannels, segmentCacheBytes: config.originCacheMb * 1024 * 1024 }),
      accessRouter(directory), cabinRouter(directory, pa, seatMap), seatControlRouter(directory, seatControl), seatAppRouter(),
      catalogRouter(catalog, catalogStream), seatStateRouter(seatSessions, seatStates, seatStateStream, (seatId) => passengerSessions.sessionOf(seatId)), sync.router,
      sessionsRouter({ directory, seatSessions, sessions: passengerSessions, pairings, reset: flightReset, disconnectPhones })],
    metrics,
    metricsAllowed: metricsAccess(directory),
    log,
    health: {
      live: () => true,
      ready: () => (draining ? { ready: false, reason: 'shutting down' } : ready ? { ready: true } : { ready: false, reason: 'starting' }),
    },
  });
  const server = http.createServer(app);
  guardHttpServer(server); // connections per address, pending sockets bounded (bus/limits.ts)
  bus.attachWebSocket(server);
  const httpPort = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    // Boarding: every seat opens its replication stream and its requests within seconds. Node's
    // default backlog (511) overflows and dropped SYNs come back 1, 3, 7… s later (bench/boarding.ts).
    server.listen({ port: config.httpPort, host: config.host, backlog: 4096 }, () => resolve((server.address() as import('node:net').AddressInfo).port));
  });
  const mqttPort = await bus.listenTcp(config.mqttPort, config.host);
  await liveChannels.start(config.rtmpPort, config.host);
  if (config.demo) void installDemoContent({ loads: contentLoads, trust: (pem) => trustedContentKeys.push(pem), log: mediaLog });
  await sync.start();
  ready = true;
  log.info({ httpPort, mqttPort, tailNumber: aircraft.tailNumber }, 'appliance ready');
  out(banner({ httpPort, mqttPort, dataDir: config.dataDir, tailNumber: aircraft.tailNumber, seats: directory.seatIds.length, issued, credentialsTtlH: config.firstRunCredentialsTtlH }));

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      draining = true;
      log.info('shutting down: no new connections, draining');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Open replication streams would hold server.close() up: end them, seats reconnect and resync.
      catalogStream.close();
      seatStateStream.close();
      await sync.stop();
      await bus.close();
      await liveChannels.stop();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
      server.closeAllConnections();
      await journal.close();
      await store.close();
      await pinHasher.close();
      lock.release();
      log.info('stopped cleanly');
    })());

  return { config, httpPort, mqttPort, bus, store, catalog, seatStates, sync, passengers: { sessions: passengerSessions, pairings, hub: resumeHub, reset: flightReset }, stop };
}

async function main(): Promise<void> {
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
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running.stop().then(() => process.exit(0), (error) => {
        log.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      });
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
