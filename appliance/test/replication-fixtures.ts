/**
 * Generated catalogues for the replication tests and the boarding-storm bench: schema-valid
 * title manifests of a realistic size (several languages, synopses, cast, artwork), built
 * in memory so a 5,000-title catalogue costs no media files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TitleManifest, titleManifest } from '@ifec/protocol';
import { pino } from 'pino';
import type { IssuedCredentials } from '../src/aircraft/provisioning.ts';
import { loadConfig } from '../src/config.ts';
import { CREDENTIALS_FILE } from '../src/demo/first-run.ts';
import { type RunningAppliance, startAppliance } from '../src/main.ts';

const LANGUAGES = ['en', 'fr', 'de', 'es', 'ja', 'ar', 'zh', 'pt-BR'] as const;
const GENRES = [
  'drama',
  'comedy',
  'action',
  'documentary',
  'animation',
  'thriller',
  'romance',
  'family',
  'sci-fi',
  'classic',
];
const WORDS = [
  'night',
  'flight',
  'river',
  'étoile',
  'Straße',
  'garden',
  'ocean',
  'mountain',
  'city',
  'winter',
  'summer',
  'café',
  'storm',
  'island',
  'letter',
  'journey',
];

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length]!;
}

function sentence(seed: number, words: number): string {
  return Array.from({ length: words }, (_, i) => pick(WORDS, seed * 7 + i * 13 + i * i)).join(' ');
}

/** One manifest; `revision` changes its editorial text (a title that changed between loads). */
export function sampleManifest(index: number, revision = 0): TitleManifest {
  const id = `title-${String(index).padStart(5, '0')}`;
  const languages = LANGUAGES.slice(0, 2 + (index % 5));
  const kind = (['movie', 'movie', 'episode', 'kids', 'audio'] as const)[index % 5]!;
  const titles = Object.fromEntries(
    languages.map((l) => [l, `${sentence(index, 3)} ${index}${revision ? ` r${revision}` : ''} (${l})`]),
  );
  const synopses = Object.fromEntries(languages.map((l) => [l, `${sentence(index + 1, 40)}.`]));
  const images = (['poster', 'backdrop'] as const).flatMap((role) =>
    (['webp', 'jpeg'] as const).map((format) => ({
      role,
      format,
      width: role === 'poster' ? 400 : 1280,
      height: role === 'poster' ? 600 : 720,
      path: `images/${role}-${role === 'poster' ? '400x600' : '1280x720'}.${format === 'jpeg' ? 'jpg' : 'webp'}`,
    })),
  );
  const keyId = crypto.createHash('md5').update(id).digest('hex');
  const manifest = {
    schemaVersion: 1,
    id,
    kind,
    ...(kind === 'episode'
      ? {
          series: {
            id: `series-${Math.floor(index / 10)}`,
            titles: { en: `Series ${Math.floor(index / 10)}` },
            season: 1 + (index % 3),
            episode: 1 + (index % 10),
          },
        }
      : {}),
    ...(kind === 'audio'
      ? {
          album: {
            id: `album-${Math.floor(index / 12)}`,
            titles: { en: `Album ${Math.floor(index / 12)}` },
            artist: `Artist ${index % 97}`,
            track: 1 + (index % 12),
          },
        }
      : {}),
    titles,
    synopses,
    genres: [pick(GENRES, index), pick(GENRES, index + 3)],
    cast: Array.from({ length: 4 }, (_, i) => ({
      name: `Person ${(index * 3 + i) % 1000}`,
      role: i === 0 ? ('director' as const) : ('actor' as const),
      ...(i ? { character: `Role ${i}` } : {}),
    })),
    rating: { system: 'MPAA' as const, value: pick(['G', 'PG', 'PG-13', 'R'], index) },
    releaseYear: 1950 + (index % 76),
    originalLanguage: pick(languages, index),
    licence: { start: '2026-11-01T00:00:00Z', end: '2027-02-01T00:00:00Z' },
    regions: { allowed: ['*'], blocked: index % 50 === 0 ? ['CN'] : [] },
    rights: index % 7 === 0 ? ('seatback-only' as const) : ('all-devices' as const),
    priceTier: index % 11 === 0 ? ('premium-1' as const) : ('included' as const),
    durationS: 600 + (index % 120) * 60,
    audioLanguages: languages
      .slice(0, 3)
      .map((language) => ({ language, audioDescription: false, playlist: `hls/audio/${language}/playlist.m3u8` })),
    subtitleLanguages: languages.map((language) => ({
      language,
      closedCaptions: false,
      playlist: `hls/subtitles/${language}/playlist.m3u8`,
    })),
    images,
    hls: {
      master: 'hls/master.m3u8',
      segmentDurationS: 4,
      video: [
        {
          name: '720p',
          width: 1280,
          height: 720,
          bandwidth: 2_800_000,
          codecs: 'avc1.64001f,mp4a.40.2',
          audience: 'seatback' as const,
          playlist: 'hls/video/720p/playlist.m3u8',
        },
      ],
    },
    keyId,
    encryption: { method: 'AES-128' as const, keyUri: `/api/keys/${keyId}` },
    files: [{ path: 'hls/master.m3u8', size: 512, sha256: crypto.createHash('sha256').update(id).digest('hex') }],
    createdAt: '2026-11-01T00:00:00Z',
    pipeline: { version: '0.1.0', ffmpeg: '5.1.9' },
  };
  return titleManifest.parse(manifest);
}

/** Titles `from` .. `from + count - 1`. */
export function sampleCatalog(count: number, from = 0, revision = 0): TitleManifest[] {
  return Array.from({ length: count }, (_, i) => sampleManifest(from + i, revision));
}

/** A real appliance on loopback for replication tests; `port` restarts it where seats expect it. */
export async function startReplicationAppliance(
  dataDir: string,
  port = 0,
): Promise<RunningAppliance & { url: string; seatSecrets: Record<string, string> }> {
  const config = loadConfig({
    IFEC_HTTP_PORT: String(port),
    IFEC_MQTT_PORT: '0',
    IFEC_RTMP_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DATA_DIR: dataDir,
  });
  const running = await startAppliance(config, pino({ level: 'silent' }));
  const seatSecrets = (JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as IssuedCredentials)
    .seats;
  return { ...running, url: `http://127.0.0.1:${running.httpPort}`, seatSecrets };
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-replication-'));
}

export async function seatToken(url: string, seatId: string, secret: string): Promise<string> {
  const res = await fetch(`${url}/api/seats/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId, secret }),
  });
  if (!res.ok) throw new Error(`seat login ${seatId}: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
