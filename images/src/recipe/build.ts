/**
 * Builds a unit image from its recipe: a Debian bookworm root file system in a folder
 * (mmdebstrap from Debian's packages), our files on top (units, fstab, RAUC's config, the
 * programs), then a GPT disk-image file with the EFI partition, slot A filled from the folder
 * (`mke2fs -d`, no mount), an empty slot B and the data partition; and the slot's ext4 on its
 * own, which is what a RAUC bundle carries. `image.json` records what was built and its sha256.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { ext4FromFolder, partition, partitionDisk, vfatFromFolder } from './disk-image.ts';
import { customizeHooks, FACTORY_GRUBENV, mmdebstrapArgs, type Recipe, systemConf } from './recipes.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const IMAGES_DIR = path.resolve(here, '../..');
export const REPO_DIR = path.resolve(IMAGES_DIR, '..');

export interface BuildOptions {
  /** Output folder: <out>/rootfs, <out>/<target>.img, <out>/rootfs.ext4, <out>/image.json. */
  out: string;
  mirror?: string;
  /** RAUC keyring (the airline's signing CA, PEM). Without it a development key pair is made in <out>/dev-signing. */
  keyring?: string;
  /** Seat: an Electron runtime folder for the kiosk (electron-builder's linux-unpacked output). */
  kioskRuntime?: string;
  /** Stop after the root folder (the slower disk image step skipped). */
  folderOnly?: boolean;
  version?: string;
  log?: (line: string) => void;
}

export interface BuiltImage {
  target: string;
  version: string;
  compatible: string;
  rootfs: string;
  disk?: { file: string; sha256: string; size: number };
  slotImage?: { file: string; sha256: string; size: number };
  kiosk?: { app: string; runtime: string | null };
  keyring: string;
  warnings: string[];
}

export async function buildImage(recipe: Recipe, options: BuildOptions): Promise<BuiltImage> {
  const log = options.log ?? (() => {});
  const out = path.resolve(options.out);
  const rootfs = path.join(out, 'rootfs');
  const version = options.version ?? defaultVersion();
  const warnings: string[] = [];
  fs.mkdirSync(out, { recursive: true });
  fs.rmSync(rootfs, { recursive: true, force: true });

  log(`${recipe.target}: Debian ${recipe.packages.length} packages with mmdebstrap into ${rootfs}`);
  execFileSync(
    'mmdebstrap',
    [
      '--quiet',
      ...mmdebstrapArgs(recipe, rootfs, options.mirror ?? 'http://deb.debian.org/debian', customizeHooks(recipe)),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );

  log('our files: units, fstab, RAUC, identity link');
  copyTree(path.join(IMAGES_DIR, 'rootfs/common/etc'), path.join(rootfs, 'etc'));
  copyTree(path.join(IMAGES_DIR, `rootfs/${recipe.target}/etc`), path.join(rootfs, 'etc'));
  fs.mkdirSync(path.join(rootfs, 'etc/rauc'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'etc/rauc/system.conf'), systemConf(recipe));
  const keyring = options.keyring ? path.resolve(options.keyring) : devKeyring(out, warnings);
  fs.copyFileSync(keyring, path.join(rootfs, 'etc/rauc/keyring.pem'));
  fs.writeFileSync(path.join(rootfs, 'etc/hostname'), `${recipe.hostname}\n`);
  // An empty machine-id: systemd makes a transient one on a read-only root.
  fs.writeFileSync(path.join(rootfs, 'etc/machine-id'), '');
  for (const dir of ['data', 'boot/efi']) fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
  // The identity lives on the data partition (written by ifec-flash), so it survives updates.
  fs.rmSync(path.join(rootfs, 'etc/ifec'), { recursive: true, force: true });
  fs.symlinkSync('/data/ifec', path.join(rootfs, 'etc/ifec'));
  fs.writeFileSync(
    path.join(rootfs, 'etc/ifec-release'),
    `IFEC_TARGET=${recipe.target}\nIFEC_VERSION=${version}\nIFEC_COMPATIBLE=${recipe.compatible}\nIFEC_IDENTITY=${recipe.identityFile}\n`,
  );

  log('programs: Node, the update agent, the kiosk or the appliance');
  const nodeDir = path.join(rootfs, 'opt/ifec/node/bin');
  fs.mkdirSync(nodeDir, { recursive: true });
  fs.copyFileSync(process.execPath, path.join(nodeDir, 'node'));
  fs.chmodSync(path.join(nodeDir, 'node'), 0o755);
  bundleUpdateAgent(path.join(rootfs, 'opt/ifec/update-agent/agent.mjs'));
  let kiosk: BuiltImage['kiosk'];
  if (recipe.target === 'seat') kiosk = installKiosk(rootfs, options.kioskRuntime, warnings);
  else installAppliance(rootfs, log);

  execFileSync('systemctl', ['--root', rootfs, 'enable', ...recipe.units], { stdio: 'ignore' });
  if (recipe.masked?.length)
    execFileSync('systemctl', ['--root', rootfs, 'mask', ...recipe.masked], { stdio: 'ignore' });
  execFileSync(
    'systemctl',
    ['--root', rootfs, 'set-default', recipe.target === 'seat' ? 'graphical.target' : 'multi-user.target'],
    {
      stdio: 'ignore',
    },
  );

  const built: BuiltImage = {
    target: recipe.target,
    version,
    compatible: recipe.compatible,
    rootfs,
    kiosk,
    keyring,
    warnings,
  };
  if (!options.folderOnly) {
    log('disk image: GPT efi / rootfs_a / rootfs_b / data');
    Object.assign(built, await diskImage(recipe, rootfs, out));
  }
  fs.writeFileSync(path.join(out, 'image.json'), `${JSON.stringify(built, null, 2)}\n`);
  for (const w of warnings) log(`warning: ${w}`);
  return built;
}

async function diskImage(recipe: Recipe, rootfs: string, out: string): Promise<Pick<BuiltImage, 'disk' | 'slotImage'>> {
  const file = path.join(out, `${recipe.target}.img`);
  const parts = partitionDisk(file, recipe.partitions);
  const esp = path.join(out, 'esp');
  fs.rmSync(esp, { recursive: true, force: true });
  fs.mkdirSync(path.join(esp, 'EFI/BOOT'), { recursive: true });
  fs.copyFileSync(
    path.join(IMAGES_DIR, 'rootfs/common/boot-efi/EFI/BOOT/grub.cfg'),
    path.join(esp, 'EFI/BOOT/grub.cfg'),
  );
  fs.copyFileSync(path.join(rootfs, 'usr/lib/ifec/BOOTX64.EFI'), path.join(esp, 'EFI/BOOT/BOOTX64.EFI'));
  fs.writeFileSync(path.join(esp, 'EFI/BOOT/grubenv'), grubenv(FACTORY_GRUBENV));
  vfatFromFolder(file, partition(parts, 'efi'), esp);
  ext4FromFolder(file, partition(parts, 'rootfs_a'), rootfs, 'rootfs');
  const data = path.join(out, 'data');
  fs.rmSync(data, { recursive: true, force: true });
  for (const dir of ['ifec', 'rauc', 'update-agent']) fs.mkdirSync(path.join(data, dir), { recursive: true });
  ext4FromFolder(file, partition(parts, 'data'), data, 'data');
  // The slot on its own: what goes into a RAUC bundle for the next update.
  const slot = path.join(out, 'rootfs.ext4');
  fs.rmSync(slot, { force: true });
  execFileSync(
    'mke2fs',
    [
      '-q',
      '-F',
      '-t',
      'ext4',
      '-O',
      '^has_journal',
      '-L',
      'rootfs',
      '-E',
      'root_owner=0:0',
      '-d',
      rootfs,
      slot,
      `${partition(parts, 'rootfs_a').size / 1024}k`,
    ],
    {
      stdio: 'ignore',
    },
  );
  return { disk: { file, ...(await digest(file)) }, slotImage: { file: slot, ...(await digest(slot)) } };
}

/** grub's environment block: `KEY=value` lines in exactly 1024 bytes, padded with '#'. */
export function grubenv(vars: Record<string, string>): string {
  const body = `# GRUB Environment Block\n${Object.entries(vars)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('')}`;
  if (body.length > 1024) throw new Error('grubenv over 1024 bytes');
  return body + '#'.repeat(1024 - body.length);
}

/** A RAUC bundle of a built slot image, signed with `cert`/`key` (the airline's, or the development pair). */
export function raucBundle(built: BuiltImage, cert: string, key: string, out: string): string {
  if (!built.slotImage) throw new Error('build the disk image first (the bundle carries rootfs.ext4)');
  const content = path.join(path.dirname(built.slotImage.file), 'bundle');
  fs.rmSync(content, { recursive: true, force: true });
  fs.mkdirSync(content);
  fs.linkSync(built.slotImage.file, path.join(content, 'rootfs.ext4'));
  fs.writeFileSync(
    path.join(content, 'manifest.raucm'),
    `[update]\ncompatible=${built.compatible}\nversion=${built.version}\n\n[bundle]\nformat=plain\n\n[image.rootfs]\nfilename=rootfs.ext4\n`,
  );
  fs.rmSync(out, { force: true });
  execFileSync('rauc', ['bundle', `--cert=${cert}`, `--key=${key}`, content, out], { stdio: 'ignore' });
  fs.rmSync(content, { recursive: true });
  return out;
}

function devKeyring(out: string, warnings: string[]): string {
  const dir = path.join(out, 'dev-signing');
  const cert = path.join(dir, 'cert.pem');
  if (!fs.existsSync(cert)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:3072',
        '-nodes',
        '-days',
        '3650',
        '-subj',
        '/O=IFEC development/CN=IFEC development bundle signing',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
  }
  warnings.push(`no --keyring: this image trusts the development signing key in ${dir} only (never ship it)`);
  return cert;
}

function bundleUpdateAgent(outfile: string): void {
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  execFileSync(
    path.join(REPO_DIR, 'node_modules/.bin/esbuild'),
    [
      path.join(IMAGES_DIR, 'src/unit-agent/main.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--outfile=${outfile}`,
      '--log-level=warning',
    ],
    { stdio: 'inherit' },
  );
}

/** The seat's kiosk: the seat app and its Electron main/preload; the Electron runtime when given. */
function installKiosk(rootfs: string, runtime: string | undefined, warnings: string[]): BuiltImage['kiosk'] {
  const seatClient = path.join(REPO_DIR, 'seat-client');
  execFileSync('npm', ['run', 'build:kiosk', '-w', '@ifec/seat-client'], { cwd: REPO_DIR, stdio: 'ignore' });
  const kiosk = path.join(rootfs, 'opt/ifec/kiosk');
  const app = path.join(kiosk, 'resources/app');
  fs.mkdirSync(app, { recursive: true });
  for (const part of ['package.json', 'dist', 'dist-electron'])
    copyTree(path.join(seatClient, part), path.join(app, part));
  let runtimeFrom: string | null = null;
  if (runtime) {
    // electron-builder's linux-unpacked folder: the `ifec-seat` executable and its resources.
    copyTree(path.resolve(runtime), kiosk);
    runtimeFrom = path.resolve(runtime);
  } else {
    warnings.push(
      'no --kiosk-runtime: the kiosk app is in /opt/ifec/kiosk/resources/app but the Electron runtime (/opt/ifec/kiosk/ifec-seat) is not; build it with electron-builder --dir and pass its linux-unpacked folder',
    );
  }
  return { app: '/opt/ifec/kiosk/resources/app', runtime: runtimeFrom };
}

/** The appliance and what it needs at run time (production dependencies only), in /opt/ifec/app. */
export function installAppliance(rootfs: string, log: (line: string) => void): void {
  const app = path.join(rootfs, 'opt/ifec/app');
  fs.mkdirSync(app, { recursive: true });
  const workspaces = ['protocol', 'http-kit', 'media-pipeline', 'appliance'];
  for (const part of ['package-lock.json', ...workspaces])
    copyTree(path.join(REPO_DIR, part), path.join(app, part), (p) => !/\/(node_modules|test|e2e|\.data)(\/|$)/.test(p));
  // Only the server's workspaces: the lock file still pins every version they share with the repo.
  const root = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: root.name, private: true, type: 'module', workspaces, allowScripts: root.allowScripts }, null, 2)}\n`,
  );
  log('npm install --omit=dev for the appliance (from the npm cache of this machine where it can)');
  execFileSync('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: app,
    stdio: 'inherit',
  });
  // The root is read-only at run time: the bundle the appliance starts from (appliance/build.mjs) is made now.
  log('bundling the appliance (esbuild)');
  execFileSync(process.execPath, ['appliance/build.mjs', '--force'], { cwd: app, stdio: 'inherit' });
}

function copyTree(from: string, to: string, keep: (p: string) => boolean = () => true): void {
  if (!fs.existsSync(from)) return;
  fs.cpSync(from, to, { recursive: true, dereference: false, filter: (src) => keep(src) });
}

async function digest(file: string): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return { sha256: hash.digest('hex'), size: fs.statSync(file).size };
}

function defaultVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(IMAGES_DIR, 'package.json'), 'utf8')) as { version: string };
  let commit = 'dev';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
  } catch {}
  return `${pkg.version}+${commit}`;
}
