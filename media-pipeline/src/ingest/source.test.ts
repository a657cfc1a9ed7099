import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaError } from '../errors.ts';
import type { RawProbe } from '../tools/ffmpeg.ts';
import { audioRenditionName, describeSource, normaliseLanguage } from './source.ts';

const film: RawProbe = {
  format: { duration: '10.020000', format_name: 'mov,mp4,m4a,3gp,3g2,mj2' },
  streams: [
    {
      index: 0,
      codec_type: 'video',
      codec_name: 'h264',
      width: 1920,
      height: 1080,
      avg_frame_rate: '25/1',
      r_frame_rate: '25/1',
    },
    {
      index: 1,
      codec_type: 'audio',
      codec_name: 'aac',
      tags: { language: 'eng' },
      disposition: { visual_impaired: 0 },
    },
    { index: 2, codec_type: 'audio', codec_name: 'aac', tags: { language: 'fre' } },
    { index: 3, codec_type: 'audio', codec_name: 'aac', tags: { language: 'eng', title: 'Audio Description' } },
  ],
};

test('a film: video at its frame rate, one audio rendition per language, audio description found', () => {
  const info = describeSource(film, { kind: 'movie', originalLanguage: 'en' }, 'film.mp4');
  assert.deepEqual(info.video, { width: 1920, height: 1080, fps: 25 });
  assert.equal(info.durationS, 10.02);
  assert.deepEqual(info.audio.map(audioRenditionName), ['en', 'fr', 'en-ad']);
});

test('no video stream for a film, two tracks claiming one language, a bad stream index', () => {
  const audioOnly: RawProbe = { format: { duration: '3' }, streams: [{ index: 0, codec_type: 'audio' }] };
  assert.throws(
    () => describeSource(audioOnly, { kind: 'movie', originalLanguage: 'en' }, 'a.m4a'),
    (e: unknown) => e instanceof MediaError && e.code === 'SOURCE_NO_VIDEO' && e.message.includes('a.m4a'),
  );
  assert.equal(describeSource(audioOnly, { kind: 'audio', originalLanguage: 'en' }, 'a.m4a').audio[0]!.language, 'en');
  const twins: RawProbe = {
    format: { duration: '3' },
    streams: [
      { index: 0, codec_type: 'video' },
      { index: 1, codec_type: 'audio' },
      { index: 2, codec_type: 'audio' },
    ],
  };
  assert.throws(
    () => describeSource(twins, { kind: 'movie', originalLanguage: 'en' }, 't.mp4'),
    /two audio streams are both en/,
  );
  const mapped = describeSource(
    twins,
    {
      kind: 'movie',
      originalLanguage: 'en',
      sources: { audio: [{ stream: 1, language: 'es', audioDescription: false }] },
    },
    't.mp4',
  );
  assert.deepEqual(mapped.audio, [{ audioIndex: 1, language: 'es', audioDescription: false }]);
  assert.throws(
    () =>
      describeSource(
        twins,
        {
          kind: 'movie',
          originalLanguage: 'en',
          sources: { audio: [{ stream: 5, language: 'es', audioDescription: false }] },
        },
        't.mp4',
      ),
    /has 2 audio stream/,
  );
});

test('container language tags map to catalogue codes', () => {
  assert.equal(normaliseLanguage('ger', 'en'), 'de');
  assert.equal(normaliseLanguage('und', 'fr'), 'fr');
  assert.equal(normaliseLanguage(undefined, 'ja'), 'ja');
  assert.equal(normaliseLanguage('zh', 'en'), 'zh');
  assert.equal(normaliseLanguage('tgl', 'en'), 'tgl');
});
