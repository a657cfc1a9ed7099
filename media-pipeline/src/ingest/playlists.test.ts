import { test } from 'node:test';
import assert from 'node:assert/strict';
import HLS from 'hls-parser';
import { masterPlaylist, withSegmentKeys, subtitlePlaylist, mediaSegments, segmentBitrates, languageName } from './playlists.ts';

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
    video: [{ uri: 'video/720p/index.m3u8', width: 1280, height: 720, fps: 25, codecs: 'avc1.64001f', bandwidth: 3_000_000, averageBandwidth: 2_800_000 }],
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
  assert.deepEqual(variant.audio.map((a) => [a.language, a.name, a.isDefault]), [['en', 'English', true], ['en', 'English (AD)', false], ['fr', 'Français', false]]);
  assert.equal(variant.audio[1]!.characteristics, 'public.accessibility.describes-video');
  assert.deepEqual(variant.subtitles.map((s) => [s.language, s.name, s.uri]), [['de', 'Deutsch', 'subtitles/de/index.m3u8']]);
});

test('every segment gets its own #EXT-X-KEY after #EXT-X-MAP, pointing at the key server', () => {
  const ivs = new Map([['seg_00000.m4s', '00'.repeat(16)], ['seg_00001.m4s', 'ab'.repeat(16)]]);
  const text = withSegmentKeys(ffmpegPlaylist, '/api/keys/0123456789abcdef0123456789abcdef', ivs);
  assert.ok(text.indexOf('#EXT-X-MAP') < text.indexOf('#EXT-X-KEY'));
  const media = HLS.parse(text) as HLS.types.MediaPlaylist;
  assert.equal(media.segments.length, 2);
  assert.equal(media.segments[1]!.key?.method, 'AES-128');
  assert.equal(media.segments[1]!.key?.uri, '/api/keys/0123456789abcdef0123456789abcdef');
  assert.equal(Buffer.from(media.segments[1]!.key!.iv!).toString('hex'), 'ab'.repeat(16));
  assert.equal(media.segments[0]!.map?.uri, 'init.mp4');
  assert.throws(() => withSegmentKeys(ffmpegPlaylist, '/api/keys/x', new Map()), /no IV/);
});

test('segments, bitrates, subtitle playlists, language names', () => {
  assert.deepEqual(mediaSegments(ffmpegPlaylist), [{ uri: 'seg_00000.m4s', durationS: 4 }, { uri: 'seg_00001.m4s', durationS: 2 }]);
  assert.deepEqual(segmentBitrates([{ bytes: 500_000, durationS: 4 }, { bytes: 100_000, durationS: 0.5 }]), { peak: 1_000_000, average: 1_066_667 });
  const subs = HLS.parse(subtitlePlaylist('subtitles.vtt', 9.6)) as HLS.types.MediaPlaylist;
  assert.equal(subs.targetDuration, 10);
  assert.equal(subs.segments[0]!.uri, 'subtitles.vtt');
  assert.equal(languageName('ja'), '日本語');
  assert.equal(languageName('ar'), 'العربية');
});
