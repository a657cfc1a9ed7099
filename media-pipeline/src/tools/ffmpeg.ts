/**
 * The one module that runs ffmpeg and ffprobe. Commands come in as plain argument lists
 * (ffmpeg-commands.ts); this module only spawns, streams `-progress` and turns failures into
 * MediaErrors.
 */
import { spawn } from 'node:child_process';
import { MediaError } from '../errors.ts';
import { findMediaBinaries, type MediaBinaries, type MediaEnv } from './binaries.ts';
import { probeArgs, progressSeconds } from './ffmpeg-commands.ts';

export interface FfmpegRunOptions {
  /** Called with seconds of output written so far (from `-progress pipe:1`). */
  onProgress?: (seconds: number) => void;
  /** What the run is for, in error messages. */
  purpose: string;
}

export interface RawProbe {
  streams: Array<Record<string, unknown> & { index: number; codec_type?: string; codec_name?: string }>;
  format?: Record<string, unknown> & { duration?: string; format_name?: string };
}

export class Ffmpeg {
  constructor(readonly binaries: MediaBinaries) {}

  static locate(env?: MediaEnv): Ffmpeg {
    return new Ffmpeg(findMediaBinaries(env));
  }

  /**
   * One line for the log that says which ffmpeg this is: the caller that locates the binaries
   * logs it once, so a run never leaves anyone guessing (the npm fallback is a 2018 4.x build).
   */
  async describe(): Promise<string> {
    const version = await this.version();
    if (this.binaries.origin === 'system')
      return `ffmpeg: system ${this.binaries.ffmpeg} (version ${version}), ffprobe ${this.binaries.ffprobe}`;
    return `ffmpeg: no system ffmpeg/ffprobe, using the npm fallback ${this.binaries.ffmpeg} (version ${version}, an old 4.x build from 2018; install ffmpeg for production), ffprobe ${this.binaries.ffprobe}`;
  }

  run(args: string[], options: FfmpegRunOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binaries.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let pending = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const seconds = progressSeconds(line);
          if (seconds != null && options.onProgress) options.onProgress(seconds);
        }
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        // Keep the tail: the last lines say what went wrong.
        stderr = (stderr + chunk).slice(-4000);
      });
      child.on('error', (error) =>
        reject(
          new MediaError('FFMPEG_MISSING', `cannot run ${this.binaries.ffmpeg}: ${error.message}`, { cause: error }),
        ),
      );
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else
          reject(
            new MediaError(
              'FFMPEG_FAILED',
              `ffmpeg failed while ${options.purpose} (${signal ?? `exit ${code}`}): ${lastLines(stderr)}`,
            ),
          );
      });
    });
  }

  /** ffprobe's JSON for a file; a file ffprobe cannot read is `source-unreadable`. */
  probe(source: string): Promise<RawProbe> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binaries.ffprobe, probeArgs(source), { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
      child.on('error', (error) =>
        reject(
          new MediaError('FFMPEG_MISSING', `cannot run ${this.binaries.ffprobe}: ${error.message}`, { cause: error }),
        ),
      );
      child.on('close', (code) => {
        if (code !== 0)
          return reject(
            new MediaError(
              'SOURCE_UNREADABLE',
              `${source} is not a readable media file: ${lastLines(err) || `ffprobe exit ${code}`}`,
            ),
          );
        try {
          resolve(JSON.parse(out) as RawProbe);
        } catch (error) {
          reject(new MediaError('SOURCE_UNREADABLE', `ffprobe gave no usable answer for ${source}`, { cause: error }));
        }
      });
    });
  }

  private versionAnswer: Promise<string> | null = null;

  /** `5.1.9-0+deb12u1`, for the manifest; asked once per instance. */
  version(): Promise<string> {
    this.versionAnswer ??= new Promise((resolve) => {
      const child = spawn(this.binaries.ffmpeg, ['-hide_banner', '-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.on('error', () => resolve('unknown'));
      child.on('close', () => resolve(/^ffmpeg version (\S+)/.exec(out)?.[1] ?? 'unknown'));
    });
    return this.versionAnswer;
  }

  /** Whether this build has a filter (the npm fallback or a minimal build may lack drawtext). */
  hasFilter(name: string): Promise<boolean> {
    return new Promise((resolve) => {
      const child = spawn(this.binaries.ffmpeg, ['-hide_banner', '-filters'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.on('error', () => resolve(false));
      child.on('close', () => resolve(new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(out)));
    });
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
