/**
 * The HLS origin's file side: which files exist (an index built from the verified manifests,
 * never from the request path), their types and cache rules, and the HTTP semantics of
 * serving one (ETag, conditional GET, single byte ranges).
 *
 * Why an index and not a directory: a request path is only ever a key into a Map of files
 * the signed load names, so `..`, encoded slashes, symlinks or a stray file in the data dir
 * cannot reach the disk. Live files change every few seconds and are looked up by a strict
 * name pattern inside one channel directory, opened with O_NOFOLLOW.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { KEY_URI_PREFIX } from '@ifec/protocol';
import type { ActiveContentLoad } from './content-loads.ts';

export type FileKind = 'playlist' | 'segment' | 'image' | 'text' | 'other';

export interface OriginFile {
  abs: string;
  size: number;
  etag: string;
  mime: string;
  kind: FileKind;
  /** Served from the rolling live window: revalidate, never cache for long. */
  live: boolean;
}

const TYPES: Record<string, { mime: string; kind: FileKind }> = {
  '.m3u8': { mime: 'application/vnd.apple.mpegurl', kind: 'playlist' },
  '.m4s': { mime: 'video/mp4', kind: 'segment' },
  '.mp4': { mime: 'video/mp4', kind: 'segment' },
  '.m4a': { mime: 'audio/mp4', kind: 'segment' },
  '.ts': { mime: 'video/mp2t', kind: 'segment' },
  '.aac': { mime: 'audio/aac', kind: 'segment' },
  '.vtt': { mime: 'text/vtt; charset=utf-8', kind: 'text' },
  '.webp': { mime: 'image/webp', kind: 'image' },
  '.jpg': { mime: 'image/jpeg', kind: 'image' },
  '.jpeg': { mime: 'image/jpeg', kind: 'image' },
  '.png': { mime: 'image/png', kind: 'image' },
};

/** MIME type and kind from a file name; audio renditions' segments are audio/mp4. */
export function fileType(rel: string): { mime: string; kind: FileKind } {
  const type = TYPES[path.extname(rel).toLowerCase()] ?? {
    mime: 'application/octet-stream',
    kind: 'other' as FileKind,
  };
  if (type.kind === 'segment' && type.mime === 'video/mp4' && /(^|\/)audio\//.test(rel))
    return { mime: 'audio/mp4', kind: 'segment' };
  return type;
}

export function cacheControl(file: Pick<OriginFile, 'kind' | 'live'>): string {
  if (file.kind === 'playlist') return file.live ? 'no-cache' : 'private, max-age=5';
  if (file.live) return 'public, max-age=30';
  // A load's files never change under a name (a new load is a new tree): cache for good.
  return 'public, max-age=31536000, immutable';
}

/**
 * The request path after `/hls/`, split into parts, or undefined when it could only be an
 * attempt to step outside: percent signs (encoded `.`, `/`, NUL, double encoding), back-slashes,
 * empty, `.` or `..` parts. Real names from the pipeline never need any of these.
 */
export function originPathParts(rawPath: string): string[] | undefined {
  if (rawPath.length > 512 || !/^[A-Za-z0-9._/-]+$/.test(rawPath)) return undefined;
  const parts = rawPath.replace(/^\/+/, '').split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return parts;
}

/** Every servable file of the active load's packages, keyed `<titleId>/<path in package>`. */
export class LoadFileIndex {
  private readonly files = new Map<string, OriginFile>();

  constructor(readonly active: ActiveContentLoad) {
    const packagePaths = new Map(active.load.packages.map((p) => [p.id, p.path]));
    for (const title of active.titles) {
      const packageDir = path.join(active.dir, packagePaths.get(title.id)!);
      for (const f of title.files) {
        const type = fileType(f.path);
        this.files.set(`${title.id}/${f.path}`, {
          abs: path.join(packageDir, f.path),
          size: f.size,
          etag: `"${f.sha256.slice(0, 40)}"`,
          ...type,
          live: false,
        });
      }
    }
  }

  lookup(titleId: string, rel: string): OriginFile | undefined {
    return this.files.get(`${titleId}/${rel}`);
  }

  title(titleId: string) {
    return this.active.titles.find((t) => t.id === titleId);
  }
}

const LIVE_FILE = /^[a-z0-9_-]{1,64}\.(m3u8|ts|m4s|mp4)$/;

/** A file of a live channel's rolling window, if it exists as a regular file right now. */
export function liveFile(channelDir: string, name: string): OriginFile | undefined {
  if (!LIVE_FILE.test(name)) return undefined;
  const abs = path.join(channelDir, name);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(abs);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) return undefined;
  return {
    abs,
    size: stat.size,
    etag: `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
    ...fileType(name),
    live: true,
  };
}

/**
 * Adds the session token to every URI a player follows to a playlist or a key. Init
 * sections and media segments stay as they are (cacheable, encrypted, token-free).
 */
/**
 * `everyUri`: a restricted (seatback-only) title, whose every file needs the token, segments and subtitles included.
 * `filesAt`: this playlist's URL at nginx's port (nginx-origin.ts); its token-free files are named there, absolute.
 */
export function rewritePlaylist(text: string, token: string, everyUri = false, filesAt?: string): string {
  const withToken = (uri: string) => {
    if (everyUri || needsToken(uri)) return `${uri}${uri.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    return filesAt && !/^[a-z][a-z0-9+.-]*:|^\//i.test(uri) ? new URL(uri, filesAt).href : uri;
  };
  const tagWithUri =
    everyUri || filesAt
      ? /^#EXT-X-(KEY|SESSION-KEY|MEDIA|I-FRAME-STREAM-INF|RENDITION-REPORT|MAP|PART|PRELOAD-HINT):/
      : /^#EXT-X-(KEY|SESSION-KEY|MEDIA|I-FRAME-STREAM-INF|RENDITION-REPORT):/;
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('#')) {
        if (!tagWithUri.test(line)) return line;
        return line.replace(/URI="([^"]*)"/, (_m, uri: string) => `URI="${withToken(uri)}"`);
      }
      const trimmed = line.trim();
      return trimmed ? line.replace(trimmed, withToken(trimmed)) : line;
    })
    .join('\n');
}

/**
 * A seek preview track (protocol/src/seek-preview.ts) with the session token on every sheet,
 * before the `#xywh=` fragment: a seatback-only title's sheets answer only to its session.
 */
export function rewriteSeekPreviewTrack(text: string, token: string): string {
  return text.replace(
    /^([^\s#]+\.(?:jpe?g|webp|png))(\?[^\s#]*)?(#xywh=[\d,]+)$/gim,
    (_m, uri: string, query: string | undefined, fragment: string) =>
      `${uri}${query ? `${query}&` : '?'}token=${encodeURIComponent(token)}${fragment}`,
  );
}

function needsToken(uri: string): boolean {
  const pathPart = uri.split('?')[0]!;
  return pathPart.endsWith('.m3u8') || pathPart.startsWith(KEY_URI_PREFIX);
}

type ByteRange = { start: number; end: number };

/** One `bytes=` range clamped to the file, 'unsatisfiable', or undefined to send it all. */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return header.trim().startsWith('bytes=') && !header.includes(',') ? 'unsatisfiable' : undefined; // several ranges: send the whole file (RFC 9110 allows it)
  const [, from, to] = match as unknown as [string, string, string];
  if (from === '' && to === '') return 'unsatisfiable';
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => bare(t) === bare(etag));
}

/**
 * Sends one file with ETag, conditional GET, a single Range and its cache rule. `body`
 * replaces the file's bytes (a rewritten playlist); then no range or ETag applies. With a
 * cache, a load's files are served from memory.
 */
export function sendOriginFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: OriginFile,
  body?: string,
  cache?: SegmentCache,
): void {
  res.setHeader('Content-Type', file.mime);
  res.setHeader('Cache-Control', cacheControl(file));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (body !== undefined) {
    const bytes = Buffer.from(body);
    res.setHeader('Content-Length', bytes.length);
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return;
  }
  res.setHeader('ETag', file.etag);
  res.setHeader('Accept-Ranges', 'bytes');
  if (etagMatches(req.headers['if-none-match'], file.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const range = ifRange && ifRange !== file.etag ? undefined : parseRange(req.headers.range, file.size);
  if (range === 'unsatisfiable') {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${file.size}`);
    res.end();
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? file.size - 1;
  if (range) {
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${file.size}`);
  }
  res.setHeader('Content-Length', Math.max(0, end - start + 1));
  if (req.method === 'HEAD' || file.size === 0) {
    res.end();
    return;
  }
  const cached = !file.live && cache ? cache.get(file) : undefined;
  if (cached) {
    void cached.then(
      (bytes) => res.end(range ? bytes.subarray(start, end + 1) : bytes),
      () => notFound(res),
    );
    return;
  }
  // O_NOFOLLOW: a symlink swapped in after the index was built is refused, not followed.
  fs.open(file.abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW, (error, fd) => {
    if (error) return notFound(res);
    const stream = fs.createReadStream('', { fd, start, end, highWaterMark: 256 * 1024 });
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  });
}

function notFound(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = 404;
  res.removeHeader('Content-Length');
  res.removeHeader('Content-Range');
  res.removeHeader('ETag');
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such file' } }));
}

/**
 * The whole file in one buffer. The index knows its size, so one read of that size (one trip
 * through libuv's pool) instead of fs.readFile's fstat and 512 KiB chunks: a cold 2 MB segment
 * took five pool trips, and the pool is shared with the journal (bench/origin.ts, cold set).
 * A file that is not the size the signed manifest gave is refused.
 */
function readNoFollow(file: string, size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW, (error, fd) => {
      if (error) return reject(error);
      const bytes = Buffer.allocUnsafe(size);
      const readFrom = (offset: number): void => {
        fs.read(fd, bytes, offset, size - offset, offset, (readError, n) => {
          if (readError || (n === 0 && offset < size)) {
            fs.close(fd, () => undefined);
            return reject(readError ?? new Error(`${file} is shorter than its manifest says`));
          }
          if (offset + n < size) return readFrom(offset + n);
          fs.close(fd, () => undefined);
          resolve(bytes);
        });
      };
      if (size === 0) {
        fs.close(fd, () => undefined);
        return resolve(bytes);
      }
      readFrom(0);
    });
  });
}

/**
 * Hot segments in memory, least recently used out first. 850 seats watch a few dozen titles;
 * the same segments go out hundreds of times, and one write of a buffer costs far less than
 * a file stream per request. Only files of a load (immutable, checksummed at install) are
 * cached; concurrent misses of one file share one read.
 */
export class SegmentCache {
  private readonly entries = new Map<string, { bytes: Promise<Buffer>; size: number; ready?: Buffer }>();
  private used = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly maxFileBytes = 16 * 1024 * 1024,
  ) {}

  get(file: OriginFile): Promise<Buffer> | undefined {
    if (this.budgetBytes <= 0 || file.size > this.maxFileBytes || file.size > this.budgetBytes) return undefined;
    const key = file.abs;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.bytes;
    }
    const bytes = readNoFollow(file.abs, file.size);
    const entry: { bytes: Promise<Buffer>; size: number; ready?: Buffer } = { bytes, size: file.size };
    this.entries.set(key, entry);
    this.used += file.size;
    bytes.then(
      (b) => {
        entry.ready = b;
      },
      () => this.drop(key, entry),
    );
    while (this.used > this.budgetBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [
        string,
        { bytes: Promise<Buffer>; size: number },
      ];
      this.drop(oldestKey, oldest);
    }
    return bytes;
  }

  /** The bytes of a file already in memory (marked most recently used), without starting a read. */
  peek(file: OriginFile): Buffer | undefined {
    const key = file.abs;
    const hit = this.entries.get(key);
    if (!hit?.ready) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.ready;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  private drop(key: string, entry: { size: number }): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.used -= entry.size;
  }
}

/**
 * The origin's fast path, in front of express: a plain GET or HEAD of a load's segment, init
 * section, image or subtitle file (no Range, no conditional header) answered straight on
 * node:http with headers prepared once per file and, when hot, the bytes from memory in one
 * `res.end(buffer)`. Express's middleware (metrics timer, JSON parser, a dozen routers' path
 * matching) cost more than the write itself at 10,000+ segments/s (bench/origin.ts, with wrk).
 *
 * Everything else returns false and goes the ordinary way: playlists (token, rewrite), live
 * windows, ranges and revalidation (sendOriginFile), bad or unknown paths (the JSON errors).
 * The same index and the same cache serve both paths, so their answers cannot differ.
 * Segments are token-free today (rewritePlaylist); a file that comes to need a token must be
 * checked here too, or declined (return false) so that express's /hls handler checks it.
 */
export function loadFileFastPath(
  index: () => LoadFileIndex | undefined,
  cache: SegmentCache,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const prepared = new WeakMap<OriginFile, Record<string, string>>();
  const headersOf = (file: OriginFile) => {
    let headers = prepared.get(file);
    if (!headers) {
      headers = {
        'Content-Type': file.mime,
        'Cache-Control': cacheControl(file),
        'X-Content-Type-Options': 'nosniff',
        ETag: file.etag,
        'Accept-Ranges': 'bytes',
        'Content-Length': String(file.size),
      };
      prepared.set(file, headers);
    }
    return headers;
  };
  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith('/hls/') || url.startsWith('/hls/live/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const query = url.indexOf('?');
    const parts = originPathParts(query < 0 ? url.slice(5) : url.slice(5, query));
    if (!parts || parts.length < 2) return false;
    const load = index();
    const file = load?.lookup(parts[0]!, parts.slice(1).join('/'));
    if (!file || file.kind === 'playlist') return false;
    // Every file of a seatback-only title needs the playback token: express checks it (media/http.ts).
    if (load?.title(parts[0]!)?.rights === 'seatback-only') return false;
    const h = req.headers;
    if (h.range !== undefined || h['if-none-match'] !== undefined || h['if-range'] !== undefined) {
      sendOriginFile(req, res, file, undefined, cache);
      return true;
    }
    if (req.method === 'HEAD' || file.size === 0) {
      res.writeHead(200, headersOf(file));
      res.end();
      return true;
    }
    const hot = cache.peek(file);
    if (!hot) {
      sendOriginFile(req, res, file, undefined, cache);
      return true;
    }
    res.writeHead(200, headersOf(file));
    res.end(hot);
    return true;
  };
}
