/**
 * Sources the standard ladder does not fit, on the real ffmpeg: a 720x405 film gets no rung
 * above its own size, and an audio-only title's master names each playlist once. Playlists
 * are parsed in hls-parser's strict mode.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import HLS from 'hls-parser';
import { decryptSegment } from '../src/ingest/encrypt.ts';
import { ingestTitle } from '../src/ingest/ingest.ts';
import { decodeErrors, ffprobeJson, makeSource, segmentStartsClean, specIv, tempDir, titleJson } from './helpers.ts';

HLS.setOptions({ strictMode: true });
const work = tempDir('small');
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** Every URI a master playlist names: variants and renditions. */
function namedUris(text: string): string[] {
  return text
    .split('\n')
    .flatMap((l) =>
      l.startsWith('#') ? [...l.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!) : l.trim() ? [l.trim()] : [],
    );
}

test('a 720x405 source gets rungs at or below its own size, never 1080p, 720p or 480p', async () => {
  const source = makeSource(path.join(work, 'small.mp4'), { durationS: 3, width: 720, height: 405, audio: ['eng'] });
  fs.writeFileSync(path.join(work, 'small.json'), JSON.stringify(titleJson({ id: 'small-film' })));
  const { manifest, keyFile } = await ingestTitle({
    source,
    metaFile: path.join(work, 'small.json'),
    out: path.join(work, 'small-pkg'),
    ladder: 'standard',
  });
  assert.deepEqual(
    manifest.hls.video.map((v) => `${v.width}x${v.height}`),
    ['720x404', '480x270'],
  );
  const hls = path.join(work, 'small-pkg', 'hls');
  const master = HLS.parse(fs.readFileSync(path.join(hls, 'master.m3u8'), 'utf8')) as HLS.types.MasterPlaylist;
  assert.deepEqual(
    master.variants.map((v) => v.resolution),
    [
      { width: 720, height: 404 },
      { width: 480, height: 270 },
    ],
  );
  // The top rung really is the source's size, and it plays once decrypted.
  const top = path.join(hls, path.dirname(master.variants[0]!.uri));
  const media = HLS.parse(fs.readFileSync(path.join(top, 'index.m3u8'), 'utf8')) as HLS.types.MediaPlaylist;
  const segment = media.segments[0]!;
  const clear = decryptSegment(
    fs.readFileSync(path.join(top, segment.uri)),
    fs.readFileSync(keyFile),
    specIv(segment.mediaSequenceNumber),
  );
  assert.ok(segmentStartsClean(clear), 'the IV is right: the first block decrypts');
  const playable = path.join(work, 'top.mp4');
  fs.writeFileSync(playable, Buffer.concat([fs.readFileSync(path.join(top, 'init.mp4')), clear]));
  assert.equal(decodeErrors(playable), '');
  const stream = ffprobeJson(playable, ['-show_streams', '-select_streams', 'v:0']).streams[0];
  assert.equal(`${stream.width}x${stream.height}`, '720x404');
});

test('an audio-only title: the master lists its audio playlist once, as the variant', async () => {
  const source = makeSource(path.join(work, 'song.m4a'), {
    durationS: 3,
    width: 0,
    height: 0,
    video: false,
    audio: ['eng'],
  });
  const meta = titleJson({
    id: 'a-song',
    kind: 'audio',
    album: { id: 'an-album', titles: { en: 'An Album' }, artist: 'The Testers', track: 1 },
  });
  fs.writeFileSync(path.join(work, 'song.json'), JSON.stringify(meta));
  const { manifest } = await ingestTitle({
    source,
    metaFile: path.join(work, 'song.json'),
    out: path.join(work, 'song-pkg'),
    ladder: 'compact',
  });
  assert.deepEqual(manifest.hls.video, []);
  // Nothing to preview on a seek bar without a picture.
  assert.equal(manifest.seekPreview, undefined);
  assert.equal(fs.existsSync(path.join(work, 'song-pkg', 'seek-preview')), false);
  const text = fs.readFileSync(path.join(work, 'song-pkg', manifest.hls.master), 'utf8');
  const master = HLS.parse(text) as HLS.types.MasterPlaylist;
  assert.deepEqual(
    master.variants.map((v) => [v.uri, v.codecs]),
    [['audio/en/index.m3u8', 'mp4a.40.2']],
  );
  assert.deepEqual(
    master.variants[0]!.audio.map((a) => [a.language, a.uri, a.isDefault]),
    [['en', undefined, true]],
  );
  const uris = namedUris(text);
  assert.deepEqual(uris, ['audio/en/index.m3u8'], `each playlist once in:\n${text}`);
  const audio = HLS.parse(
    fs.readFileSync(path.join(work, 'song-pkg', 'hls', uris[0]!), 'utf8'),
  ) as HLS.types.MediaPlaylist;
  assert.ok(
    audio.segments.length >= 1 && audio.segments.every((s) => s.key?.method === 'AES-128' && s.key.iv === undefined),
  );
});
