/**
 * Finds ffmpeg and ffprobe: the system's first (Debian's 5.x can do everything we need), else
 * the binaries shipped by @ffmpeg-installer / @ffprobe-installer so a laptop without ffmpeg still
 * works — those are a 2018 build (4.1), so we say so in the log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { MediaError } from '../errors.ts';

export interface MediaBinaries {
  ffmpeg: string;
  ffprobe: string;
  /** 'system' or 'npm-fallback'. */
  origin: 'system' | 'npm-fallback';
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

function fromNpm(pkg: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    const found = (require(pkg) as { path?: string }).path;
    return found && fs.existsSync(found) ? found : null;
  } catch {
    return null;
  }
}

let cached: MediaBinaries | null = null;

/** `log` hears which binaries were chosen, once. */
export function findMediaBinaries(log: (line: string) => void = () => {}): MediaBinaries {
  if (cached) return cached;
  const ffmpeg = process.env.IFEC_FFMPEG ?? onPath('ffmpeg');
  const ffprobe = process.env.IFEC_FFPROBE ?? onPath('ffprobe');
  if (ffmpeg && ffprobe) {
    cached = { ffmpeg, ffprobe, origin: 'system' };
    return cached;
  }
  const npmFfmpeg = ffmpeg ?? fromNpm('@ffmpeg-installer/ffmpeg');
  const npmFfprobe = ffprobe ?? fromNpm('@ffprobe-installer/ffprobe');
  if (!npmFfmpeg || !npmFfprobe) {
    throw new MediaError('FFMPEG_MISSING', 'no ffmpeg/ffprobe found: install ffmpeg (apt-get install -y ffmpeg) or the @ffmpeg-installer packages');
  }
  log(`no system ffmpeg/ffprobe on PATH: falling back to the npm-shipped binaries (an old 4.x build from 2018): ${npmFfmpeg}`);
  cached = { ffmpeg: npmFfmpeg, ffprobe: npmFfprobe, origin: 'npm-fallback' };
  return cached;
}
