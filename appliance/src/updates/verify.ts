/**
 * Verification with tuf-js's Updater: from the trusted root, walk newer roots, then timestamp,
 * snapshot and targets, then download each load and its load list and check them against the
 * signed targets. A refusal names the attack (UpdateRefused codes, protocol/src/updates.ts);
 * nothing is trusted or kept unless everything checked.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  IfecError,
  loadList as loadListSchema,
  softwareTargetCustom,
  type UpdateRefusalCode,
  type VerifiedRelease,
} from '@ifec/protocol';
import { Updater } from 'tuf-js';
import { REPOSITORY_BASE, type SoftwareSource, SourceFetcher } from './sources.ts';
import { METADATA_FILES, type MetadataName, type TrustedState } from './trusted-state.ts';

export class UpdateRefused extends IfecError<UpdateRefusalCode> {}

/** Bounds on what a source may hand us (a hostile stick or link). */
export const VERIFY_LIMITS = {
  rootMaxLength: 512 * 1024,
  timestampMaxLength: 64 * 1024,
  snapshotMaxLength: 1024 * 1024,
  targetsMaxLength: 8 * 1024 * 1024,
  maxRootRotations: 64,
  maxTargets: 500,
};

interface Signed {
  signed: { version: number; keys?: Record<string, unknown>; targets?: Record<string, { custom?: unknown }> };
  signatures: { keyid: string }[];
}

function rootKeys(bytes: Buffer | undefined): Set<string> {
  if (!bytes) return new Set();
  return new Set(Object.keys((JSON.parse(bytes.toString()) as Signed).signed.keys ?? {}));
}

async function readAll(source: SoftwareSource, rel: string, max: number): Promise<Buffer | undefined> {
  const stream = await source.open(rel).catch(() => undefined);
  if (!stream) return undefined;
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) {
      stream.destroy();
      return undefined;
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** Turns tuf-js's error into the attack it shows (the library's classes are matched by name: one copy or two). */
async function refusalOf(
  error: unknown,
  stage: 'metadata' | 'target',
  ctx: { source: SoftwareSource; revoked: Set<string> },
): Promise<UpdateRefused> {
  if (error instanceof UpdateRefused) return error;
  const e = error as Error;
  const kind = e?.constructor?.name ?? 'Error';
  const msg = e?.message ?? String(error);
  const from = ctx.source.describe;
  if (stage === 'target' && /LengthOrHashMismatch|DownloadLengthMismatch/.test(kind))
    return new UpdateRefused(
      'UPDATE_TARGET_TAMPERED',
      `a load from ${from} does not match its signed length and sha256: ${msg}`,
    );
  if (kind === 'ExpiredMetadataError')
    return new UpdateRefused(
      'UPDATE_METADATA_EXPIRED',
      `frozen metadata from ${from}: ${msg} (a feed that stopped moving is refused)`,
    );
  if (
    /does not match snapshot version|doesn't match timestamp|Missing .* in (new )?snapshot/.test(msg) ||
    kind === 'LengthOrHashMismatchError'
  )
    return new UpdateRefused('UPDATE_MIX_AND_MATCH', `mix-and-match metadata from ${from}: ${msg}`);
  if (kind === 'BadVersionError') return new UpdateRefused('UPDATE_ROLLBACK', `rollback attempt from ${from}: ${msg}`);
  // tuf-js wraps some errors (RuntimeError "Unable to load targets error Error: …"): the message tells.
  if (kind === 'UnsignedMetadataError' || /was signed by \d+\/\d+ keys|failed to verify/.test(msg)) {
    const role = /(\w+) was signed by/.exec(msg)?.[1];
    if (role) {
      const bytes = await readAll(ctx.source, `metadata/${role}.json`, VERIFY_LIMITS.targetsMaxLength);
      const signers = bytes ? ((JSON.parse(bytes.toString()) as Signed).signatures ?? []).map((s) => s.keyid) : [];
      const revoked = signers.find((k) => ctx.revoked.has(k));
      if (revoked)
        return new UpdateRefused(
          'UPDATE_KEY_REVOKED',
          `${role} metadata from ${from} is signed by key ${revoked.slice(0, 16)}…, which a newer root revoked`,
        );
    }
    return new UpdateRefused(
      'UPDATE_SIGNATURE_INVALID',
      `metadata from ${from} is not signed by the keys the trusted root names: ${msg}`,
    );
  }
  if (kind === 'DownloadHTTPError' || kind === 'ReferenceError')
    return new UpdateRefused('UPDATE_METADATA_MISSING', `${from} lacks repository metadata: ${msg}`);
  return new UpdateRefused('UPDATE_SIGNATURE_INVALID', `${from} offers metadata that does not verify: ${kind}: ${msg}`);
}

export interface VerifyResult {
  releases: VerifiedRelease[];
  /** What changed in the trusted versions. */
  versions: { before: ReturnType<TrustedState['versions']>; after: ReturnType<TrustedState['versions']> };
}

/**
 * Verifies what a source offers and, only when all of it checks, commits the new trusted
 * metadata and the releases. Loads are kept in `targetsDir/<sha256>`.
 */
export async function verifySource(
  trusted: TrustedState,
  source: SoftwareSource,
  options: { workRoot: string; targetsDir: string; now?: () => Date },
): Promise<VerifyResult> {
  if (!trusted.metadata('root'))
    throw new UpdateRefused(
      'UPDATE_NO_TRUSTED_ROOT',
      'no software root is trusted on this unit (IFEC_UPDATES_TRUSTED_ROOT, installed when it is flashed)',
    );
  const before = trusted.versions();
  const state = trusted.state();
  fs.mkdirSync(options.workRoot, { recursive: true });
  fs.mkdirSync(options.targetsDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(options.workRoot, 'verify-'));
  try {
    const metadataDir = path.join(work, 'metadata');
    fs.mkdirSync(metadataDir);
    for (const name of METADATA_FILES) {
      const bytes = trusted.metadata(name);
      if (bytes) fs.writeFileSync(path.join(metadataDir, `${name}.json`), bytes);
    }
    const updater = new Updater({
      metadataDir,
      metadataBaseUrl: `${REPOSITORY_BASE}metadata/`,
      targetBaseUrl: `${REPOSITORY_BASE}targets/`,
      targetDir: path.join(work, 'targets'),
      fetcher: new SourceFetcher(source),
      config: { ...VERIFY_LIMITS, fetchRetries: 0 },
    });
    const revoked = new Set(state.revokedKeys);
    try {
      await updater.refresh();
    } catch (error) {
      // Keys dropped by a root verified in this very refresh count as revoked too.
      const newRoot = fs.readFileSync(path.join(metadataDir, 'root.json'));
      const now = rootKeys(newRoot);
      for (const k of rootKeys(trusted.metadata('root'))) if (!now.has(k)) revoked.add(k);
      throw await refusalOf(error, 'metadata', { source, revoked });
    }
    const read = (name: MetadataName) => fs.readFileSync(path.join(metadataDir, `${name}.json`));
    const targets = (JSON.parse(read('targets').toString()) as Signed).signed.targets ?? {};
    const names = Object.keys(targets);
    if (names.length > VERIFY_LIMITS.maxTargets)
      throw new UpdateRefused(
        'UPDATE_SIGNATURE_INVALID',
        `${names.length} targets: more than ${VERIFY_LIMITS.maxTargets}`,
      );
    const releases: VerifiedRelease[] = [];
    const verifiedAt = (options.now?.() ?? new Date()).toISOString();
    for (const name of names) {
      const custom = softwareTargetCustom.safeParse(targets[name]?.custom);
      if (!custom.success) continue; // a load list or another file: fetched with its load
      const fetchTarget = async (targetName: string): Promise<{ file: string; sha256: string; length: number }> => {
        const info = await updater.getTargetInfo(targetName);
        if (!info)
          throw new UpdateRefused('UPDATE_METADATA_MISSING', `target ${targetName} is not in the signed targets`);
        const sha256 = info.hashes.sha256;
        if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256))
          throw new UpdateRefused(
            'UPDATE_SIGNATURE_INVALID',
            `target ${targetName} has no sha256 in its signed targets`,
          );
        const file = path.join(options.targetsDir, sha256);
        if (!(await updater.findCachedTarget(info, file))) {
          const part = `${file}.part`;
          try {
            await updater.downloadTarget(info, part);
          } catch (error) {
            fs.rmSync(part, { force: true });
            throw await refusalOf(error, 'target', { source, revoked });
          }
          fs.renameSync(part, file);
        }
        return { file, sha256, length: info.length };
      };
      const load = await fetchTarget(name);
      const list = await fetchTarget(custom.data.loadList);
      const parsed = loadListSchema.safeParse(JSON.parse(fs.readFileSync(list.file, 'utf8')));
      const entry = parsed.success ? parsed.data.files.find((f) => f.sha256 === load.sha256) : undefined;
      if (!parsed.success || !entry || parsed.data.header.partNumber !== custom.data.partNumber)
        throw new UpdateRefused(
          'UPDATE_TARGET_TAMPERED',
          `the load list ${custom.data.loadList} does not list ${name} under part number ${custom.data.partNumber}`,
        );
      // The load list's own CRC is checked as a data loader would; its SHA-256 already matched.
      const crc = (await import('node:zlib')).crc32(fs.readFileSync(load.file)) >>> 0;
      if (crc.toString(16).padStart(8, '0') !== entry.crc32)
        throw new UpdateRefused('UPDATE_TARGET_TAMPERED', `${name}: CRC-32 does not match its load list`);
      releases.push({
        target: name,
        partNumber: custom.data.partNumber,
        kind: custom.data.kind,
        version: custom.data.version,
        length: load.length,
        sha256: load.sha256,
        verifiedAt,
      });
    }
    const newRootKeys = rootKeys(read('root'));
    const revokedKeys = new Set(state.revokedKeys);
    for (const k of rootKeys(trusted.metadata('root'))) if (!newRootKeys.has(k)) revokedKeys.add(k);
    trusted.commit(Object.fromEntries(METADATA_FILES.map((n) => [n, read(n)])), {
      releases,
      revokedKeys: [...revokedKeys],
    });
    return { releases, versions: { before, after: trusted.versions() } };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The sha256 of a kept load (the seat download checks again before serving). */
export function sha256OfFile(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
