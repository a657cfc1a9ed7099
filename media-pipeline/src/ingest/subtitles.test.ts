import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaError } from '../errors.ts';
import { sidecarFormat, ttmlSeconds, ttmlToWebVtt } from './subtitles.ts';

test('TTML time expressions', () => {
  assert.equal(ttmlSeconds('00:01:02.500'), 62.5);
  assert.equal(ttmlSeconds('00:00:01:12', 24), 1.5);
  assert.equal(ttmlSeconds('2.5s'), 2.5);
  assert.equal(ttmlSeconds('1500ms'), 1.5);
  assert.equal(ttmlSeconds('20000000t'), 2);
  assert.throws(() => ttmlSeconds('soon'));
});

test('TTML cues become WebVTT with line breaks and entities', () => {
  const vtt =
    ttmlToWebVtt(`<?xml version="1.0"?><tt xmlns="http://www.w3.org/ns/ttml" ttp:tickRate="10000000"><body><div>
    <p begin="00:00:01.000" end="00:00:03.000" region="r1">Hallo<br/><span tts:color="yellow">Welt &amp; mehr</span></p>
    <p begin="50000000t" dur="2s">Zweite &lt;Zeile&gt;</p></div></body></tt>`);
  assert.equal(
    vtt,
    'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHallo\nWelt &amp; mehr\n\n00:00:05.000 --> 00:00:07.000\nZweite &lt;Zeile&gt;\n',
  );
});

test('unusable sidecars are named', () => {
  assert.throws(
    () => ttmlToWebVtt('<html></html>', 'x.ttml'),
    (e: unknown) => e instanceof MediaError && e.code === 'SIDECAR_INVALID' && /x\.ttml/.test(e.message),
  );
  assert.throws(
    () => sidecarFormat('subs.ass'),
    (e: unknown) => e instanceof MediaError && e.code === 'SIDECAR_INVALID',
  );
  assert.equal(sidecarFormat('EN.SRT'), 'srt');
});
