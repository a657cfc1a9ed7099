/**
 * ifec-ground: the ground's command line (same environment as the server: DATABASE_URL or
 * GROUND_DATA_DIR, GROUND_SIGNING_KEY_FILE). With embedded PGlite, stop the server first or
 * use the admin API: PGlite allows one process.
 *
 *   ifec-ground serve
 *   ifec-ground tenant create <tenantId> <name>          prints the tenant's first API key
 *   ifec-ground key create <tenantId> [label]            prints a new API key
 *   ifec-ground aircraft register <tenantId> <aircraftId> <public-key.pem>
 *   ifec-ground public-key                               the key aircraft must trust (IFEC_GROUND_PUBLIC_KEY)
 *   ifec-ground bundle export <aircraftId> <out-file> [--tenant <id>]
 *   ifec-ground bundle import <file> [--aircraft <id>] [--tenant <id>]
 *   ifec-ground prune [--tenant <id>]                    retention: delete what the tenants' policies allow
 *   ifec-ground signing-key create <file>                a new Ed25519 key for GROUND_SIGNING_KEY_FILE (a secret)
 *   ifec-ground reco train <input.json> <model.json> --version <n>   the recommendation model for the next load
 *   ifec-ground software init|publish|rotate-key|refresh …   signed software (software/cli.ts)
 *
 * Exit codes: 0 done, 2 usage or config, 3 refused (the reason is printed). `--help` prints the
 * usage and exits 0; no command or an unknown one prints it and exits 2. Installed as the bin
 * `ifec-ground` (bin/ifec-ground.mjs runs groundCliMain).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IfecError } from '@ifec/protocol';
import { BundleRefused } from '@ifec/protocol/node';
import { pino } from 'pino';
import { exportDownlinkBundle, importUplinkBundle } from './bundles/bundles.ts';
import { GroundConfigError, loadGroundConfig } from './config.ts';
import { FleetError, registerAircraft } from './fleet/aircraft.ts';
import { openGround, startGround } from './main.ts';
import { RecoInputRefused, trainFromFile, trainFromStore } from './recommendations/model-file.ts';
import { pruneRetained } from './retention/retention.ts';
import { resolveSigningKey, SigningKeyError } from './signing-key.ts';
import { runSoftwareCommand, SOFTWARE_USAGE } from './software/cli.ts';
import { SoftwarePublishError } from './software/publish.ts';
import { SoftwareRepositoryError } from './software/repository.ts';
import { createTenant, issueApiKey, TenantError } from './tenants/tenants.ts';

class UsageError extends IfecError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export const GROUND_USAGE = `usage:
  ifec-ground serve
  ifec-ground tenant create <tenantId> <name>
  ifec-ground key create <tenantId> [label]
  ifec-ground aircraft register <tenantId> <aircraftId> <public-key.pem>
  ifec-ground public-key
  ifec-ground bundle export <aircraftId> <out-file> [--tenant <id>]
  ifec-ground bundle import <file> [--aircraft <id>] [--tenant <id>]
  ifec-ground reco train <input.json> <model.json> --version <n>
${SOFTWARE_USAGE}
  ifec-ground reco train-store <model.json> --tenant <id> --version <n>
environment: DATABASE_URL or GROUND_DATA_DIR, GROUND_PORT, GROUND_HOST, GROUND_SIGNING_KEY_FILE`;
const COMMANDS = new Set(['serve', 'tenant', 'key', 'aircraft', 'public-key', 'bundle', 'reco', 'software']);

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (!value) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return value;
}

export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void,
): Promise<number> {
  try {
    return await runCommand(argv, env, out);
  } catch (error) {
    // A process refused at start (another key on a shared database) says why and exits 3.
    if (!(error instanceof SigningKeyError)) throw error;
    process.stderr.write(`ifec-ground: refused: ${error.code}: ${error.message}\n`);
    return 3;
  }
}

async function runCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void,
): Promise<number> {
  const args = [...argv];
  const tenant = option(args, '--tenant');
  const aircraft = option(args, '--aircraft');
  const versionArg = option(args, '--version');
  const repo = option(args, '--repo') ?? env.GROUND_SOFTWARE_REPO;
  const partNumber = option(args, '--part-number');
  const kind = option(args, '--kind');
  const [command, sub, ...rest] = args;
  if (command === undefined) throw new UsageError('no command');
  if (!COMMANDS.has(command)) throw new UsageError(`unknown command: ${argv.join(' ')}`);
  if (command === 'software') {
    const done = await runSoftwareCommand(
      { sub, rest, repo, partNumber, version: versionArg, kind, tenant, aircraft },
      () => loadGroundConfig(env),
      pino({ level: env.GROUND_LOG_LEVEL ?? 'warn' }),
      out,
    );
    if (done === undefined) throw new UsageError(`usage:\n${SOFTWARE_USAGE}`);
    return done;
  }
  if (command === 'reco' && sub !== 'train-store') {
    const version = Number(versionArg ?? Number.NaN);
    const files = rest;
    if (sub !== 'train' || files.length !== 2 || !Number.isInteger(version) || version < 1)
      throw new UsageError('usage: ifec-ground reco train <input.json> <model.json> --version <n>');
    const r = trainFromFile(path.resolve(files[0]!), path.resolve(files[1]!), version, new Date());
    out(`recommendation model v${r.version}: ${r.titles} titles, ${r.bytes} bytes -> ${files[1]}\n`);
    return 0;
  }
  const config = loadGroundConfig(env);
  const log = pino({ level: env.GROUND_LOG_LEVEL ?? 'warn' });
  if (command === 'signing-key' && sub === 'create' && rest.length === 1) {
    const file = path.resolve(rest[0]!);
    if (fs.existsSync(file)) throw new UsageError(`${file} exists: refusing to replace a signing key`);
    const key = resolveSigningKey({ file, configured: false });
    key.persist();
    out(`signing key written to ${file} (fingerprint ${key.fingerprint}); aircraft trust:\n${key.publicKeyPem}`);
    return 0;
  }
  if (command === 'serve') {
    const running = await startGround(config, log, {
      onListening: (url) => out(`ground sync listening on ${url}, opening the store\n`),
    });
    out(`ground sync on ${running.url} (store: ${running.db.kind})\n`);
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const)
        process.once(signal, () => void running.stop().then(resolve));
    });
    return 0;
  }
  const signs = (command === 'bundle' && sub === 'export') || command === 'public-key';
  const ground = await openGround(config, log, { claimKey: signs });
  try {
    if (command === 'reco' && sub === 'train-store') {
      // From the ground's own viewing_counts table and the opted-in watch histories.
      const version = Number(versionArg ?? Number.NaN);
      if (rest.length !== 1 || !tenant || !Number.isInteger(version) || version < 1)
        throw new UsageError('usage: ifec-ground reco train-store <model.json> --tenant <id> --version <n>');
      const r = await trainFromStore(ground.db, tenant, path.resolve(rest[0]!), version, new Date());
      out(
        `recommendation model v${r.version} from ${r.viewings} viewing counts and ${r.sessions} watch histories: ${r.titles} titles, ${r.bytes} bytes -> ${rest[0]}\n`,
      );
      return 0;
    }
    if (command === 'tenant' && sub === 'create' && rest.length === 2) {
      const { apiKey } = await createTenant(ground.db, rest[0]!, rest[1]!);
      out(`tenant ${rest[0]} created; API key (shown once): ${apiKey}\n`);
    } else if (command === 'key' && sub === 'create' && rest.length >= 1) {
      out(`${await issueApiKey(ground.db, rest[0]!, rest[1] ?? 'cli')}\n`);
    } else if (command === 'aircraft' && sub === 'register' && rest.length === 3) {
      await registerAircraft(ground.db, rest[0]!, rest[1]!, fs.readFileSync(rest[2]!, 'utf8'));
      out(`aircraft ${rest[1]} registered for ${rest[0]}\n`);
    } else if (command === 'prune' && sub === undefined) {
      const r = await pruneRetained(ground.db, { tenantId: tenant });
      out(
        r.skipped
          ? 'another ground process is pruning; nothing done\n'
          : `pruned ${r.records} records and ${r.errors} error entries\n`,
      );
    } else if (command === 'public-key') {
      out(ground.publicKeyPem);
    } else if (command === 'bundle' && sub === 'export' && rest.length === 2) {
      const header = await exportDownlinkBundle(ground.db, ground.signingKey, rest[0]!, path.resolve(rest[1]!), {
        tenantId: tenant,
      });
      out(
        `downlink bundle ${header.sequence} for ${header.aircraftId}: ${header.publications.length} publications, ${header.blobs.length} files, acks critical ${header.acked.critical} bulk ${header.acked.bulk} -> ${rest[1]}\n`,
      );
    } else if (command === 'bundle' && sub === 'import' && rest.length === 1) {
      const r = await importUplinkBundle(ground.db, path.resolve(rest[0]!), { tenantId: tenant, aircraftId: aircraft });
      out(
        r.alreadyImported
          ? `uplink bundle ${r.sequence} from ${r.aircraftId}: already imported, nothing to do\n`
          : `uplink bundle ${r.sequence} from ${r.aircraftId}: ${r.batches} batches, ${r.records} records, ${r.stored} new; acked critical ${r.acked.critical} bulk ${r.acked.bulk}\n`,
      );
    } else {
      throw new UsageError(`unknown command: ${argv.join(' ')}`);
    }
    return 0;
  } finally {
    await ground.close();
  }
}

/** The command line as a process runs it: prints what went wrong, returns the exit code. */
export async function groundCliMain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${GROUND_USAGE}\n`);
    return 0;
  }
  try {
    return await runCli(argv, process.env, (s) => process.stdout.write(s));
  } catch (error) {
    const e = error as Error & { code?: string };
    if (
      error instanceof BundleRefused ||
      error instanceof FleetError ||
      error instanceof TenantError ||
      error instanceof RecoInputRefused ||
      error instanceof SoftwareRepositoryError ||
      error instanceof SoftwarePublishError
    ) {
      process.stderr.write(`ifec-ground: refused: ${e.code}: ${e.message}\n`);
      return 3;
    }
    if (error instanceof UsageError || error instanceof GroundConfigError) {
      process.stderr.write(`ifec-ground: ${e.message}\n${GROUND_USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

// `node --import tsx src/cli.ts …`; the installed bin is bin/ifec-ground.mjs.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await groundCliMain(process.argv.slice(2));
}
