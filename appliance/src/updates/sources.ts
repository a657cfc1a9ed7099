/**
 * Where a software repository can be read from: the downlink store (a `software` publication
 * that came over the gate link or in a USB bundle), a folder (a stick mounted at the gate) or
 * HTTP (the ground or a maintenance laptop). The same signed metadata whichever path: tuf-js
 * reads every one through SourceFetcher, so the check does not depend on how bytes arrived.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { SOFTWARE_LAYOUT, type UpdateSource } from '@ifec/protocol';
import { BaseFetcher } from 'tuf-js';
// tuf-js treats a 404 as "no newer root"; any other failure as a failure (FIELD-NOTES).
import { DownloadHTTPError } from 'tuf-js/dist/error.js';

/** One repository file by its layout path (`metadata/timestamp.json`, `targets/P/1.0/x.raucb`). */
export interface SoftwareSource {
  readonly describe: string;
  /** A stream of the file, or undefined when the source has no such file. */
  open(relPath: string): Promise<Readable | undefined>;
}

const SAFE_PATH = /^(metadata|targets)(\/[A-Za-z0-9._-]+)+$/;

function checkPath(relPath: string): void {
  if (!SAFE_PATH.test(relPath) || relPath.split('/').some((s) => s === '..' || s === '.'))
    throw new DownloadHTTPError(`no such repository file ${relPath}`, 404);
}

export function folderSource(dir: string): SoftwareSource {
  return {
    describe: `folder ${dir}`,
    async open(relPath) {
      const file = path.join(dir, ...relPath.split('/'));
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return undefined;
      return fs.createReadStream(file);
    },
  };
}

export function httpSource(baseUrl: string, fetchImpl: typeof fetch = fetch): SoftwareSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    describe: `http ${baseUrl}`,
    async open(relPath) {
      const res = await fetchImpl(new URL(relPath, base), { signal: AbortSignal.timeout(30_000) });
      if (res.status === 404 || res.status === 403) return undefined;
      if (!res.ok || !res.body) throw new DownloadHTTPError(`${base}${relPath}: HTTP ${res.status}`, res.status);
      return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    },
  };
}

/** The files of the newest software publication kept aboard: path -> a file stored by sha256. */
export interface DownlinkSoftware {
  /** Path -> local file, or undefined when no software publication is complete aboard. */
  files(): Promise<Map<string, string> | undefined>;
}

export function downlinkSource(software: DownlinkSoftware): SoftwareSource {
  let files: Promise<Map<string, string> | undefined> | undefined;
  return {
    describe: `downlink publication ${SOFTWARE_LAYOUT.publicationName}`,
    async open(relPath) {
      files ??= software.files();
      const file = (await files)?.get(relPath);
      return file && fs.existsSync(file) ? fs.createReadStream(file) : undefined;
    },
  };
}

/** A fake-looking but fixed base URL: tuf-js joins paths onto it, the fetcher maps them back. */
export const REPOSITORY_BASE = 'https://software.aircraft.invalid/';

/** tuf-js's fetcher over a SoftwareSource. A missing file is a 404, as tuf-js expects. */
export class SourceFetcher extends BaseFetcher {
  constructor(private readonly source: SoftwareSource) {
    super();
  }

  override async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const u = new URL(url);
    const rel = decodeURIComponent(u.pathname.replace(/^\//, ''));
    checkPath(rel);
    const stream = await this.source.open(rel);
    if (!stream) throw new DownloadHTTPError(`${this.source.describe} has no ${rel}`, 404);
    return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array<ArrayBuffer>>;
  }
}

export function sourceOf(source: UpdateSource, downlink: DownlinkSoftware): SoftwareSource {
  switch (source.from) {
    case 'downlink':
      return downlinkSource(downlink);
    case 'folder':
      return folderSource(source.dir);
    case 'http':
      return httpSource(source.url);
  }
}
