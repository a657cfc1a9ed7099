/**
 * Publishing software to the fleet: a load (a RAUC bundle, a seat-client or appliance build)
 * becomes a TUF target with its ARINC 665-style load list beside it, then the whole
 * repository (every root, the current metadata, every target) goes out as one `software`
 * publication. It travels like every other publication: the aircraft's downlink over the
 * gate link, or a USB bundle (`ifec-ground bundle export`); files are stored once by sha256,
 * so re-sending unchanged targets costs nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  IfecError,
  type Publication,
  partNumber as partNumberSchema,
  SOFTWARE_LAYOUT,
  type SoftwareKind,
  softwareKind,
  softwareVersion,
} from '@ifec/protocol';
import { putFile } from '../downlink/files.ts';
import { publish } from '../downlink/publications.ts';
import type { Database } from '../store/database.ts';
import { buildLoadList } from './load-list.ts';
import type { SoftwareRepository } from './repository.ts';

export class SoftwarePublishError extends IfecError<'SOFTWARE_INVALID'> {}

export interface LoadRequest {
  file: string;
  partNumber: string;
  version: string;
  kind: SoftwareKind;
  description?: string;
  now?: Date;
}

function checked<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  value: unknown,
  what: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new SoftwarePublishError('SOFTWARE_INVALID', `${what} ${JSON.stringify(value)} is not valid`);
  return r.data;
}

/** Adds a load and its load list to the repository as TUF targets. Returns the target names. */
export function addLoad(repo: SoftwareRepository, request: LoadRequest): { target: string; loadList: string } {
  const part = checked(partNumberSchema, request.partNumber, 'part number');
  const version = checked(softwareVersion, request.version, 'version');
  const kind = checked(softwareKind, request.kind, 'kind');
  if (!fs.existsSync(request.file) || !fs.statSync(request.file).isFile())
    throw new SoftwarePublishError('SOFTWARE_INVALID', `${request.file} is not a file`);
  const bytes = fs.readFileSync(request.file);
  const base = path.basename(request.file).replace(/[^A-Za-z0-9._-]/g, '_');
  const target = `${part}/${version}/${base}`;
  const loadListName = `${part}/${version}/load-list.json`;
  const list = buildLoadList({
    partNumber: part,
    kind,
    version,
    description: request.description ?? `${kind} ${version}`,
    files: [{ name: base, bytes }],
    publishedAt: request.now ?? new Date(),
  });
  repo.addTarget(loadListName, Buffer.from(JSON.stringify(list, null, 1)));
  repo.addTarget(target, bytes, { partNumber: part, kind, version, loadList: loadListName });
  return { target, loadList: loadListName };
}

/** Uploads every repository file and publishes the repository to the tenant's fleet (or one aircraft). */
export async function publishRepository(
  db: Database,
  signingKey: crypto.KeyObject,
  tenantId: string,
  repo: SoftwareRepository,
  options: { aircraftId?: string | null } = {},
): Promise<Publication> {
  const files = [];
  for (const rel of repo.files()) {
    const bytes = fs.readFileSync(path.join(repo.dir, ...rel.split('/')));
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    await putFile(db, tenantId, sha256, bytes);
    files.push({ path: rel, size: bytes.length, sha256 });
  }
  const targets = repo.targets().signed.targets;
  return publish(db, signingKey, tenantId, {
    kind: 'software',
    name: SOFTWARE_LAYOUT.publicationName,
    // The timestamp's version only grows: a later publication replaces an earlier one.
    version: repo.timestamp().signed.version,
    aircraftId: options.aircraftId ?? null,
    payload: {
      rootVersion: repo.root().signed.version,
      targets: Object.values(targets)
        .filter((t) => t.custom.partNumber)
        .map((t) => ({ name: t.path, ...t.custom, length: t.length })),
    },
    files,
  });
}
