/**
 * The one module that runs ffmpeg for live channels: pull a published RTMP stream from our
 * own ingest on loopback and remux it (`-c copy`, no re-encode: two cores cannot transcode a
 * satellite feed) into a rolling HLS window on disk. The argument list is plain data built by
 * `liveRemuxArgs` and tested without the binary.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';

export const LIVE_PLAYLIST = 'index.m3u8';

export interface LiveRemuxPlan {
  ffmpeg: string;
  /** rtmp://127.0.0.1:<port>/live/<channel> */
  source: string;
  outDir: string;
  segmentS: number;
  windowSegments: number;
}

export function liveRemuxArgs(plan: LiveRemuxPlan): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-i',
    plan.source,
    '-map',
    '0',
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    String(plan.segmentS),
    '-hls_list_size',
    String(plan.windowSegments),
    // delete_segments keeps the window rolling on a small disk; temp_file makes each playlist
    // update an atomic rename, so a seat never reads half a playlist; append_list makes a restarted
    // remux (the pull broke while the channel stayed on air) continue the numbering, not restart it.
    '-hls_flags',
    'delete_segments+temp_file+independent_segments+append_list',
    '-hls_delete_threshold',
    '2',
    '-hls_segment_filename',
    `${plan.outDir}/seg_%05d.ts`,
    `${plan.outDir}/${LIVE_PLAYLIST}`,
  ];
}

export interface RunningRemux {
  /** Stops ffmpeg (SIGTERM, then SIGKILL after a grace) and resolves when it has exited. */
  stop(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export function startLiveRemux(plan: LiveRemuxPlan, log: Logger): RunningRemux {
  const child: ChildProcess = spawn(plan.ffmpeg, liveRemuxArgs(plan), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      log.error({ err: error, ffmpeg: plan.ffmpeg }, 'live remux: ffmpeg could not start');
      resolve(null);
    });
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGKILL')
        log.warn({ code, signal, stderr: stderr.trim() }, 'live remux: ffmpeg exited');
      resolve(code);
    });
  });
  return {
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return void (await exited);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
