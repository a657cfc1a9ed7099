/**
 * `npm run image -- seat|server [options]`: builds a unit image into a folder and a GPT A/B
 * disk-image file (see build.ts). Needs root (mmdebstrap's root mode), mmdebstrap, mke2fs,
 * sfdisk, mkfs.vfat and mtools; Debian's packages come from the mirror.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildImage, raucBundle } from './build.ts';
import { RECIPES, type Target } from './recipes.ts';

export const USAGE = `usage: ifec-image <seat|server> [options]   (from the repository: npm run image -- <seat|server>)

  --out <dir>             output folder (default: images/out/<target>)
  --mirror <url>          Debian mirror (default http://deb.debian.org/debian)
  --keyring <pem>         the airline's RAUC signing CA the unit will trust
                          (default: a development key pair made in <out>/dev-signing)
  --kiosk-runtime <dir>   seat: electron-builder's linux-unpacked folder (the Electron runtime)
  --bundle                also make the RAUC bundle of the slot: <out>/<target>-<version>.raucb
  --bundle-cert <pem>     its signer's certificate and key (under the --keyring CA; without a
  --bundle-key <pem>      keyring, the development pair signs)
  --version <v>           software version (default: package version + git commit)
  --folder-only           stop after the root folder (no disk image)
`;

export async function imageCli(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const target = positionals[0] as Target | undefined;
  if (!target || !(target in RECIPES) || positionals.length !== 1) {
    process.stderr.write(`name one target: seat or server\n\n${USAGE}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('ifec-image: run as root (mmdebstrap builds the root file system in root mode)\n');
    return 2;
  }
  // `npm run image` runs in images/: paths given on the command line are relative to where it was typed.
  const here = process.env.INIT_CWD ?? process.cwd();
  const abs = (p: string | undefined) => (p === undefined ? undefined : path.resolve(here, p));
  const out = abs(values.out) ?? path.resolve(import.meta.dirname, '../../out', target);
  const started = Date.now();
  const built = await buildImage(RECIPES[target], {
    out,
    mirror: values.mirror,
    keyring: abs(values.keyring),
    kioskRuntime: abs(values['kiosk-runtime']),
    folderOnly: values['folder-only'],
    version: values.version,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  if (built.disk && (values.bundle || values['bundle-cert'])) {
    if (!values['bundle-cert'] && values.keyring) {
      process.stderr.write(
        'ifec-image: --bundle with --keyring needs --bundle-cert and --bundle-key (the signer under that CA)\n',
      );
      return 2;
    }
    const cert = abs(values['bundle-cert']) ?? path.join(out, 'dev-signing/cert.pem');
    const key = abs(values['bundle-key']) ?? path.join(out, 'dev-signing/key.pem');
    const bundle = raucBundle(built, cert, key, path.join(out, `${target}-${built.version}.raucb`));
    process.stdout.write(`RAUC bundle  ${bundle}\n`);
  }
  process.stdout.write(
    `${target} ${built.version} built in ${Math.round((Date.now() - started) / 1000)} s\n` +
      `  root folder  ${built.rootfs}\n` +
      (built.disk ? `  disk image   ${built.disk.file} (sha256 ${built.disk.sha256})\n` : '') +
      `  manifest     ${path.join(out, 'image.json')}\n`,
  );
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      mirror: { type: 'string' },
      keyring: { type: 'string' },
      'kiosk-runtime': { type: 'string' },
      'bundle-cert': { type: 'string' },
      'bundle-key': { type: 'string' },
      version: { type: 'string' },
      'folder-only': { type: 'boolean' },
      bundle: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = await imageCli(process.argv.slice(2));
