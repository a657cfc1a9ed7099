import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSeekPreviewTrack } from '@ifec/protocol';
import {
  cacheControl,
  fileType,
  originPathParts,
  parseRange,
  rewritePlaylist,
  rewriteSeekPreviewTrack,
} from './origin.ts';

test('origin paths: only plain names; anything that could step outside is refused', () => {
  assert.deepEqual(originPathParts('/night-flight/hls/video/v0/seg_00001.m4s'), [
    'night-flight',
    'hls',
    'video',
    'v0',
    'seg_00001.m4s',
  ]);
  assert.deepEqual(originPathParts('/night-flight/hls/audio/pt-BR/index.m3u8')?.at(-2), 'pt-BR');
  for (const bad of [
    '/../etc/passwd',
    '/a/%2e%2e/b',
    '/a/..%2fb',
    '/a/%252e',
    '/a\\..\\b',
    '/a/./b',
    '/a//b',
    '/a/b/',
    '/a/b%00.m4s',
    '/a/b\u0000',
    '/a/ b',
    `/${'a'.repeat(600)}`,
  ]) {
    assert.equal(originPathParts(bad), undefined, bad);
  }
});

test('types and cache rules', () => {
  assert.deepEqual(fileType('hls/master.m3u8'), { mime: 'application/vnd.apple.mpegurl', kind: 'playlist' });
  assert.equal(fileType('hls/video/v0/seg_00001.m4s').mime, 'video/mp4');
  assert.equal(fileType('hls/audio/fr/seg_00001.m4s').mime, 'audio/mp4');
  assert.equal(fileType('hls/audio/fr/init.mp4').mime, 'audio/mp4');
  assert.equal(fileType('hls/subtitles/en/subs.vtt').mime, 'text/vtt; charset=utf-8');
  assert.equal(fileType('images/poster-300x450.webp').mime, 'image/webp');
  assert.equal(fileType('x.exe').mime, 'application/octet-stream');
  assert.equal(cacheControl({ kind: 'segment', live: false }), 'public, max-age=31536000, immutable');
  assert.equal(cacheControl({ kind: 'playlist', live: false }), 'private, max-age=5');
  assert.equal(cacheControl({ kind: 'playlist', live: true }), 'no-cache');
});

test('single byte ranges, suffixes, open ends, unsatisfiable', () => {
  assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
  assert.deepEqual(parseRange('bytes=900-', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 999 });
  assert.deepEqual(parseRange('bytes=990-5000', 1000), { start: 990, end: 999 });
  assert.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=5-1', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-1,5-6', 1000), undefined, 'several ranges: the whole file');
  assert.equal(parseRange('items=0-1', 1000), undefined);
  assert.equal(parseRange(undefined, 1000), undefined);
});

test('playlists: the token goes to child playlists and keys, never to init sections or segments', () => {
  const master = [
    '#EXTM3U',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="fr",NAME="Français",URI="audio/fr/index.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO="aud"',
    'video/480p/index.m3u8',
    '',
  ].join('\n');
  const out = rewritePlaylist(master, 'a.b');
  assert.ok(out.includes('URI="audio/fr/index.m3u8?token=a.b"'));
  assert.ok(out.includes('\nvideo/480p/index.m3u8?token=a.b\n'));
  // As the pipeline writes it: one key tag after the map, no IV, for every segment.
  const media =
    '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXT-X-KEY:METHOD=AES-128,URI="/api/keys/00ff"\n#EXTINF:4.0,\nseg_00000.m4s\n#EXTINF:4.0,\nseg_00001.m4s\n#EXT-X-ENDLIST\n';
  const rewritten = rewritePlaylist(media, 'a.b');
  assert.equal(
    rewritten,
    media.replace('URI="/api/keys/00ff"', 'URI="/api/keys/00ff?token=a.b"'),
    'only the key URI changes',
  );
  // A key tag with an IV keeps it.
  assert.ok(
    rewritePlaylist(media.replace('/api/keys/00ff"', '/api/keys/00ff",IV=0x01'), 'a.b').includes(
      'URI="/api/keys/00ff?token=a.b",IV=0x01',
    ),
  );
});

test('a seek preview track gets the token on every sheet, before the fragment, and nothing else changes', () => {
  const track =
    'WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nsheet-001.jpg#xywh=0,0,160,90\n\n00:00:10.000 --> 00:00:20.000\nsheet-002.jpg?v=2#xywh=160,0,160,90\n';
  const rewritten = rewriteSeekPreviewTrack(track, 'a+b/c');
  assert.deepEqual(
    parseSeekPreviewTrack(rewritten).map((c) => [c.image, c.x]),
    [
      ['sheet-001.jpg?token=a%2Bb%2Fc', 0],
      ['sheet-002.jpg?v=2&token=a%2Bb%2Fc', 160],
    ],
  );
  assert.equal(rewritten.replace(/\?token=a%2Bb%2Fc|&token=a%2Bb%2Fc/g, ''), track);
});
