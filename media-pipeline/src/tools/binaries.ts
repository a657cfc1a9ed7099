/**
 * Finds ffmpeg and ffprobe: the system's first (Debian's 5.x can do everything we need), else
 * the binaries shipped by @ffmpeg-installer / @ffprobe-installer so a laptop without ffmpeg still
 * works — those are a 2018 build (4.x). The environment is passed in (a test forces the
 * fallback with a PATH that has no ffmpeg); nothing is cached, the caller keeps the answer.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MediaError } from '../errors.ts';

export type BinariesOrigin = 'system' | 'npm-fallback';

export interface MediaBinaries {
  ffmpeg: string;
  ffprobe: string;
  origin: BinariesOrigin;
}

export type MediaEnv = Partial<Record<'PATH' | 'IFEC_FFMPEG' | 'IFEC_FFPROBE', string>>;

function onPath(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
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

/** `IFEC_FFMPEG`/`IFEC_FFPROBE` name the binaries; else PATH; else the npm packages. */
export function findMediaBinaries(env: MediaEnv = process.env): MediaBinaries {
  const ffmpeg = env.IFEC_FFMPEG || onPath('ffmpeg', env.PATH ?? '');
  const ffprobe = env.IFEC_FFPROBE || onPath('ffprobe', env.PATH ?? '');
  if (ffmpeg && ffprobe) return { ffmpeg, ffprobe, origin: 'system' };
  const npmFfmpeg = ffmpeg || fromNpm('@ffmpeg-installer/ffmpeg');
  const npmFfprobe = ffprobe || fromNpm('@ffprobe-installer/ffprobe');
  if (!npmFfmpeg || !npmFfprobe) {
    throw new MediaError(
      'FFMPEG_MISSING',
      'no ffmpeg/ffprobe found: install ffmpeg (apt-get install -y ffmpeg) or the @ffmpeg-installer packages',
    );
  }
  return { ffmpeg: npmFfmpeg, ffprobe: npmFfprobe, origin: 'npm-fallback' };
}
