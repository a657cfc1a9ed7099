import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveRemuxArgs } from './live-remux.ts';

test('live remux copies streams (no re-encode) into a rolling HLS window', () => {
  const args = liveRemuxArgs({
    ffmpeg: 'ffmpeg',
    source: 'rtmp://127.0.0.1:1935/live/news',
    outDir: '/d/live/news',
    segmentS: 2,
    windowSegments: 6,
  });
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(after('-i'), 'rtmp://127.0.0.1:1935/live/news');
  assert.equal(after('-c'), 'copy');
  assert.ok(!args.includes('libx264'));
  assert.equal(after('-hls_list_size'), '6');
  assert.match(after('-hls_flags')!, /delete_segments/);
  assert.equal(after('-hls_segment_filename'), '/d/live/news/seg_%05d.ts');
  assert.equal(args.at(-1), '/d/live/news/index.m3u8');
});
