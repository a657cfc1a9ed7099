/**
 * The sync domain: the outbox, the audit and statistics producers, publications from the
 * ground, USB bundles, the sync loop, the history and the crew's sync routes.
 */
import path from 'node:path';
import { type SeatHealth, type SyncStatus, topics } from '@ifec/protocol';
import type { Logger } from 'pino';
import type { AccessDirectory } from '../access/directory.ts';
import type { ApplianceDomain } from '../domain.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';
import { AUDIT, applyAudit, GroundAudit } from './audit.ts';
import { SyncBundles } from './bundles.ts';
import { SyncHistory } from './history.ts';
import { syncRouter } from './http.ts';
import { loadOrCreateIdentity, readGroundPublicKey } from './identity.ts';
import { groundOnly, Outbox, toGround } from './outbox.ts';
import { GroundPublications } from './publications.ts';
import {
  FlightStatistics,
  GroundStatistics,
  SEAT_HEALTH_SUMMARY,
  VIEWING_COUNT,
  type ViewingContext,
} from './statistics.ts';
import { type GroundLink, SyncService } from './sync-service.ts';
import { applySyncCheckpoints, SYNC_CHECKPOINTS, SyncState } from './sync-state.ts';

export interface SyncConfig {
  dataDir: string;
  groundUrl?: string;
  groundSatcomUrl?: string;
  groundPublicKey?: string;
  syncSatcomBudgetBytes: number;
  syncIntervalMs: number;
  syncBackoffMs: number;
  syncBatchRecords: number;
  seatOfflineAfterS?: number;
}

/** Kinds that exist for the ground: statistics, and the audit (also kept aboard). */
export const groundKinds = {
  [VIEWING_COUNT]: groundOnly,
  [SEAT_HEALTH_SUMMARY]: groundOnly,
  [AUDIT]: toGround(applyAudit),
  [SYNC_CHECKPOINTS]: applySyncCheckpoints,
};

/** Registers the ground kinds outside main.ts (tests); call before the journal is replayed. */
export function registerGroundKinds(records: DurableRecords): void {
  for (const [kind, apply] of Object.entries(groundKinds)) records.register(kind, apply);
}

/** Config the sync domain reads from files, checked before anything starts (ConfigError naming the variable). */
export function checkSyncConfig(config: SyncConfig): void {
  readGroundPublicKey(config.groundPublicKey);
}

/** How often the outbox is looked at for sync/status (an in-memory number: no query unless it moved). */
const OUTBOX_WATCH_MS = 500;

export interface SyncDeps {
  config: SyncConfig;
  store: Store;
  records: DurableRecords;
  directory: AccessDirectory;
  aircraftId: string;
  publish: (topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }) => Promise<void>;
  installContentLoad?: (dir: string) => Promise<unknown>;
  /** For viewing counts: the seat's cabin class and a title's running time. */
  cabin?: {
    classOf(seatId: string): string | undefined;
    durationOf(titleId: string): number | undefined;
    /** Route, region and local hour for a viewing that begins now (the flight domain). */
    viewingContext?(): ViewingContext;
  };
  log: Logger;
}

export async function createSync(deps: SyncDeps) {
  const { config, store, log } = deps;
  const identity = loadOrCreateIdentity(config.dataDir);
  const groundKey = readGroundPublicKey(config.groundPublicKey);
  const outbox = new Outbox(store, deps.records);
  const state = new SyncState(store, deps.records);
  await state.load();
  const history = new SyncHistory(store);
  await history.load();
  const audit = new GroundAudit(deps.records);
  const statistics = new GroundStatistics(deps.records);
  const flight = new FlightStatistics({
    statistics,
    store,
    aircraftId: deps.aircraftId,
    log,
    cabinClassOf: (seatId) => deps.cabin?.classOf(seatId),
    durationOf: (titleId) => deps.cabin?.durationOf(titleId),
    viewingContext: () => deps.cabin?.viewingContext?.() ?? {},
    silenceMs: (config.seatOfflineAfterS ?? 30) * 1000,
  });
  await flight.load();
  const publications = new GroundPublications({
    store,
    groundKey,
    aircraftId: deps.aircraftId,
    dir: path.join(config.dataDir, 'sync'),
    installContentLoad: deps.installContentLoad,
    log,
  });
  const links: GroundLink[] = [
    ...(config.groundUrl ? [{ kind: 'gate' as const, url: config.groundUrl }] : []),
    ...(config.groundSatcomUrl ? [{ kind: 'satcom' as const, url: config.groundSatcomUrl }] : []),
  ];
  // A refused signature is told to the ground once per distinct reason (the loop retries for ever).
  const reported = new Set<string>();
  const reportRefusal = (code: string, message: string) => {
    if (!/SIGNATURE/.test(code) || reported.has(message)) return;
    reported.add(message);
    log.error(
      { code, err: message },
      'signature check failed: the ground key this aircraft trusts is not the one that signed',
    );
    audit
      .record({ actor: 'appliance', action: 'sync.signature-refused', detail: { code, message } })
      .catch(() => reported.delete(message));
  };
  const service = new SyncService({
    aircraftId: deps.aircraftId,
    privateKey: identity.privateKey,
    outbox,
    state,
    publications,
    links,
    satcomBudgetBytes: config.syncSatcomBudgetBytes,
    intervalMs: config.syncIntervalMs,
    backoffBaseMs: config.syncBackoffMs,
    backoffMaxMs: Math.max(config.syncBackoffMs, 60_000),
    batchRecords: config.syncBatchRecords,
    publishStatus: (status: SyncStatus) =>
      deps.publish(topics.syncStatus, JSON.stringify(status), { retain: true, qos: 1 }),
    history,
    onFailure: reportRefusal,
    log,
  });
  const bundles = new SyncBundles({
    aircraftId: deps.aircraftId,
    privateKey: identity.privateKey,
    groundKey,
    outbox,
    state,
    publications,
    batchRecords: config.syncBatchRecords,
    audit: (entry) => audit.record(entry),
    changed: () => service.changed(),
  });
  const router = syncRouter({
    directory: deps.directory,
    service,
    bundles,
    publications,
    history,
    aircraftId: deps.aircraftId,
    identity,
    log,
    reportRefusal,
  });
  let watch: NodeJS.Timeout | undefined;
  return {
    outbox,
    statistics,
    flight,
    audit,
    publications,
    bundles,
    service,
    history,
    router,
    publicKeyPem: identity.publicKeyPem,
    /** For the seat map: every health report feeds the flight's viewing counts and seat summaries. */
    onSeatHealth: (seatId: string, health: SeatHealth) => flight.onHealth(seatId, health),
    /** Reset for next flight: the flight's statistics go to the ground, and the reset is audited. */
    async onFlightReset(report: { reason: string }): Promise<void> {
      const closed = await flight.endFlight();
      // The crew endpoint says 'crew'; the flight phase (landed -> gate) resets on its own.
      await audit.record({
        actor: report.reason === 'crew' ? 'crew' : 'appliance',
        action: 'flight.reset',
        detail: { ...report, ...closed },
      });
      log.info(closed, 'flight closed: viewing counts and seat summaries queued for the ground');
    },
    /** Starts the loop when a link is configured; publishes the state either way, and again whenever the outbox grows. */
    async start() {
      if (links.length) service.start();
      // After ready: counting the backlog reads every unsent outbox row (1 s after 1,000,000
      // records) and nothing on the seat or PA path waits for this state.
      else
        setImmediate(() => {
          service
            .status()
            .then((status) => deps.publish(topics.syncStatus, JSON.stringify(status), { retain: true, qos: 1 }))
            .catch((error) => log.warn({ err: error }, 'sync state not published'));
        });
      let seen = deps.records.settledThrough;
      watch = setInterval(() => {
        if (deps.records.settledThrough === seen) return;
        seen = deps.records.settledThrough;
        service.changed();
      }, OUTBOX_WATCH_MS).unref();
    },
    async stop() {
      clearInterval(watch);
      await flight.flush();
      await service.close();
    },
  };
}

export type RunningSync = Awaited<ReturnType<typeof createSync>>;

export const syncDomain: ApplianceDomain<SyncDeps, RunningSync> = {
  name: 'sync',
  records: groundKinds,
  async open(deps) {
    const sync = await createSync(deps);
    return { api: sync, router: sync.router, start: () => sync.start(), stop: () => sync.stop() };
  },
};
