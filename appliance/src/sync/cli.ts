/**
 * ifec-sync: USB bundles from the command line, for a stopped appliance (the crew console
 * does the same on a running one: POST /api/crew/sync/bundles/export|import). Reads the
 * same IFEC_* environment as the appliance (IFEC_DATA_DIR, IFEC_GROUND_PUBLIC_KEY...).
 *
 *   ifec-sync export-bundle <out-file>    uplink bundle: the outbox not yet acknowledged by the ground
 *   ifec-sync import-bundle <file>        downlink bundle: acknowledgements, publications, files
 *   ifec-sync public-key                  this aircraft's key, to register on the ground
 *
 * Exit codes: 0 done, 2 usage or config, 3 refused (the reason is printed). `--help` prints the
 * usage and exits 0; no command or an unknown one prints it and exits 2. Installed as the bin
 * `ifec-sync` (bin/ifec-sync.mjs runs syncCliMain).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

export const SYNC_USAGE = `usage:
  ifec-sync export-bundle <out-file>    uplink bundle: the outbox not yet acknowledged by the ground
  ifec-sync import-bundle <file>        downlink bundle: acknowledgements, publications, files
  ifec-sync public-key                  this aircraft's key, to register on the ground
for a stopped appliance; reads the appliance's IFEC_* environment (IFEC_DATA_DIR, IFEC_GROUND_PUBLIC_KEY...)`;
const SYNC_COMMANDS = new Set(['export-bundle', 'import-bundle', 'public-key']);

/** The command line as a process runs it: prints what went wrong, returns the exit code. */
export async function syncCliMain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${SYNC_USAGE}\n`);
    return 0;
  }
  if (!SYNC_COMMANDS.has(argv[0] ?? '')) {
    process.stderr.write(`ifec-sync: ${argv.length ? `unknown command: ${argv.join(' ')}` : 'no command'}\n${SYNC_USAGE}\n`);
    return 2;
  }
  try {
    return await runSyncCli(argv, process.env, (s) => process.stdout.write(s));
  } catch (error) {
    const e = error as Error & { code?: string };
    if (error instanceof BundleRefused || error instanceof PublicationRefused) {
      process.stderr.write(`ifec-sync: refused: ${e.code}: ${e.message}\n`);
      return 3;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`ifec-sync: ${e.message}\n`);
      return 2;
    }
    throw error;
  }
}

// `node --import tsx src/sync/cli.ts …`; the installed bin is bin/ifec-sync.mjs.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await syncCliMain(process.argv.slice(2));
}
