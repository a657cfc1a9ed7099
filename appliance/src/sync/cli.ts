#!/usr/bin/env -S node --import tsx
/**
 * ifec-sync: USB bundles from the command line, for a stopped appliance (the crew console
 * does the same on a running one: POST /api/crew/sync/bundles/export|import). Reads the
 * same IFEC_* environment as the appliance (IFEC_DATA_DIR, IFEC_GROUND_PUBLIC_KEY...).
 *
 *   ifec-sync export-bundle <out-file>    uplink bundle: the outbox not yet acknowledged by the ground
 *   ifec-sync import-bundle <file>        downlink bundle: acknowledgements, publications, files
 *   ifec-sync public-key                  this aircraft's key, to register on the ground
 *
 * Exit codes: 0 done, 2 usage or config, 3 refused (the reason is printed).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { IfecError } from '@ifec/protocol';
import { BundleRefused } from '@ifec/protocol/node';
import { ConfigError, loadConfig } from '../config.ts';
import { lockDataDir } from '../store/data-dir-lock.ts';
import { Store } from '../store/store.ts';
import { currentAircraft } from '../aircraft/provisioning.ts';
import { Outbox } from './outbox.ts';
import { SyncState } from './sync-state.ts';
import { GroundPublications, PublicationRefused } from './publications.ts';
import { SyncBundles } from './bundles.ts';
import { loadOrCreateIdentity, readGroundPublicKey } from './identity.ts';

class UsageError extends IfecError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export async function runSyncCli(argv: string[], env: Record<string, string | undefined>, out: (s: string) => void): Promise<number> {
  const [command, file] = argv;
  const config = loadConfig(env);
  const identity = loadOrCreateIdentity(config.dataDir);
  if (command === 'public-key') {
    out(identity.publicKeyPem);
    return 0;
  }
  if (!file || (command !== 'export-bundle' && command !== 'import-bundle')) throw new UsageError('usage: ifec-sync export-bundle <out-file> | import-bundle <file> | public-key');
  const lock = lockDataDir(config.dataDir);
  const log = pino({ level: 'warn' });
  if (lock.tookOverStaleLock) {
    lock.release();
    throw new UsageError('the appliance did not stop cleanly: start it once (it replays its journal), stop it, then export');
  }
  const store = await Store.open(path.join(config.dataDir, 'pglite'), log);
  try {
    const aircraft = await currentAircraft(store);
    if (!aircraft) throw new UsageError(`no aircraft is provisioned in ${config.dataDir}`);
    // Stopped cleanly: the store holds the whole journal, so the outbox's last seq bounds what it holds.
    const { rows } = await store.query<{ n: number | null }>('SELECT max(seq)::int AS n FROM outbox');
    const outbox = new Outbox(store, { settledThrough: rows[0]?.n ?? 0 });
    const state = new SyncState(store);
    await state.load();
    const publications = new GroundPublications({ store, groundKey: readGroundPublicKey(config.groundPublicKey), aircraftId: aircraft.tailNumber, dir: path.join(config.dataDir, 'sync'), log });
    const bundles = new SyncBundles({ aircraftId: aircraft.tailNumber, privateKey: identity.privateKey, groundKey: readGroundPublicKey(config.groundPublicKey), outbox, state, publications, batchRecords: config.syncBatchRecords });
    if (command === 'export-bundle') {
      const header = await bundles.exportUplink(path.resolve(file));
      out(`uplink bundle ${header.sequence} for ${header.aircraftId}: ${header.blobs.length} batches from acked critical ${header.acked.critical} bulk ${header.acked.bulk} -> ${file}\n`);
    } else {
      const r = await bundles.importDownlink(path.resolve(file));
      out(`downlink bundle ${r.sequence}: ${r.publications} publications, ${r.files} files; acked critical ${r.acked.critical} bulk ${r.acked.bulk}\n`);
    }
    return 0;
  } finally {
    await store.close();
    lock.release();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    process.exitCode = await runSyncCli(process.argv.slice(2), process.env, (s) => process.stdout.write(s));
  } catch (error) {
    const e = error as Error & { code?: string };
    if (error instanceof BundleRefused || error instanceof PublicationRefused) {
      process.stderr.write(`ifec-sync: refused: ${e.code}: ${e.message}\n`);
      process.exitCode = 3;
    } else if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`ifec-sync: ${e.message}\n`);
      process.exitCode = 2;
    } else throw error;
  }
}
