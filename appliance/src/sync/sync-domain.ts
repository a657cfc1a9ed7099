/**
 * The sync domain: the outbox, the statistics producers, publications from the ground,
 * USB bundles, the sync loop and the crew's sync routes.
 */
import path from 'node:path';
import { type SyncStatus, topics } from '@ifec/protocol';
import type { Logger } from 'pino';
import type { AccessDirectory } from '../access/directory.ts';
import type { ApplianceDomain } from '../domain.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';
import { SyncBundles } from './bundles.ts';
import { syncRouter } from './http.ts';
import { loadOrCreateIdentity, readGroundPublicKey } from './identity.ts';
import { groundOnly, Outbox } from './outbox.ts';
import { GroundPublications } from './publications.ts';
import { GroundStatistics, SEAT_HEALTH_SUMMARY, VIEWING_COUNT } from './statistics.ts';
import { type GroundLink, SyncService } from './sync-service.ts';
import { SyncState } from './sync-state.ts';

export interface SyncConfig {
  dataDir: string;
  groundUrl?: string;
  groundSatcomUrl?: string;
  groundPublicKey?: string;
  syncSatcomBudgetBytes: number;
  syncIntervalMs: number;
  syncBackoffMs: number;
  syncBatchRecords: number;
}

/** Kinds that exist only for the ground. */
export const groundKinds = { [VIEWING_COUNT]: groundOnly, [SEAT_HEALTH_SUMMARY]: groundOnly };

/** Registers the ground-only kinds outside main.ts (tests); call before the journal is replayed. */
export function registerGroundKinds(records: DurableRecords): void {
  for (const [kind, apply] of Object.entries(groundKinds)) records.register(kind, apply);
}

export interface SyncDeps {
  config: SyncConfig;
  store: Store;
  records: DurableRecords;
  directory: AccessDirectory;
  aircraftId: string;
  publish: (topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }) => Promise<void>;
  installContentLoad?: (dir: string) => Promise<unknown>;
  log: Logger;
}

export async function createSync(deps: SyncDeps) {
  const { config, store, log } = deps;
  const identity = loadOrCreateIdentity(config.dataDir);
  const groundKey = readGroundPublicKey(config.groundPublicKey);
  const outbox = new Outbox(store, deps.records);
  const state = new SyncState(store);
  await state.load();
  const publications = new GroundPublications({
    store,
    groundKey,
    aircraftId: deps.aircraftId,
    dir: path.join(config.dataDir, 'sync'),
    installContentLoad: deps.installContentLoad,
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
  });
  const links: GroundLink[] = [
    ...(config.groundUrl ? [{ kind: 'gate' as const, url: config.groundUrl }] : []),
    ...(config.groundSatcomUrl ? [{ kind: 'satcom' as const, url: config.groundSatcomUrl }] : []),
  ];
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
    log,
  });
  const router = syncRouter({
    directory: deps.directory,
    service,
    bundles,
    publications,
    aircraftId: deps.aircraftId,
    publicKeyPem: identity.publicKeyPem,
  });
  return {
    outbox,
    statistics: new GroundStatistics(deps.records),
    publications,
    bundles,
    service,
    router,
    publicKeyPem: identity.publicKeyPem,
    /** Starts the loop when a link is configured; publishes the state either way. */
    async start() {
      if (links.length) service.start();
      else await deps.publish(topics.syncStatus, JSON.stringify(await service.status()), { retain: true, qos: 1 });
    },
    stop: () => service.stop(),
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
