import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LADDERS, rungsFor } from '../ingest/ladder.ts';
import { seekPreviewLayout } from '../ingest/seek-preview.ts';
import { frameGrabArgs, progressSeconds, rungFilter, subtitleToWebVttArgs, transcodeArgs } from './ffmpeg-commands.ts';

function outputsOf(args: string[]): string[] {
  return args.filter((a) => a.endsWith('index.m3u8'));
}

test('one transcode command writes every rung and every audio language as CMAF HLS', () => {
  const args = transcodeArgs({
    source: 'in.mp4',
    ladder: LADDERS.standard,
    fps: 25,
    video: LADDERS.standard.video.map((r) => ({ rung: r, dir: `hls/video/${r.name}` })),
    audio: [
      { audioIndex: 0, dir: 'hls/audio/en' },
      { audioIndex: 1, dir: 'hls/audio/fr' },
    ],
  });
  assert.deepEqual(outputsOf(args), [
    'hls/video/1080p/index.m3u8',
    'hls/video/720p/index.m3u8',
    'hls/video/480p/index.m3u8',
    'hls/video/phone-270p/index.m3u8',
    'hls/audio/en/index.m3u8',
    'hls/audio/fr/index.m3u8',
  ]);
  assert.equal(args.filter((a) => a === 'fmp4').length, 6, 'every output is fMP4');
  assert.equal(args.filter((a) => a === '-i').length, 1, 'the source is decoded once');
  const graph = args[args.indexOf('-filter_complex') + 1]!;
  assert.match(graph, /^\[0:v:0\]split=4\[sv0\]\[sv1\]\[sv2\]\[sv3\];/);
  // Fixed GOP of exactly one segment and forced keyframes at each boundary: segments align across rungs.
  assert.equal(args.filter((a) => a === '-g').length, 4);
  assert.equal(args[args.indexOf('-g') + 1], '100');
  assert.equal(args[args.indexOf('-sc_threshold') + 1], '0');
  assert.equal(args[args.indexOf('-force_key_frames') + 1], 'expr:gte(t,n_forced*4)');
  assert.equal(args[args.indexOf('-hls_time') + 1], '4');
  assert.deepEqual(args.slice(args.indexOf('0:a:1') - 1, args.indexOf('0:a:1') + 1), ['-map', '0:a:1']);
  assert.deepEqual(args.slice(-3), ['-progress', 'pipe:1', '-nostats']);
});

test('each video output is scaled to its own rung, so a ladder cut for a small source stays right', () => {
  const rungs = rungsFor(LADDERS.standard, { width: 720, height: 405 });
  const args = transcodeArgs({
    source: 'small.mp4',
    ladder: LADDERS.standard,
    fps: 25,
    audio: [],
    video: rungs.map((rung) => ({ rung, dir: `hls/video/${rung.name}` })),
  });
  const graph = args[args.indexOf('-filter_complex') + 1]!;
  assert.match(
    graph,
    /^\[0:v:0\]split=2\[sv0\]\[sv1\];\[sv0\]scale=w=720:h=404:.*\[v0\];\[sv1\]scale=w=480:h=270:.*\[v1\]$/,
  );
  assert.deepEqual(outputsOf(args), ['hls/video/404p/index.m3u8', 'hls/video/phone-270p/index.m3u8']);
  assert.deepEqual(
    args.filter((_, i) => args[i - 1] === '-b:v'),
    [`${rungs[0]!.kbps}k`, '400k'],
  );
});

test('an audio-only title has no video filter and no video output', () => {
  const args = transcodeArgs({
    source: 'song.m4a',
    ladder: LADDERS.compact,
    fps: 25,
    video: [],
    audio: [{ audioIndex: 0, dir: 'a/en' }],
  });
  assert.equal(args.includes('-filter_complex'), false);
  assert.deepEqual(outputsOf(args), ['a/en/index.m3u8']);
});

test('rungs keep the picture aspect and pad to the rung size', () => {
  assert.equal(
    rungFilter(1280, 720),
    'scale=w=1280:h=720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p',
  );
});

test('frame grab and subtitle conversion commands', () => {
  assert.deepEqual(frameGrabArgs('in.mp4', 12.5, 'f.png').slice(-12), [
    '-ss',
    '12.500',
    '-i',
    'in.mp4',
    '-frames:v',
    '1',
    '-an',
    '-f',
    'image2',
    '-c:v',
    'png',
    'f.png',
  ]);
  assert.deepEqual(subtitleToWebVttArgs('en.srt', 'en.vtt').slice(-7), [
    '-i',
    'en.srt',
    '-c:s',
    'webvtt',
    '-f',
    'webvtt',
    'en.vtt',
  ]);
});

test('progress lines give seconds written', () => {
  assert.equal(progressSeconds('out_time_us=10007800'), 10.0078);
  assert.equal(progressSeconds('out_time_ms=2500000'), 2.5);
  assert.equal(progressSeconds('frame=250'), null);
  assert.equal(progressSeconds('out_time=00:00:10.007800'), null);
});

test('the seek preview is one more branch of the same decode, written as numbered JPEG sheets', () => {
  const plan = {
    source: 'in.mp4',
    ladder: LADDERS.compact,
    fps: 25,
    video: LADDERS.compact.video.slice(0, 1).map((r) => ({ rung: r, dir: `hls/video/${r.name}` })),
    audio: [],
  };
  const layout = seekPreviewLayout(23);
  const args = transcodeArgs({ ...plan, seekPreview: { dir: 'seek-preview', layout } });
  const graph = args[args.indexOf('-filter_complex') + 1]!;
  assert.match(graph, /^\[0:v:0\]split=2\[sv0\]\[spreview\];/);
  assert.match(graph, /;\[spreview\]tpad=stop_mode=clone:stop_duration=1,fps=fps=1\/1:round=up,trim=end_frame=23,/);
  assert.match(graph, /,tile=10x3,format=yuvj420p\[preview\]$/);
  assert.deepEqual(args.slice(args.indexOf('[preview]') - 1, args.indexOf('[preview]') + 3), [
    '-map',
    '[preview]',
    '-c:v',
    'mjpeg',
  ]);
  assert.ok(args.includes('seek-preview/sheet-%03d.jpg'));
  assert.equal(args.filter((a) => a === '-i').length, 1, 'still one decode');
  const without = transcodeArgs(plan);
  assert.ok(!without.some((a) => a.includes('preview') || a.includes('sheet-')), 'music and bare runs have none');
});
