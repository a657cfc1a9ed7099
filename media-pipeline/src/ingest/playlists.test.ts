import assert from 'node:assert/strict';
import { test } from 'node:test';
import HLS from 'hls-parser';
import {
  languageName,
  masterPlaylist,
  mediaSegments,
  mediaSequence,
  segmentBitrates,
  subtitlePlaylist,
  withKeyTag,
} from './playlists.ts';

HLS.setOptions({ strictMode: true });

const ffmpegPlaylist = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000000,
seg_00000.m4s
#EXTINF:2.000000,
seg_00001.m4s
#EXT-X-ENDLIST
`;

test('the master playlist has CODECS, RESOLUTION, BANDWIDTH and AUDIO/SUBTITLES groups, and parses strictly', () => {
  const text = masterPlaylist({
    video: [
      {
        uri: 'video/720p/index.m3u8',
        width: 1280,
        height: 720,
        fps: 25,
        codecs: 'avc1.64001f',
        bandwidth: 3_000_000,
        averageBandwidth: 2_800_000,
      },
    ],
    audio: [
      { uri: 'audio/en/index.m3u8', language: 'en', audioDescription: false, isDefault: true },
      { uri: 'audio/en-ad/index.m3u8', language: 'en', audioDescription: true, isDefault: false },
      { uri: 'audio/fr/index.m3u8', language: 'fr', audioDescription: false, isDefault: false },
    ],
    subtitles: [{ uri: 'subtitles/de/index.m3u8', language: 'de', closedCaptions: false, isDefault: false }],
  });
  const master = HLS.parse(text) as HLS.types.MasterPlaylist;
  assert.equal(master.isMasterPlaylist, true);
  const variant = master.variants[0]!;
  assert.equal(variant.codecs, 'avc1.64001f,mp4a.40.2');
  assert.deepEqual(variant.resolution, { width: 1280, height: 720 });
  assert.equal(variant.bandwidth, 3_000_000);
  assert.deepEqual(
    variant.audio.map((a) => [a.language, a.name, a.isDefault]),
    [
      ['en', 'English', true],
      ['en', 'English (AD)', false],
      ['fr', 'Français', false],
    ],
  );
  assert.equal(variant.audio[1]!.characteristics, 'public.accessibility.describes-video');
  assert.deepEqual(
    variant.subtitles.map((s) => [s.language, s.name, s.uri]),
    [['de', 'Deutsch', 'subtitles/de/index.m3u8']],
  );
});

test('one #EXT-X-KEY without IV, right after #EXT-X-MAP, covers every segment; the init section stays clear', () => {
  const withFfmpegKey = ffmpegPlaylist.replace('#EXTINF:2.000000,', '#EXT-X-KEY:METHOD=NONE\n#EXTINF:2.000000,');
  const text = withKeyTag(withFfmpegKey, '/api/keys/0123456789abcdef0123456789abcdef');
  const lines = text.split('\n');
  assert.equal(lines.filter((l) => l.startsWith('#EXT-X-KEY')).length, 1, 'one key tag, and any ffmpeg wrote is gone');
  assert.equal(
    lines[lines.findIndex((l) => l.startsWith('#EXT-X-MAP')) + 1],
    '#EXT-X-KEY:METHOD=AES-128,URI="/api/keys/0123456789abcdef0123456789abcdef"',
  );
  assert.equal(text.includes('IV='), false);
  const media = HLS.parse(text) as HLS.types.MediaPlaylist;
  assert.equal(media.segments.length, 2);
  for (const segment of media.segments) {
    assert.equal(segment.key?.method, 'AES-128');
    assert.equal(segment.key?.uri, '/api/keys/0123456789abcdef0123456789abcdef');
    assert.equal(segment.key?.iv, undefined);
    assert.equal(segment.map?.uri, 'init.mp4');
  }
  assert.throws(() => withKeyTag('#EXTM3U\n#EXT-X-ENDLIST\n', '/api/keys/x'), /no segments/);
});

test('segments are numbered from #EXT-X-MEDIA-SEQUENCE (0 when absent)', () => {
  assert.deepEqual(
    mediaSegments(ffmpegPlaylist).map((s) => s.sequence),
    [0, 1],
  );
  const from7 = ffmpegPlaylist.replace('#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-MEDIA-SEQUENCE:7');
  assert.equal(mediaSequence(from7), 7);
  assert.deepEqual(
    mediaSegments(from7).map((s) => s.sequence),
    [7, 8],
  );
  assert.equal(mediaSequence(ffmpegPlaylist.replace('#EXT-X-MEDIA-SEQUENCE:0\n', '')), 0);
});

test('an audio-only master lists the audio playlist once: as the variant, its rendition without URI', () => {
  const text = masterPlaylist({
    video: [],
    audio: [
      { uri: 'audio/en/index.m3u8', language: 'en', audioDescription: false, isDefault: true },
      { uri: 'audio/fr/index.m3u8', language: 'fr', audioDescription: false, isDefault: false },
    ],
    subtitles: [],
    audioOnly: { uri: 'audio/en/index.m3u8', bandwidth: 100_000, averageBandwidth: 96_000 },
  });
  const master = HLS.parse(text) as HLS.types.MasterPlaylist;
  assert.deepEqual(
    master.variants.map((v) => [v.uri, v.codecs]),
    [['audio/en/index.m3u8', 'mp4a.40.2']],
  );
  const renditions = master.variants[0]!.audio;
  assert.deepEqual(
    renditions.map((a) => [a.language, a.uri, a.isDefault]),
    [
      ['en', undefined, true],
      ['fr', 'audio/fr/index.m3u8', false],
    ],
  );
  const listed = text
    .split('\n')
    .flatMap((l) => [...l.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!).concat(l && !l.startsWith('#') ? [l] : []));
  assert.equal(new Set(listed).size, listed.length, `a playlist listed twice in:\n${text}`);
});

test('segments, bitrates, subtitle playlists, language names', () => {
  assert.deepEqual(mediaSegments(ffmpegPlaylist), [
    { uri: 'seg_00000.m4s', durationS: 4, sequence: 0 },
    { uri: 'seg_00001.m4s', durationS: 2, sequence: 1 },
  ]);
  assert.deepEqual(
    segmentBitrates([
      { bytes: 500_000, durationS: 4 },
      { bytes: 100_000, durationS: 0.5 },
    ]),
    { peak: 1_000_000, average: 1_066_667 },
  );
  const subs = HLS.parse(subtitlePlaylist('subtitles.vtt', 9.6)) as HLS.types.MediaPlaylist;
  assert.equal(subs.targetDuration, 10);
  assert.equal(subs.segments[0]!.uri, 'subtitles.vtt');
  assert.equal(languageName('ja'), '日本語');
  assert.equal(languageName('ar'), 'العربية');
});
