/**
 * ifec-media: the content lab's command line.
 *   ifec-media ingest <source> --meta <title.json> --out <package dir> [--ladder standard|compact] [--force]
 *   ifec-media load build --packages <dir...> --out <dir> --key <ed25519 private key pem> --cycle 2026-12 --airline X --fleet Y
 *   ifec-media load verify <dir> --trust <public key pem> [--trust …] [--at <ISO time>]
 *   ifec-media keygen [--out <dir>] [--name content-signing]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { inspectContentLoad } from '@ifec/protocol/node';
import { MediaError } from './errors.ts';
import { ingestTitle } from './ingest/ingest.ts';
import { isLadderName } from './ingest/ladder.ts';
import { buildContentLoad } from './load/build.ts';
import { readPem, writeSigningKeys } from './load/signing-keys.ts';
import { terminalProgress } from './progress.ts';

const USAGE = `usage:
  ifec-media ingest <source> --meta <title.json> --out <package dir> [--ladder standard|compact] [--force]
  ifec-media load build --packages <dir...> --out <dir> --key <private.pem> --cycle 2026-12 --airline X --fleet Y [--version N] [--expires ISO] [--reco model.json] [--force]
  ifec-media load verify <dir> --trust <public.pem> [--trust <public.pem>...] [--at ISO]
  ifec-media keygen [--out <dir>] [--name content-signing] [--force]`;

const OPTIONS = {
  meta: { type: 'string' },
  out: { type: 'string' },
  ladder: { type: 'string' },
  force: { type: 'boolean' },
  packages: { type: 'string', multiple: true },
  key: { type: 'string' },
  cycle: { type: 'string' },
  airline: { type: 'string' },
  fleet: { type: 'string' },
  id: { type: 'string' },
  version: { type: 'string' },
  expires: { type: 'string' },
  reco: { type: 'string' },
  trust: { type: 'string', multiple: true },
  at: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function need<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw new MediaError('USAGE', `missing ${flag}\n${USAGE}`);
  return value;
}

/** A directory of packages stands for every package in it. */
function expandPackages(dirs: string[]): string[] {
  return dirs.flatMap((dir) => {
    if (fs.existsSync(path.join(dir, 'manifest.json'))) return [dir];
    if (!fs.existsSync(dir)) throw new MediaError('PACKAGE_INVALID', `package directory ${dir} does not exist`);
    const inside = fs
      .readdirSync(dir)
      .map((d) => path.join(dir, d))
      .filter((d) => fs.existsSync(path.join(d, 'manifest.json')));
    if (inside.length === 0) throw new MediaError('PACKAGE_INVALID', `${dir} is not a title package and holds none`);
    return inside.sort();
  });
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  const progress = terminalProgress();
  const log = (line: string) => console.error(line);

  if (command === 'ingest') {
    const source = need(rest[0], '<source>');
    const ladder = values.ladder ?? 'standard';
    if (!isLadderName(ladder)) throw new MediaError('USAGE', `--ladder must be standard or compact, not ${ladder}`);
    const result = await ingestTitle({
      source,
      metaFile: need(values.meta, '--meta <title.json>'),
      out: need(values.out, '--out <dir>'),
      ladder,
      force: values.force,
      progress,
      log,
    });
    progress.stop();
    const m = result.manifest;
    console.log(`\npackage ${m.id} (${m.kind}) -> ${result.dir}`);
    console.log(
      `  ${m.durationS.toFixed(1)} s; video ${m.hls.video.map((v) => v.name).join(', ') || 'none'}; audio ${m.audioLanguages.map((a) => a.language + (a.audioDescription ? ' (AD)' : '')).join(', ') || 'none'}; subtitles ${m.subtitleLanguages.map((s) => s.language + (s.closedCaptions ? ' (CC)' : '')).join(', ') || 'none'}`,
    );
    console.log(
      `  ${m.files.length} files, ${(result.bytes / 1e6).toFixed(1)} MB; key ${m.keyId}; ${result.seconds.total.toFixed(1)} s (transcode ${result.seconds.transcode.toFixed(1)} s)`,
    );
    return 0;
  }

  if (command === 'load' && rest[0] === 'build') {
    const packages = expandPackages([...(values.packages ?? []), ...rest.slice(1)]);
    const version = values.version ? Number(values.version) : undefined;
    if (version !== undefined && !(Number.isInteger(version) && version > 0))
      throw new MediaError('USAGE', '--version must be a positive integer');
    const { dir, load } = await buildContentLoad({
      packages,
      out: need(values.out, '--out <dir>'),
      privateKeyPem: readPem(need(values.key, '--key <private key pem>'), 'signing key'),
      cycle: need(values.cycle, '--cycle 2026-12'),
      airline: need(values.airline, '--airline'),
      fleet: need(values.fleet, '--fleet'),
      id: values.id,
      version,
      expiresAt: values.expires,
      recoModel: values.reco,
      force: values.force,
      progress,
    });
    progress.stop();
    console.log(
      `\nload ${load.id} (cycle ${load.cycle}, version ${load.version}, expires ${load.expiresAt}) -> ${dir}`,
    );
    console.log(`  ${load.packages.length} titles: ${load.packages.map((p) => p.id).join(', ')}`);
    console.log(`  signed by key ${load.signature.keyId.slice(0, 16)}…`);
    return 0;
  }

  if (command === 'load' && rest[0] === 'verify') {
    const dir = need(rest[1], '<load dir>');
    const trust = need(values.trust, '--trust <public key pem>').map((f) => readPem(f, 'trusted key'));
    const at = values.at ? new Date(values.at) : new Date();
    if (Number.isNaN(at.getTime())) throw new MediaError('USAGE', `--at ${values.at} is not a date`);
    const { load, manifests, problems } = await inspectContentLoad(dir, trust, at);
    progress.stop();
    if (problems.length === 0) {
      console.log(
        `ok: load ${load!.id} (cycle ${load!.cycle}, version ${load!.version}): signature good, ${manifests.length} titles, every checksum and licence window good at ${at.toISOString()}`,
      );
      return 0;
    }
    console.log(`REFUSED: ${dir} has ${problems.length} problem(s):`);
    for (const p of problems) console.log(`  [${p.code}] ${p.message}`);
    return 1;
  }

  if (command === 'keygen') {
    const keys = writeSigningKeys(values.out ?? '.', values.name, values.force);
    console.log(
      `private key ${keys.privateKeyFile} (keep it on the ground)\npublic key  ${keys.publicKeyFile} (give it to the aircraft as a trusted key)\nfingerprint ${keys.fingerprint}`,
    );
    return 0;
  }

  throw new MediaError('USAGE', `unknown command ${positionals.join(' ')}\n${USAGE}`);
}

/** Runs one command and returns the exit code: 0 done, 1 refused (one `error [code]` line), 2 usage. */
export async function runMediaCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof MediaError) {
      console.error(`\nerror [${error.code}]: ${error.message}`);
      return error.code === 'USAGE' ? 2 : 1;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`error [usage]: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    console.error(error);
    return 1;
  }
}

// `tsx src/cli.ts …` (npm run ifec-media); the installed bin is bin/ifec-media.mjs.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(await runMediaCli(process.argv.slice(2)));
}
