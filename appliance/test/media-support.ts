/**
 * Media test support: a tiny real HLS title made by the real ffmpeg (160x90, 4 s, CMAF,
 * AES-128-CBC segments with a clear init section, encrypted by the pipeline's own code: one
 * key tag, IV = media sequence number), and signed content loads built from it with the
 * protocol's own signing code.
 */

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  encryptRendition,
  seekPreviewCues,
  seekPreviewEntry,
  seekPreviewFilter,
  seekPreviewLayout,
  seekPreviewOutputArgs,
  withKeyTag,
} from '@ifec/media-pipeline';
import {
  CONTENT_SCHEMA_VERSION,
  type ContentLoad,
  keyUri,
  SEEK_PREVIEW_DIR,
  SEEK_PREVIEW_TRACK,
  seekPreviewTrack,
  type TitleManifest,
  type UnsignedContentLoad,
} from '@ifec/protocol';
import { generateSigningKeys, sha256File, signContentLoad } from '@ifec/protocol/node';
import { pino } from 'pino';
import type { IssuedCredentials } from '../src/aircraft/provisioning.ts';
import { loadConfig } from '../src/config.ts';
import { CREDENTIALS_FILE } from '../src/demo/first-run.ts';
import { type RunningAppliance, startAppliance } from '../src/main.ts';

export const FFMPEG = process.env.FFMPEG ?? '/usr/bin/ffmpeg';
export const FFPROBE = process.env.FFPROBE ?? '/usr/bin/ffprobe';

export interface MediaSource {
  dir: string;
  key: Buffer;
  /** The manifest's `seekPreview`, when the source was made with one. */
  seekPreview?: TitleManifest['seekPreview'];
}

/**
 * Encrypted CMAF media in `<dir>/hls/…` plus a poster; built once per test file. With
 * `seekPreview`, also the pipeline's seek preview of the same 4 s pattern (its own filter, the
 * real ffmpeg): one sheet of four 160x90 pictures and its thumbnails track.
 */
export function makeMediaSource(dir: string, options: { seekPreview?: boolean } = {}): MediaSource {
  const hls = path.join(dir, 'hls');
  const video = path.join(hls, 'video', 'v0');
  fs.mkdirSync(video, { recursive: true });
  execFileSync(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x90:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '4',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '25',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-f',
    'hls',
    '-hls_time',
    '2',
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    'init.mp4',
    '-hls_segment_filename',
    path.join(video, 'seg_%05d.m4s'),
    path.join(video, 'index.m3u8'),
  ]);
  const key = crypto.randomBytes(16);
  // Each test load puts its own key id into the key tag (buildTestLoad).
  encryptRendition(video, key, keyUri('0'.repeat(32)));
  fs.mkdirSync(path.join(hls, 'subtitles', 'en'), { recursive: true });
  fs.writeFileSync(path.join(hls, 'subtitles', 'en', 'subs.vtt'), 'WEBVTT\n\n00:00.000 --> 00:02.000\nHello cabin\n');
  fs.writeFileSync(
    path.join(hls, 'subtitles', 'en', 'index.m3u8'),
    '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:4.000,\nsubs.vtt\n#EXT-X-ENDLIST\n',
  );
  fs.writeFileSync(
    path.join(hls, 'master.m3u8'),
    [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="subtitles/en/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=160x90,CODECS="avc1.64000c,mp4a.40.2",SUBTITLES="subs"',
      'video/v0/index.m3u8',
      '',
    ].join('\n'),
  );
  fs.mkdirSync(path.join(dir, 'images'), { recursive: true });
  execFileSync(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=60x90',
    '-frames:v',
    '1',
    path.join(dir, 'images', 'poster-60x90.jpeg'),
  ]);
  if (!options.seekPreview) return { dir, key };
  const layout = seekPreviewLayout(4);
  fs.mkdirSync(path.join(dir, SEEK_PREVIEW_DIR));
  execFileSync(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x90:rate=25:duration=4',
    '-filter_complex',
    `[0:v:0]${seekPreviewFilter(layout)}[preview]`,
    ...seekPreviewOutputArgs('[preview]', path.join(dir, SEEK_PREVIEW_DIR)),
  ]);
  fs.writeFileSync(path.join(dir, SEEK_PREVIEW_TRACK), seekPreviewTrack(seekPreviewCues(layout, 4)));
  return { dir, key, seekPreview: seekPreviewEntry(layout) };
}

export interface TestTitle {
  id: string;
  rights?: TitleManifest['rights'];
  priceTier?: TitleManifest['priceTier'];
  rating?: TitleManifest['rating'];
  regions?: TitleManifest['regions'];
  licence?: TitleManifest['licence'];
  /** false: a title packaged before seek previews (its manifest names none, its files are there). */
  seekPreview?: boolean;
}

export interface TestLoadOptions {
  out: string;
  source: MediaSource;
  titles: TestTitle[];
  privateKeyPem: string;
  id?: string;
  version?: number;
  expiresAt?: string;
}

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, base) : [path.relative(base, full)];
  });
}

const sha256 = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest('hex');

/** A signed content load with one package per title, all sharing the source's media. */
export async function buildTestLoad(
  o: TestLoadOptions,
): Promise<{ dir: string; load: ContentLoad; keyIds: Record<string, string> }> {
  fs.mkdirSync(path.join(o.out, 'keys'), { recursive: true });
  const packages: ContentLoad['packages'] = [];
  const keys: ContentLoad['keys'] = [];
  const keyIds: Record<string, string> = {};
  const year = new Date().getUTCFullYear();
  for (const t of o.titles) {
    const keyId = crypto.randomBytes(16).toString('hex');
    keyIds[t.id] = keyId;
    const pkg = path.join(o.out, 'packages', t.id);
    fs.cpSync(o.source.dir, pkg, { recursive: true });
    const playlist = path.join(pkg, 'hls', 'video', 'v0', 'index.m3u8');
    fs.writeFileSync(playlist, withKeyTag(fs.readFileSync(playlist, 'utf8'), keyUri(keyId)));
    fs.writeFileSync(path.join(o.out, 'keys', `${keyId}.key`), o.source.key);
    const files = await Promise.all(
      walk(pkg)
        .sort()
        .map(async (rel) => ({
          path: rel,
          size: fs.statSync(path.join(pkg, rel)).size,
          sha256: await sha256File(path.join(pkg, rel)),
        })),
    );
    const manifest: TitleManifest = {
      schemaVersion: CONTENT_SCHEMA_VERSION,
      id: t.id,
      kind: 'movie',
      titles: { en: `Title ${t.id}`, fr: `Titre ${t.id}` },
      synopses: { en: `Synopsis of ${t.id}` },
      genres: ['drama'],
      cast: [],
      rating: t.rating ?? { system: 'MPAA', value: 'PG' },
      originalLanguage: 'en',
      licence: t.licence ?? { start: `${year - 1}-01-01T00:00:00Z`, end: `${year + 2}-01-01T00:00:00Z` },
      regions: t.regions ?? { allowed: ['*'], blocked: [] },
      rights: t.rights ?? 'all-devices',
      priceTier: t.priceTier ?? 'included',
      durationS: 4,
      audioLanguages: [],
      subtitleLanguages: [{ language: 'en', closedCaptions: false, playlist: 'hls/subtitles/en/index.m3u8' }],
      images: [{ role: 'poster', width: 60, height: 90, format: 'jpeg', path: 'images/poster-60x90.jpeg' }],
      ...(o.source.seekPreview && t.seekPreview !== false ? { seekPreview: o.source.seekPreview } : {}),
      hls: {
        master: 'hls/master.m3u8',
        segmentDurationS: 2,
        video: [
          {
            name: 'v0',
            width: 160,
            height: 90,
            bandwidth: 300000,
            codecs: 'avc1.64000c',
            audience: 'seatback',
            playlist: 'hls/video/v0/index.m3u8',
          },
        ],
      },
      keyId,
      encryption: { method: 'AES-128', keyUri: `/api/keys/${keyId}` },
      files,
      createdAt: new Date().toISOString(),
      pipeline: { version: 'test', ffmpeg: '5.1' },
    };
    const manifestText = JSON.stringify(manifest, null, 2);
    fs.writeFileSync(path.join(pkg, 'manifest.json'), manifestText);
    packages.push({ id: t.id, path: `packages/${t.id}`, manifestSha256: sha256(manifestText), keyId });
    keys.push({ keyId, path: `keys/${keyId}.key`, sha256: sha256(o.source.key) });
  }
  const unsigned: UnsignedContentLoad = {
    schemaVersion: CONTENT_SCHEMA_VERSION,
    id: o.id ?? `TEST-${crypto.randomBytes(3).toString('hex')}`,
    cycle: '2026-12',
    airline: 'XA',
    fleet: 'A320',
    version: o.version ?? 1,
    createdAt: new Date().toISOString(),
    expiresAt: o.expiresAt ?? `${year + 2}-01-01T00:00:00Z`,
    packages,
    keys,
  };
  const load = signContentLoad(unsigned, o.privateKeyPem);
  fs.writeFileSync(path.join(o.out, 'load.json'), JSON.stringify(load, null, 2));
  return { dir: o.out, load, keyIds };
}

/** A signing key pair with its public key written where IFEC_CONTENT_TRUSTED_KEYS can name it. */
export function trustedSigner(dir: string): { privateKeyPem: string; publicKeyFile: string } {
  const keys = generateSigningKeys();
  const publicKeyFile = path.join(dir, 'trusted.pub.pem');
  fs.writeFileSync(publicKeyFile, keys.publicKeyPem);
  return { privateKeyPem: keys.privateKeyPem, publicKeyFile };
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export function mediaTempDir(prefix = 'ifec-media-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface MediaTestAppliance extends RunningAppliance {
  dataDir: string;
  url: string;
  credentials: IssuedCredentials;
}

/** A real appliance on loopback with ports 0, its own data dir, silent logs. */
export async function startMediaAppliance(
  env: Record<string, string>,
  dataDir = mediaTempDir(),
): Promise<MediaTestAppliance> {
  const config = loadConfig({
    IFEC_HTTP_PORT: '0',
    IFEC_MQTT_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DATA_DIR: dataDir,
    ...env,
  });
  const running = await startAppliance(
    config,
    pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }, pino.destination(2)),
  );
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as IssuedCredentials;
  return { ...running, dataDir, url: `http://127.0.0.1:${running.httpPort}`, credentials };
}

export async function crewLogin(
  app: MediaTestAppliance,
  role: 'purser' | 'cabin_crew' | 'maintenance',
): Promise<string> {
  const crew = app.credentials.crew.find((c) => c.role === role)!;
  const res = await fetch(`${app.url}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }),
  });
  if (!res.ok) throw new Error(`crew login: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** A raw GET with the path sent byte for byte (fetch would normalise `..`). */
export function rawGet(
  port: number,
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: import('node:http').IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A TCP port free right now on loopback (RTMP ingest cannot listen on port 0 and report it back through config). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
