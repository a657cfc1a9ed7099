import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IfecError } from './errors.ts';
import { parseSeekPreviewTrack, playbackGrant, seekPreviewCueAt, seekPreviewTrack } from './seek-preview.ts';

const cues = [
  { startS: 0, endS: 10, image: 'sheet-001.jpg', x: 0, y: 0, width: 160, height: 90 },
  { startS: 10, endS: 20, image: 'sheet-001.jpg', x: 160, y: 0, width: 160, height: 90 },
  { startS: 3600, endS: 3605.5, image: 'sheet-002.jpg', x: 1440, y: 810, width: 160, height: 90 },
];

test('a thumbnails track reads back as the cues it was written from, hours included', () => {
  const text = seekPreviewTrack(cues);
  assert.match(text, /^WEBVTT\n\n00:00:00\.000 --> 00:00:10\.000\nsheet-001\.jpg#xywh=0,0,160,90\n/);
  assert.match(text, /01:00:00\.000 --> 01:00:05\.500\nsheet-002\.jpg#xywh=1440,810,160,90\n$/);
  assert.deepEqual(parseSeekPreviewTrack(text), cues);
});

test("another player's track (short times, CRLF, a query on the sheet) is read too", () => {
  const text = 'WEBVTT\r\n\r\n1\r\n00:05.000 --> 00:10.000\r\nsprite.jpg?token=a%2Bb#xywh=10,20,30,40\r\n';
  assert.deepEqual(parseSeekPreviewTrack(text), [
    { startS: 5, endS: 10, image: 'sprite.jpg?token=a%2Bb', x: 10, y: 20, width: 30, height: 40 },
  ]);
});

test('a file that is not a thumbnails track is refused with a code', () => {
  for (const bad of ['', 'hello', 'WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nHello cabin\n']) {
    assert.throws(
      () => parseSeekPreviewTrack(bad),
      (e: unknown) => e instanceof IfecError && e.code === 'SEEK_PREVIEW_INVALID',
    );
  }
});

test('the cue at a time is the one whose interval holds it, clamped at both ends', () => {
  assert.equal(seekPreviewCueAt(cues, 0)?.x, 0);
  assert.equal(seekPreviewCueAt(cues, 9.99)?.x, 0);
  assert.equal(seekPreviewCueAt(cues, 10)?.x, 160);
  assert.equal(seekPreviewCueAt(cues, 3599)?.x, 160);
  assert.equal(seekPreviewCueAt(cues, 9999)?.image, 'sheet-002.jpg');
  assert.equal(seekPreviewCueAt(cues, -5)?.x, 0);
  assert.equal(seekPreviewCueAt([], 5), undefined);
});

test('the playback grant names the seek preview only when there is one', () => {
  const base = { url: '/hls/a/hls/master.m3u8?token=t', token: 't', expiresAt: '2026-12-02T07:00:00.000Z' };
  assert.equal(playbackGrant.parse(base).seekPreview, undefined);
  assert.equal(
    playbackGrant.parse({ ...base, seekPreview: '/hls/a/seek-preview/thumbnails.vtt?token=t' }).seekPreview,
    '/hls/a/seek-preview/thumbnails.vtt?token=t',
  );
  assert.equal(playbackGrant.safeParse({ ...base, extra: 1 }).success, false);
});
