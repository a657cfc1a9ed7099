/**
 * ifec-sync: the gate data loader. USB bundles and the aircraft's key from a maintenance
 * laptop, against a running appliance (over HTTP, as a crew member with the maintenance or
 * purser role) or on the data dir of a stopped one (the same IFEC_* environment as the
 * appliance: IFEC_DATA_DIR, IFEC_GROUND_PUBLIC_KEY...). Transfers show a progress bar.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import {
  BUNDLE_SUMMARY_HEADER,
  type DownlinkImportSummary,
  downlinkImportSummary,
  type ErrorCode,
  IfecError,
  maintenancePaths,
  syncErrorInWords,
  type UplinkExportSummary,
  uplinkExportSummary,
} from '@ifec/protocol';
import { BundleRefused } from '@ifec/protocol/node';
import cliProgress from 'cli-progress';
import { pino } from 'pino';
import { currentAircraft } from '../aircraft/provisioning.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { fsyncTree, markCleanStop, takeCleanStop } from '../store/clean-stop.ts';
import { lockDataDir } from '../store/data-dir-lock.ts';
import { DurableRecords } from '../store/durable-records.ts';
import { Journal } from '../store/journal.ts';
import { Store } from '../store/store.ts';
import { AUDIT, applyAudit, GroundAudit } from './audit.ts';
import { SyncBundles } from './bundles.ts';
import { SyncHistory } from './history.ts';
import { AIRCRAFT_KEY_FILE, NoAircraftKeyError, readGroundPublicKey, readIdentity } from './identity.ts';
import { Outbox, toGround } from './outbox.ts';
import { GroundPublications, PublicationRefused } from './publications.ts';
import { applySyncCheckpoints, SYNC_CHECKPOINTS, SyncState } from './sync-state.ts';

export const USAGE = `usage: ifec-sync <command> [options]

  public-key                    this aircraft's public key, to register on the ground
                                (ifec-ground aircraft register <tenant> <tail> <file>)
  status                        link, backlog, last sync and last error (--appliance only)
  export-bundle <out-file>      uplink bundle for the ground: the records it has not acknowledged
  import-bundle <file>          downlink bundle from the ground: acknowledgements, publications, files

  --appliance <url>             a running appliance, e.g. http://10.0.0.1:8080 (crew login with
                                --crew <id> and the PIN in CREW_PIN, or asked on the terminal)
  without --appliance           the data dir of a stopped appliance (IFEC_DATA_DIR, default /var/lib/ifec)
  -h, --help                    this text

exit codes: 0 done (also "already imported, nothing to do"), 2 usage or config, 3 refused (reason printed)
`;

export class UsageError extends IfecError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** The ground or the aircraft refused a bundle; `code` is the SCREAMING_SNAKE refusal. */
export class SyncRefused extends IfecError {}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Draw a live bar (a terminal); otherwise one line per quarter. */
  tty?: boolean;
  /** The crew PIN when not in CREW_PIN (asked on a terminal). */
  askPin?: () => Promise<string>;
}

interface Options {
  appliance?: string;
  crew?: string;
  positional: string[];
  help: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { positional: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') o.help = true;
    else if (a === '--appliance' || a === '--crew') {
      const value = argv[++i];
      if (!value || value.startsWith('--')) throw new UsageError(`${a} needs a value`);
      if (a === '--appliance') o.appliance = value.replace(/\/+$/, '');
      else o.crew = value;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else o.positional.push(a);
  }
  return o;
}

const COMMANDS: Record<string, number> = { 'public-key': 0, status: 0, 'export-bundle': 1, 'import-bundle': 1 };

export async function runSyncCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const o = parseArgs(argv);
  const [command, file, ...extra] = o.positional;
  if (o.help || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (!command) throw new UsageError('no command given');
  if (!(command in COMMANDS)) throw new UsageError(`unknown command ${command}`);
  if ((COMMANDS[command] === 1 && !file) || extra.length || (COMMANDS[command] === 0 && file))
    throw new UsageError(`${command}: wrong arguments`);
  if (o.appliance) return overHttp(command, file, o, env, io);
  if (command === 'status')
    throw new UsageError('status needs --appliance <url> (a stopped appliance has no link state)');
  return onDataDir(command, file, env, io);
}

// ---- against a running appliance ---------------------------------------------------------

async function overHttp(
  command: string,
  file: string | undefined,
  o: Options,
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<number> {
  const base = o.appliance!;
  if (!/^https?:\/\/[^/]+/.test(base))
    throw new UsageError(`--appliance ${base}: give an http(s) URL such as http://10.0.0.1:8080`);
  if (!o.crew) throw new UsageError('--appliance needs --crew <crew id> (maintenance or purser)');
  const pin = env.CREW_PIN ?? (await io.askPin?.());
  if (!pin) throw new UsageError('set CREW_PIN to the crew PIN (or run on a terminal to be asked)');
  const login = await call(`${base}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: o.crew, pin }),
  });
  const token = ((await login.json()) as { token: string }).token;
  const auth = { authorization: `Bearer ${token}` };
  if (command === 'public-key' || command === 'status') {
    const body = (await (await call(`${base}${maintenancePaths.sync}`, { headers: auth })).json()) as {
      aircraftId: string;
      publicKey: string;
      publicKeyFingerprint: string;
      lastErrorInWords: string | null;
      status: {
        link: string;
        state: string;
        backlog: { critical: number; bulk: number };
        lastContactAt: string | null;
        nextAttemptAt: string | null;
      };
    };
    if (command === 'public-key') {
      io.err(`aircraft ${body.aircraftId}, key fingerprint ${body.publicKeyFingerprint.slice(0, 16)}…\n`);
      io.out(body.publicKey);
    } else {
      const s = body.status;
      io.out(
        `aircraft ${body.aircraftId}: link ${s.link}, ${s.state}; backlog ${s.backlog.critical} critical, ${s.backlog.bulk} bulk; last sync ${s.lastContactAt ?? 'never'}; next attempt ${s.nextAttemptAt ?? '-'}\n`,
      );
      if (body.lastErrorInWords) io.out(`last error: ${body.lastErrorInWords}\n`);
    }
    return 0;
  }
  if (command === 'export-bundle') {
    const res = await call(`${base}${maintenancePaths.exportBundle}`, { method: 'POST', headers: auth });
    const summary = uplinkExportSummary.parse(JSON.parse(res.headers.get(BUNDLE_SUMMARY_HEADER) ?? 'null'));
    const bar = progress(io, 'download', Number(res.headers.get('content-length') ?? summary.bytes));
    const counted = counter((n) => bar.update(n));
    await pipeline(Readable.fromWeb(res.body as never), counted, fs.createWriteStream(path.resolve(file!)));
    bar.stop();
    io.out(describeExport(summary, file!));
    return 0;
  }
  const size = statBundle(file!);
  const bar = progress(io, 'upload', size);
  const body = Readable.toWeb(fs.createReadStream(path.resolve(file!)).pipe(counter((n) => bar.update(n))));
  const res = await call(`${base}${maintenancePaths.importBundle}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: body as never,
    duplex: 'half',
  } as RequestInit);
  bar.stop();
  io.out(describeImport(downlinkImportSummary.parse(((await res.json()) as { imported: unknown }).imported)));
  return 0;
}

/** fetch that turns an error answer into SyncRefused (422) or a plain error with the appliance's words. */
async function call(url: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new UsageError(`cannot reach the appliance at ${new URL(url).origin}${cause ? ` (${cause})` : ''}`);
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  const code = body.error?.code ?? `HTTP_${res.status}`;
  const message = body.error?.message ?? res.statusText;
  if (res.status === 422) throw new SyncRefused(code as ErrorCode, message);
  throw new UsageError(`${code}: ${message}`);
}

// ---- on a stopped appliance's data dir ---------------------------------------------------

async function onDataDir(
  command: string,
  file: string | undefined,
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<number> {
  const config = loadConfig(env);
  const groundKey = readGroundPublicKey(config.groundPublicKey); // names IFEC_GROUND_PUBLIC_KEY when it is wrong, before anything
  // Never creates anything: a key made here would belong to no aircraft.
  if (!fs.existsSync(path.join(config.dataDir, AIRCRAFT_KEY_FILE))) {
    throw new UsageError(
      `no aircraft is provisioned in ${config.dataDir} (no ${AIRCRAFT_KEY_FILE}): set IFEC_DATA_DIR to the aircraft's data dir, or use --appliance <url>`,
    );
  }
  const identity = readIdentity(config.dataDir);
  if (command === 'public-key') {
    io.err(`aircraft key in ${config.dataDir}, fingerprint ${identity.fingerprint.slice(0, 16)}…\n`);
    io.out(identity.publicKeyPem);
    return 0;
  }
  if (file && command === 'import-bundle') statBundle(file);
  const lock = lockDataDir(config.dataDir);
  if (lock.tookOverStaleLock) {
    lock.release();
    throw new UsageError(
      'the appliance did not stop cleanly: start it once (it replays its journal), stop it, then run this again',
    );
  }
  const log = pino({ level: 'warn' });
  const cleanThrough = takeCleanStop(config.dataDir, true);
  const store = await Store.open(path.join(config.dataDir, 'pglite'), log);
  const journal = await Journal.open(path.join(config.dataDir, 'journal.log'));
  // Only a store known to hold the whole journal may be read without replaying it.
  const clean = cleanThrough !== undefined && !store.rebuilt && journal.lastSeq <= cleanThrough;
  try {
    if (!clean) {
      throw new UsageError(
        'the appliance did not stop cleanly: start it once (it replays its journal), stop it, then run this again',
      );
    }
    const aircraft = await currentAircraft(store);
    if (!aircraft) throw new UsageError(`no aircraft is provisioned in ${config.dataDir}`);
    const records = new DurableRecords(journal, store, log);
    records.register(AUDIT, toGround(applyAudit));
    records.register(SYNC_CHECKPOINTS, applySyncCheckpoints);
    const outbox = new Outbox(store, records);
    const state = new SyncState(store, records);
    await state.load();
    const publications = new GroundPublications({
      store,
      groundKey,
      aircraftId: aircraft.tailNumber,
      dir: path.join(config.dataDir, 'sync'),
      log,
    });
    const audit = new GroundAudit(records);
    const bundles = new SyncBundles({
      aircraftId: aircraft.tailNumber,
      privateKey: identity.privateKey,
      groundKey,
      outbox,
      state,
      publications,
      batchRecords: config.syncBatchRecords,
      audit: (e) => audit.record(e),
    });
    // The maintenance screen lists what the laptop did too.
    const history = new SyncHistory(store);
    await history.load();
    try {
      if (command === 'export-bundle') {
        const { summary } = await bundles.exportUplink(path.resolve(file!), 'maintenance-cli');
        await history.add({
          kind: 'bundle-export',
          ok: true,
          link: 'usb',
          summary: `bundle ${summary.sequence} (ifec-sync): ${summary.records} records, ${summary.bytes} bytes`,
        });
        io.out(describeExport(summary, file!));
      } else {
        const r = await bundles.importDownlink(path.resolve(file!), 'maintenance-cli');
        await history.add({
          kind: 'bundle-import',
          ok: true,
          link: 'usb',
          summary: `${describeImport(r)
            .trim()
            .replace(/^downlink /, '')} (ifec-sync)`,
        });
        io.out(describeImport(r));
      }
    } catch (error) {
      if (error instanceof BundleRefused || error instanceof PublicationRefused) {
        const code = error instanceof BundleRefused ? error.code.toUpperCase().replaceAll('-', '_') : error.code;
        await history.add({
          kind: command === 'export-bundle' ? 'bundle-export' : 'bundle-import',
          ok: false,
          link: 'usb',
          code,
          summary: `${code}: ${error.message} (ifec-sync)`,
        });
      }
      throw error;
    }
    return 0;
  } finally {
    await journal.close();
    await store.close();
    // Stopped cleanly again: the appliance's next start replays nothing.
    if (clean) {
      fsyncTree(store.dir);
      markCleanStop(config.dataDir, journal.lastSeq);
    }
    lock.release();
  }
}

// ---- words and bars ----------------------------------------------------------------------

export function describeExport(s: UplinkExportSummary, file: string): string {
  const range = (name: string, r: UplinkExportSummary['critical']) =>
    r.records ? `${name} ${r.records} (seq ${r.after + 1}..${r.through})` : `${name} none`;
  return (
    `uplink bundle ${s.sequence} for ${s.aircraftId}: ${s.records} records in ${s.batches} batches ` +
    `(${range('critical', s.critical)}, ${range('bulk', s.bulk)}), ` +
    `${s.bytes} bytes, publications acknowledged through ${s.publicationsAcknowledged} -> ${file}\n`
  );
}

export function describeImport(r: DownlinkImportSummary): string {
  if (r.alreadyImported) return `downlink bundle ${r.sequence}: already imported, nothing to do\n`;
  const activated = r.activated
    .map((p) => `${p.kind} ${p.name} v${p.version} ${p.state}${p.reason ? ` (${p.reason})` : ''}`)
    .join(', ');
  return (
    `downlink bundle ${r.sequence}: ${r.publications} publications (${r.applied} new), ${r.files} files; ` +
    `activated: ${activated || 'none'}; acked critical ${r.acked.critical} bulk ${r.acked.bulk}\n`
  );
}

function statBundle(file: string): number {
  try {
    return fs.statSync(path.resolve(file)).size;
  } catch {
    throw new UsageError(`cannot read the bundle file ${file}`);
  }
}

function counter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      onBytes(total);
      done(null, chunk);
    },
  });
}

/** A bar on a terminal; otherwise `upload 25% (…/… bytes)` lines, so logs and tests see it too. */
function progress(io: CliIo, label: string, total: number): { update(n: number): void; stop(): void } {
  if (io.tty) {
    const bar = new cliProgress.SingleBar(
      { format: ` ${label} |{bar}| {percentage}% | {value}/{total} bytes | ETA {eta_formatted}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(1, total), 0);
    return { update: (n) => bar.update(Math.min(n, Math.max(1, total))), stop: () => bar.stop() };
  }
  let shown = -1;
  const line = (n: number) => {
    const quarter = total > 0 ? Math.floor((n / total) * 4) : 4;
    if (quarter <= shown) return;
    shown = quarter;
    io.err(`${label} ${quarter * 25}% (${n}/${total} bytes)\n`);
  };
  line(0);
  return { update: line, stop: () => line(total) };
}

function askPinOnTerminal(): Promise<string> {
  return new Promise((resolve) => {
    process.stderr.write('crew PIN: ');
    const stdin = process.stdin;
    stdin.setRawMode?.(true);
    let pin = '';
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode?.(false);
          stdin.off('data', onData);
          stdin.pause();
          process.stderr.write('\n');
          return resolve(pin);
        }
        if (ch === '\u0003') process.exit(130);
        pin += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Exit code and the one line printed for an error. */
export function describeFailure(error: unknown): { code: number; line: string } {
  const e = error as Error & { code?: string };
  if (error instanceof BundleRefused) {
    const code = e.code!.toUpperCase().replaceAll('-', '_');
    return { code: 3, line: `refused: ${code}: ${e.message}\n  ${syncErrorInWords(`${code}: x`)}` };
  }
  if (error instanceof SyncRefused || error instanceof PublicationRefused)
    return { code: 3, line: `refused: ${e.code}: ${e.message}\n  ${syncErrorInWords(`${e.code}: ${e.message}`)}` };
  if (error instanceof UsageError) return { code: 2, line: `${e.message}\n\n${USAGE}` };
  if (error instanceof ConfigError || error instanceof NoAircraftKeyError) return { code: 2, line: e.message };
  return { code: 1, line: `${e.code ? `${e.code}: ` : ''}${e.message}` };
}

/** The command line as a process runs it (bin/ifec-sync.mjs): prints what went wrong, returns the exit code. */
export async function syncCliMain(argv: string[]): Promise<number> {
  try {
    return await runSyncCli(argv, process.env, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      tty: process.stderr.isTTY,
      askPin: process.stdin.isTTY ? askPinOnTerminal : undefined,
    });
  } catch (error) {
    const { code, line } = describeFailure(error);
    process.stderr.write(`ifec-sync: ${line}\n`);
    return code;
  }
}

// `node --import tsx src/sync/cli.ts`; the installed bin is bin/ifec-sync.mjs.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await syncCliMain(process.argv.slice(2));
}
