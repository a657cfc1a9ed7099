/**
 * media.pipeline.overhead: wall time of `ingest` (probe, transcode, encryption, images,
 * checksums, manifest) against one plain ffmpeg command producing the same ladder and seek-preview sheets from the same
 * source — the very argument list ingest runs, so the difference is everything around ffmpeg.
 * Runs alternate (ingest, ffmpeg, ingest, …) so machine load hits both alike; median of each.
 */

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ffmpeg, ingestTitle, LADDERS, seekPreviewLayout } from '../media-pipeline/src/index.ts';
import { describeSource } from '../media-pipeline/src/ingest/source.ts';
import { transcodeArgs } from '../media-pipeline/src/tools/ffmpeg-commands.ts';
import { type BenchGroup, median, ratio } from './harness.ts';

/**
 * CPU seconds of this process plus its finished children (Linux /proc: utime, stime, cutime,
 * cstime). Wall time is the figure; CPU time is noted beside it because it does not move with
 * other work on the machine.
 */
function cpuSeconds(): number {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i]), 0);
    return ticks / 100;
  } catch {
    return NaN;
  }
}

const RUNS = Number(process.env.IFEC_BENCH_MEDIA_RUNS ?? 3);
const SOURCE = { durationS: 10, width: 1920, height: 1080 };

const meta = {
  id: 'bench-title',
  kind: 'movie',
  titles: { en: 'Bench Title' },
  synopses: { en: 'Bench.' },
  genres: [],
  cast: [],
  rating: { system: 'NR', value: 'NR' },
  originalLanguage: 'en',
  licence: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' },
  regions: { allowed: ['*'], blocked: [] },
  rights: 'all-devices',
  priceTier: 'included',
} as const;

export const mediaGroup: BenchGroup = {
  name: 'media',
  async run(ctx) {
    const ffmpeg = Ffmpeg.locate();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-bench-media-'));
    try {
      const source = path.join(work, 'source.mp4');
      execFileSync(ffmpeg.binaries.ffmpeg, [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=${SOURCE.width}x${SOURCE.height}:rate=25:duration=${SOURCE.durationS}`,
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=440:duration=${SOURCE.durationS}`,
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=660:duration=${SOURCE.durationS}`,
        '-map',
        '0:v',
        '-map',
        '1:a',
        '-map',
        '2:a',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-metadata:s:a:0',
        'language=eng',
        '-metadata:s:a:1',
        'language=fra',
        source,
      ]);
      const ladder = LADDERS.standard;
      const info = describeSource(await ffmpeg.probe(source), meta, source);
      ctx.log(
        `source: ${SOURCE.durationS} s ${SOURCE.width}x${SOURCE.height}, 2 audio languages; ladder ${ladder.name} (${ladder.video.map((r) => r.name).join(', ')}); ffmpeg ${await ffmpeg.version()} (${ffmpeg.binaries.origin}); ${RUNS} runs each, alternated`,
      );

      const ingestTimes: number[] = [];
      const ffmpegTimes: number[] = [];
      const ingestCpu: number[] = [];
      const ffmpegCpu: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const pkg = path.join(work, `pkg-${run}`);
        let t = performance.now();
        let cpu = cpuSeconds();
        await ingestTitle({ source, metadata: meta as never, out: pkg, ladder: 'standard', ffmpeg });
        ingestTimes.push((performance.now() - t) / 1000);
        ingestCpu.push(cpuSeconds() - cpu);
        fs.rmSync(pkg, { recursive: true, force: true });

        const plain = path.join(work, `plain-${run}`);
        const video = ladder.video.map((r) => ({ rung: r, dir: path.join(plain, 'video', r.name) }));
        const audio = info.audio.map((a) => ({ audioIndex: a.audioIndex, dir: path.join(plain, 'audio', a.language) }));
        // The same job as ingest's transcode, seek-preview sheets included: the peer does all the work ffmpeg can.
        const seekPreview = { dir: path.join(plain, 'seek-preview'), layout: seekPreviewLayout(SOURCE.durationS) };
        for (const d of [...video, ...audio, seekPreview]) fs.mkdirSync(d.dir, { recursive: true });
        t = performance.now();
        cpu = cpuSeconds();
        await ffmpeg.run(transcodeArgs({ source, ladder, video, audio, fps: info.video!.fps, seekPreview }), {
          purpose: 'bench peer',
        });
        ffmpegTimes.push((performance.now() - t) / 1000);
        ffmpegCpu.push(cpuSeconds() - cpu);
        fs.rmSync(plain, { recursive: true, force: true });
        ctx.log(
          `run ${run + 1}: ingest ${ingestTimes.at(-1)!.toFixed(2)} s (cpu ${ingestCpu.at(-1)!.toFixed(1)} s), plain ffmpeg ${ffmpegTimes.at(-1)!.toFixed(2)} s (cpu ${ffmpegCpu.at(-1)!.toFixed(1)} s)`,
        );
      }
      const value = median(ingestTimes);
      const peer = median(ffmpegTimes);
      ctx.record({
        id: 'media.pipeline.overhead',
        value,
        unit: 's',
        peer: 'ffmpeg',
        peer_value: peer,
        ratio: ratio(value, peer),
        goal: '<= 1.05',
        note: `median of ${RUNS} alternated runs; ${SOURCE.durationS} s 1080p source, standard ladder (4 video + 2 audio renditions); CPU seconds (median) ingest ${median(ingestCpu).toFixed(1)} vs ffmpeg ${median(ffmpegCpu).toFixed(1)}, cpu ratio ${ratio(median(ingestCpu), median(ffmpegCpu))}; load average ${os.loadavg()[0]!.toFixed(1)} at end`,
      });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
};
