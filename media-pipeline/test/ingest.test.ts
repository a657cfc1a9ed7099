/**
 * The test: a 10-second synthetic source becomes a valid ladder. Real ffmpeg, the
 * standard ladder, playlists parsed in strict mode, segment durations and keyframes checked
 * across renditions, and every encrypted segment decrypted with the title key and decoded.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type TitleManifest, titleManifest } from '@ifec/protocol';
import { sha256File } from '@ifec/protocol/node';
import HLS from 'hls-parser';
import { decryptSegment } from '../src/ingest/encrypt.ts';
import { ingestTitle } from '../src/ingest/ingest.ts';
import {
  decodeErrors,
  ffprobeJson,
  makeSource,
  probeWithErrors,
  segmentStartsClean,
  specIv,
  tempDir,
} from './helpers.ts';

HLS.setOptions({ strictMode: true });

let work: string;
let pkg: string;
let manifest: TitleManifest;
let key: Buffer;
const parsed = new Map<string, HLS.types.MediaPlaylist>();

before(async () => {
  work = tempDir('ingest');
  const source = makeSource(path.join(work, 'source.mp4'), {
    durationS: 10,
    width: 1920,
    height: 1080,
    audio: ['eng', 'fra'],
  });
  fs.writeFileSync(
    path.join(work, 'en.srt'),
    '1\n00:00:01,000 --> 00:00:03,000\nWelcome aboard.\n\n2\n00:00:05,000 --> 00:00:07,000\n[engine hum]\n',
  );
  fs.writeFileSync(path.join(work, 'fr.vtt'), 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nBienvenue à bord.\n');
  fs.writeFileSync(
    path.join(work, 'de.ttml'),
    '<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="1s" end="3s">Willkommen an Bord.</p></div></body></tt>',
  );
  const meta = {
    id: 'test-flight',
    eidr: '10.5240/7791-8534-2C23-9030-8610-5',
    kind: 'movie',
    titles: { en: 'Test Flight', fr: 'Vol d’essai', de: 'Testflug' },
    synopses: { en: 'A test pattern goes flying.' },
    genres: ['drama'],
    cast: [{ name: 'Ada Test', role: 'actor', character: 'Captain' }],
    rating: { system: 'BBFC', value: '12A' },
    originalLanguage: 'en',
    licence: { start: '2026-01-01T00:00:00Z', end: '2027-12-31T23:59:59Z' },
    regions: { allowed: ['*'], blocked: ['KP'] },
    rights: 'seatback-only',
    priceTier: 'premium-1',
    sources: {
      subtitles: [
        { language: 'en', file: 'en.srt', closedCaptions: true },
        { language: 'fr', file: 'fr.vtt' },
        { language: 'de', file: 'de.ttml' },
      ],
    },
  };
  fs.writeFileSync(path.join(work, 'title.json'), JSON.stringify(meta));
  pkg = path.join(work, 'out', 'test-flight');
  const result = await ingestTitle({ source, metaFile: path.join(work, 'title.json'), out: pkg, ladder: 'standard' });
  manifest = result.manifest;
  key = fs.readFileSync(result.keyFile);
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

function media(rel: string): HLS.types.MediaPlaylist {
  if (!parsed.has(rel))
    parsed.set(rel, HLS.parse(fs.readFileSync(path.join(pkg, 'hls', rel), 'utf8')) as HLS.types.MediaPlaylist);
  return parsed.get(rel)!;
}

/** init + decrypted segment: a file a player would decode. */
function playable(rel: string, segment: HLS.types.Segment, name: string): string {
  const dir = path.dirname(path.join(pkg, 'hls', rel));
  assert.equal(segment.key?.method, 'AES-128');
  assert.equal(segment.key?.uri, `/api/keys/${manifest.keyId}`);
  // No IV in the playlist: the IV is the segment's media sequence number (RFC 8216 §5.2).
  assert.equal(segment.key?.iv, undefined);
  const clear = decryptSegment(fs.readFileSync(path.join(dir, segment.uri)), key, specIv(segment.mediaSequenceNumber));
  // A wrong IV garbles only the first block, which decoders shrug off: check it byte for byte.
  assert.ok(segmentStartsClean(clear), `${rel} ${segment.uri} decrypts from its first byte`);
  const file = path.join(work, `${name}.mp4`);
  fs.writeFileSync(file, Buffer.concat([fs.readFileSync(path.join(dir, segment.map!.uri)), clear]));
  return file;
}

test('the master playlist parses strictly and lists the whole ladder with exact CODECS and RESOLUTION', () => {
  const master = HLS.parse(fs.readFileSync(path.join(pkg, manifest.hls.master), 'utf8')) as HLS.types.MasterPlaylist;
  assert.deepEqual(
    master.variants.map((v) => `${v.resolution!.width}x${v.resolution!.height}`),
    ['1920x1080', '1280x720', '854x480', '480x270'],
  );
  for (const v of master.variants) {
    const init = path.join(pkg, 'hls', path.dirname(v.uri), 'init.mp4');
    // The init section is clear: ffprobe reads it without any key.
    assert.equal(ffprobeJson(init, ['-show_streams']).streams[0].codec_name, 'h264');
    const first = media(v.uri).segments[0]!;
    const stream = ffprobeJson(playable(v.uri, first, `codec-${v.resolution!.height}`), [
      '-show_streams',
      '-select_streams',
      'v:0',
    ]).streams[0];
    assert.equal(`${stream.width}x${stream.height}`, `${v.resolution!.width}x${v.resolution!.height}`);
    const [avc, aac] = v.codecs!.split(',');
    const profile = { High: 100, Main: 77, 'Constrained Baseline': 66, Baseline: 66 }[stream.profile as string];
    assert.equal(
      avc,
      `avc1.${profile!.toString(16).padStart(2, '0')}${avc!.slice(7, 9)}${Number(stream.level).toString(16).padStart(2, '0')}`,
    );
    assert.equal(aac, 'mp4a.40.2');
    assert.ok(v.bandwidth > (v.averageBandwidth ?? 0) * 0.9 && v.bandwidth < 12_000_000, `bandwidth ${v.bandwidth}`);
    assert.deepEqual(
      v.audio.map((a) => a.language),
      ['en', 'fr'],
    );
    assert.deepEqual(
      v.subtitles.map((s) => s.language),
      ['en', 'fr', 'de'],
    );
  }
  assert.equal(master.variants[0]!.subtitles[0]!.characteristics?.includes('transcribes-spoken-dialog'), true);
  assert.deepEqual(
    manifest.hls.video.map((v) => v.audience),
    ['seatback', 'seatback', 'seatback', 'phone'],
  );
});

interface SegmentCheck {
  rendition: string;
  index: number;
  /** ffmpeg/ffprobe complaints while decoding init + decrypted segment: empty when clean. */
  errors: string;
  frames: number;
  keyframeTimes: string[];
  startsOnKeyframe: boolean;
}

/** Decrypts every segment of every rendition with the title key and decodes it, once (one ffprobe each). */
function checkAllSegments(): SegmentCheck[] {
  const renditions = [
    ...manifest.hls.video.map((v) => v.playlist),
    ...manifest.audioLanguages.map((a) => a.playlist),
  ].map((p) => p.replace(/^hls\//, ''));
  return renditions.flatMap((r) =>
    media(r).segments.map((segment, index): SegmentCheck => {
      const file = playable(r, segment, `seg-${r.replace(/\W/g, '_')}-${index}`);
      const isVideo = r.startsWith('video/');
      const probe = probeWithErrors(file, [
        '-count_frames',
        '-select_streams',
        isVideo ? 'v:0' : 'a:0',
        '-show_entries',
        'stream=nb_read_frames:packet=pts_time,flags',
        '-show_packets',
      ]);
      const packets = (probe.json.packets ?? []) as Array<{ pts_time: string; flags: string }>;
      return {
        rendition: r,
        index,
        errors: probe.errors,
        frames: Number(probe.json.streams?.[0]?.nb_read_frames ?? 0),
        keyframeTimes: isVideo
          ? packets.filter((p) => p.flags.startsWith('K')).map((p) => Number(p.pts_time).toFixed(3))
          : [],
        startsOnKeyframe: packets[0]?.flags.startsWith('K') ?? false,
      };
    }),
  );
}

let segmentChecks: SegmentCheck[] | null = null;
const segments = () => (segmentChecks ??= checkAllSegments());

test('each media playlist has one #EXT-X-KEY, after #EXT-X-MAP, with no IV', () => {
  const playlists = [...manifest.hls.video.map((v) => v.playlist), ...manifest.audioLanguages.map((a) => a.playlist)];
  assert.equal(playlists.length, 6);
  for (const p of playlists) {
    const lines = fs.readFileSync(path.join(pkg, p), 'utf8').split('\n');
    const keys = lines.filter((l) => l.startsWith('#EXT-X-KEY'));
    assert.deepEqual(keys, [`#EXT-X-KEY:METHOD=AES-128,URI="/api/keys/${manifest.keyId}"`], p);
    assert.equal(
      lines.indexOf(keys[0]!),
      lines.findIndex((l) => l.startsWith('#EXT-X-MAP')) + 1,
      `${p}: the key follows the map`,
    );
    assert.ok(media(p.replace(/^hls\//, '')).segments.length >= 3, p);
  }
});

test('segments are 4 s, identical across video renditions, each starting on a keyframe at the same time', () => {
  const renditions = manifest.hls.video.map((v) => v.playlist.replace(/^hls\//, ''));
  const durations = renditions.map((r) => media(r).segments.map((s) => s.duration));
  for (const d of durations) assert.deepEqual(d, durations[0]);
  assert.deepEqual(durations[0], [4, 4, 2]);
  for (const r of renditions) {
    const playlist = media(r);
    assert.equal(playlist.targetDuration, 4);
    assert.equal(playlist.playlistType, 'VOD');
    assert.equal(playlist.endlist, true);
  }
  const keyframeTimes = renditions.map((r) =>
    segments()
      .filter((c) => c.rendition === r)
      .flatMap((c) => {
        assert.ok(c.startsOnKeyframe, `${r} segment ${c.index} starts on a keyframe`);
        return c.keyframeTimes;
      }),
  );
  for (const t of keyframeTimes) assert.deepEqual(t, keyframeTimes[0], 'keyframes align across renditions');
  assert.equal(keyframeTimes[0]!.length, 3, 'one keyframe per segment (fixed GOP)');
});

test('every encrypted segment, decrypted with the title key, decodes cleanly; without it, it does not', () => {
  for (const c of segments()) {
    assert.equal(c.errors, '', `${c.rendition} segment ${c.index}`);
    assert.ok(c.frames > 0, `${c.rendition} segment ${c.index} has frames`);
  }
  const videoFrames = segments()
    .filter((c) => c.rendition.startsWith('video/'))
    .reduce((n, c) => n + c.frames, 0);
  assert.equal(videoFrames, 4 * 250, 'all 250 frames in each of the four renditions');
  assert.equal(segments().filter((c) => c.rendition.startsWith('audio/')).length, 6);
  const r = manifest.hls.video[0]!.playlist.replace(/^hls\//, '');
  const dir = path.dirname(path.join(pkg, 'hls', r));
  const raw = path.join(work, 'still-encrypted.mp4');
  fs.writeFileSync(
    raw,
    Buffer.concat([
      fs.readFileSync(path.join(dir, 'init.mp4')),
      fs.readFileSync(path.join(dir, media(r).segments[0]!.uri)),
    ]),
  );
  assert.notEqual(decodeErrors(raw), '', 'an encrypted segment is not playable as is');
});

test('subtitles are WebVTT playlists per language, captions flagged', () => {
  assert.deepEqual(
    manifest.subtitleLanguages.map((s) => [s.language, s.closedCaptions]),
    [
      ['en', true],
      ['fr', false],
      ['de', false],
    ],
  );
  for (const s of manifest.subtitleLanguages) {
    const playlist = media(s.playlist.replace(/^hls\//, ''));
    const vtt = fs.readFileSync(path.join(path.dirname(path.join(pkg, s.playlist)), playlist.segments[0]!.uri), 'utf8');
    assert.match(vtt, /^WEBVTT/);
    assert.match(vtt, /(00:)?00:01\.000 --> (00:)?00:03\.000\n(Welcome aboard|Bienvenue à bord|Willkommen an Bord)\./);
  }
});

test('the manifest is complete: schema, checksums of every file, images, key kept out of the served tree', async () => {
  assert.deepEqual(titleManifest.parse(JSON.parse(fs.readFileSync(path.join(pkg, 'manifest.json'), 'utf8'))), manifest);
  assert.equal(manifest.eidr, '10.5240/7791-8534-2C23-9030-8610-5');
  assert.ok(Math.abs(manifest.durationS - 10) < 0.1);
  assert.equal(manifest.rights, 'seatback-only');
  for (const f of manifest.files) {
    assert.equal(fs.statSync(path.join(pkg, f.path)).size, f.size);
    assert.equal(await sha256File(path.join(pkg, f.path)), f.sha256);
  }
  assert.equal(
    manifest.files.some((f) => f.path.startsWith('keys/') || f.path.endsWith('.key')),
    false,
  );
  assert.equal(key.length, 16);
  assert.equal(fs.existsSync(path.join(pkg, 'keys', `${manifest.keyId}.key`)), true);
  assert.equal(manifest.images.length, 12);
  for (const img of manifest.images.filter((i) => i.role === 'poster' || i.format === 'webp')) {
    const s = ffprobeJson(path.join(pkg, img.path), ['-show_streams']).streams[0];
    assert.equal(`${s.width}x${s.height}`, `${img.width}x${img.height}`, img.path);
  }
  assert.equal(fs.readdirSync(path.dirname(pkg)).length, 1, 'no staging directory left beside the package');
});
