/** Real sources and real probes for the integration tests: everything runs the actual ffmpeg. */

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findMediaBinaries } from '../src/tools/binaries.ts';

export const binaries = findMediaBinaries();
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.ts');

/**
 * The IV RFC 8216 §5.2 gives a segment when its key tag has no IV: its media sequence number as
 * a 16-byte big-endian integer. Written here from the spec, not from the pipeline's code.
 */
export function specIv(mediaSequence: number): Buffer {
  return Buffer.from(mediaSequence.toString(16).padStart(32, '0'), 'hex');
}

/**
 * Whether a decrypted CMAF segment is right from its first byte. CBC with a wrong IV garbles
 * only the first 16 bytes (for a near-miss sequence number, bytes 8–15), which decoders shrug
 * off; ffmpeg starts every segment with `styp`, size 24, whose major brand (bytes 8–11) is
 * repeated as the first compatible brand (bytes 16–19, past the first block) and whose minor
 * version (bytes 12–15) is 0.
 */
export function segmentStartsClean(clear: Buffer): boolean {
  return (
    clear.readUInt32BE(0) === 24 &&
    clear.toString('latin1', 4, 8) === 'styp' &&
    clear.toString('latin1', 8, 12) === clear.toString('latin1', 16, 20) &&
    clear.readUInt32BE(12) === 0
  );
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ifec-media-${prefix}-`));
}

export interface SyntheticSource {
  durationS: number;
  width: number;
  height: number;
  /** ISO 639-2 tags, one tone each. */
  audio: string[];
  video?: boolean;
}

/** A test pattern with tones, written quickly (ultrafast) so the test spends its time in the pipeline. */
export function makeSource(file: string, s: SyntheticSource): string {
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  if (s.video !== false)
    args.push('-f', 'lavfi', '-i', `testsrc2=size=${s.width}x${s.height}:rate=25:duration=${s.durationS}`);
  for (const i of s.audio.keys())
    args.push('-f', 'lavfi', '-i', `sine=frequency=${440 + i * 110}:duration=${s.durationS}`);
  const first = s.video !== false ? 1 : 0;
  if (s.video !== false) args.push('-map', '0:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  for (const [i, lang] of s.audio.entries())
    args.push('-map', `${first + i}:a`, `-metadata:s:a:${i}`, `language=${lang}`);
  args.push('-c:a', 'aac', '-t', String(s.durationS), file);
  execFileSync(binaries.ffmpeg, args);
  return file;
}

// biome-ignore lint/suspicious/noExplicitAny: ffprobe's JSON, read field by field in assertions
export function ffprobeJson(file: string, extra: string[]): any {
  return JSON.parse(
    execFileSync(binaries.ffprobe, ['-v', 'error', '-of', 'json', ...extra, file], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
}

/** ffprobe JSON plus whatever it complained about on stderr (decoding errors with -count_frames). */
// biome-ignore lint/suspicious/noExplicitAny: ffprobe's JSON, read field by field in assertions
export function probeWithErrors(file: string, extra: string[]): { json: any; errors: string } {
  const r = spawnSync(binaries.ffprobe, ['-v', 'error', '-of', 'json', ...extra, file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    json: r.stdout ? JSON.parse(r.stdout) : {},
    errors: r.status === 0 ? r.stderr.trim() : `exit ${r.status}: ${r.stderr.trim()}`,
  };
}

/** Decodes every frame; returns ffmpeg's complaints (empty when the file is clean). */
export function decodeErrors(file: string): string {
  const r = spawnSync(binaries.ffmpeg, ['-hide_banner', '-v', 'error', '-i', file, '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stderr.trim() : `exit ${r.status}: ${r.stderr.trim()}`;
}

export function titleJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'test-flight',
    kind: 'movie',
    titles: { en: 'Test Flight', fr: 'Vol d’essai', ja: 'テスト飛行' },
    synopses: { en: 'A test pattern goes flying.', fr: 'Une mire prend l’avion.' },
    genres: ['drama'],
    cast: [{ name: 'Ada Test', role: 'actor', character: 'Captain' }],
    rating: { system: 'BBFC', value: '12A' },
    originalLanguage: 'en',
    licence: { start: '2026-01-01T00:00:00Z', end: '2027-12-31T23:59:59Z' },
    regions: { allowed: ['*'], blocked: ['KP'] },
    rights: 'seatback-only',
    priceTier: 'premium-1',
    ...overrides,
  };
}

export function runCli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
