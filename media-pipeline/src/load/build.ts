/**
 * `ifec-media load build`: title packages -> one signed monthly content load (layout in
 * protocol/src/content.ts). Each package is checked against its own manifest before it goes in;
 * its key moves out of the package tree into `<load>/keys/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CONTENT_SCHEMA_VERSION,
  type ContentLoad,
  describeIssues,
  LOAD_FILE,
  LOAD_KEYS_DIR,
  LOAD_PACKAGES_DIR,
  LOAD_RECO_MODEL_FILE,
  loadKeyPath,
  PACKAGE_MANIFEST_FILE,
  recoModel,
  type TitleManifest,
  titleManifest,
  type UnsignedContentLoad,
} from '@ifec/protocol';
import { sha256File, signContentLoad } from '@ifec/protocol/node';
import { MediaError } from '../errors.ts';
import { PACKAGE_KEYS_DIR } from '../ingest/ingest.ts';
import { assertOutputFree, commitStaging, discardStaging, stagingDirFor } from '../package/files.ts';
import { type Progress, silentProgress } from '../progress.ts';

export interface BuildLoadOptions {
  packages: string[];
  out: string;
  privateKeyPem: string;
  cycle: string;
  airline: string;
  fleet: string;
  /** Default: `<airline>-<fleet>-<cycle>-<version>`. */
  id?: string;
  /** Default: seconds since 1970 at build time, so a later build always has a higher version. */
  version?: number;
  /** Default: the first day of the second month after the cycle (one month of grace). */
  expiresAt?: string;
  force?: boolean;
  /** A recommendation model (ifec-ground reco train) to sign into the load. */
  recoModel?: string;
  now?: () => Date;
  progress?: Progress;
}

export function defaultLoadExpiry(cycle: string): string {
  const [year, month] = cycle.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month + 1, 1)).toISOString();
}

export async function readCheckedPackage(dir: string): Promise<TitleManifest> {
  const manifestFile = path.join(dir, PACKAGE_MANIFEST_FILE);
  if (!fs.existsSync(manifestFile))
    throw new MediaError('PACKAGE_INVALID', `${dir} is not a title package (no ${PACKAGE_MANIFEST_FILE})`);
  const parsed = titleManifest.safeParse(JSON.parse(fs.readFileSync(manifestFile, 'utf8')));
  if (!parsed.success) throw new MediaError('PACKAGE_INVALID', `${manifestFile}: ${describeIssues(parsed.error)}`);
  for (const f of parsed.data.files) {
    const file = path.join(dir, f.path);
    if (!fs.existsSync(file))
      throw new MediaError('PACKAGE_INVALID', `package ${parsed.data.id}: ${f.path} is missing`);
    if (fs.statSync(file).size !== f.size || (await sha256File(file)) !== f.sha256) {
      throw new MediaError('PACKAGE_INVALID', `package ${parsed.data.id}: checksum mismatch in ${f.path}`);
    }
  }
  const key = path.join(dir, PACKAGE_KEYS_DIR, `${parsed.data.keyId}.key`);
  if (!fs.existsSync(key) || fs.statSync(key).size !== 16)
    throw new MediaError(
      'KEY_INVALID',
      `package ${parsed.data.id}: key ${PACKAGE_KEYS_DIR}/${parsed.data.keyId}.key is missing or not 16 bytes`,
    );
  return parsed.data;
}

export async function buildContentLoad(options: BuildLoadOptions): Promise<{ dir: string; load: ContentLoad }> {
  const now = (options.now ?? (() => new Date()))();
  const progress = options.progress ?? silentProgress();
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(options.cycle))
    throw new MediaError('USAGE', `--cycle must look like 2026-12, not ${options.cycle}`);
  if (options.packages.length === 0)
    throw new MediaError('USAGE', 'load build needs at least one package (--packages <dir...>)');
  assertOutputFree(options.out, options.force ?? false);

  const checkJob = progress.job('check', options.packages.length, 'packages');
  const manifests: Array<{ dir: string; manifest: TitleManifest }> = [];
  for (const [i, dir] of options.packages.entries()) {
    manifests.push({ dir, manifest: await readCheckedPackage(dir) });
    checkJob.update(i + 1);
  }
  checkJob.finish();
  const ids = new Set<string>();
  for (const { manifest } of manifests) {
    if (ids.has(manifest.id)) throw new MediaError('PACKAGE_INVALID', `two packages have the title id ${manifest.id}`);
    ids.add(manifest.id);
  }

  const staging = stagingDirFor(options.out);
  try {
    fs.mkdirSync(path.join(staging, LOAD_PACKAGES_DIR));
    fs.mkdirSync(path.join(staging, LOAD_KEYS_DIR), { mode: 0o700 });
    const copyJob = progress.job('copy', manifests.length, 'packages');
    const packages: UnsignedContentLoad['packages'] = [];
    const keys: UnsignedContentLoad['keys'] = [];
    for (const [i, { dir, manifest }] of manifests.entries()) {
      const rel = `${LOAD_PACKAGES_DIR}/${manifest.id}`;
      const keysDir = path.resolve(dir, PACKAGE_KEYS_DIR);
      // The clear key must never sit inside the tree the HLS origin serves.
      fs.cpSync(dir, path.join(staging, rel), { recursive: true, filter: (src) => path.resolve(src) !== keysDir });
      const keyRel = loadKeyPath(manifest.keyId);
      fs.copyFileSync(path.join(keysDir, `${manifest.keyId}.key`), path.join(staging, keyRel));
      fs.chmodSync(path.join(staging, keyRel), 0o600);
      packages.push({
        id: manifest.id,
        path: rel,
        manifestSha256: await sha256File(path.join(staging, rel, PACKAGE_MANIFEST_FILE)),
        keyId: manifest.keyId,
      });
      keys.push({ keyId: manifest.keyId, path: keyRel, sha256: await sha256File(path.join(staging, keyRel)) });
      copyJob.update(i + 1);
    }
    copyJob.finish();
    const recommendations = options.recoModel ? await stageRecoModel(options.recoModel, staging) : undefined;
    const version = options.version ?? Math.floor(now.getTime() / 1000);
    const unsigned: UnsignedContentLoad = {
      schemaVersion: CONTENT_SCHEMA_VERSION,
      id:
        options.id ??
        `${options.airline}-${options.fleet}-${options.cycle}-${version}`.replace(/[^A-Za-z0-9._-]/g, '-'),
      cycle: options.cycle,
      airline: options.airline,
      fleet: options.fleet,
      version,
      createdAt: now.toISOString(),
      expiresAt: options.expiresAt ?? defaultLoadExpiry(options.cycle),
      packages,
      keys,
      ...(recommendations ? { recommendations } : {}),
    };
    let load: ContentLoad;
    try {
      load = signContentLoad(unsigned, options.privateKeyPem);
    } catch (error) {
      throw new MediaError('KEY_INVALID', `cannot sign with the given key: ${(error as Error).message}`, {
        cause: error,
      });
    }
    fs.writeFileSync(path.join(staging, LOAD_FILE), `${JSON.stringify(load, null, 2)}\n`);
    commitStaging(staging, options.out);
    return { dir: path.resolve(options.out), load };
  } catch (error) {
    discardStaging(staging);
    throw error;
  }
}

/** Checks the model against its schema before it is signed, and copies it into the load. */
async function stageRecoModel(
  file: string,
  staging: string,
): Promise<NonNullable<UnsignedContentLoad['recommendations']>> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MediaError('RECO_MODEL_INVALID', `${file}: not readable JSON (${(error as Error).message})`);
  }
  const parsed = recoModel.safeParse(raw);
  if (!parsed.success) throw new MediaError('RECO_MODEL_INVALID', `${file}: ${describeIssues(parsed.error)}`);
  const target = path.join(staging, LOAD_RECO_MODEL_FILE);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
  return {
    path: LOAD_RECO_MODEL_FILE,
    size: fs.statSync(target).size,
    sha256: await sha256File(target),
    version: parsed.data.version,
  };
}
