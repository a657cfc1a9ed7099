/**
 * Seek preview: the small pictures a passenger sees above the seek bar while scrubbing.
 *
 * A title package with video carries them as JPEG sprite sheets plus a WebVTT thumbnails track,
 * the form Video.js, JW Player and Bitmovin read: one cue per interval whose text is the sheet
 * (relative to the track) and the picture's place in it as a media fragment:
 *
 *   WEBVTT
 *
 *   00:00:00.000 --> 00:00:10.000
 *   sheet-001.jpg#xywh=0,0,160,90
 *
 * The manifest names the track (`seekPreview` in content.ts); the playback grant
 * (`POST /api/playback`) gives its URL with the session token; for a seatback-only title the
 * appliance serves the track with the token on every sheet URL, since every file of such a
 * title needs it.
 */
import { z } from 'zod';
import { IfecError } from './errors.ts';

/** Where the pipeline puts them inside a package. */
export const SEEK_PREVIEW_DIR = 'seek-preview';
export const SEEK_PREVIEW_TRACK = `${SEEK_PREVIEW_DIR}/thumbnails.vtt`;

export interface SeekPreviewCue {
  startS: number;
  endS: number;
  /** The sheet, as written in the track: relative to the track's URL (may carry a query). */
  image: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `POST /api/playback`'s answer (201). */
export const playbackGrant = z
  .object({
    /** The master playlist, origin-relative, with the token. */
    url: z.string().min(1),
    token: z.string().min(1),
    expiresAt: z.string(),
    /** The seek preview track (origin-relative, with the token) when the title has one. */
    seekPreview: z.string().min(1).optional(),
  })
  .strict();
export type PlaybackGrant = z.infer<typeof playbackGrant>;

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** The WebVTT thumbnails track for these cues. */
export function seekPreviewTrack(cues: SeekPreviewCue[]): string {
  const blocks = cues.map(
    (c) => `${vttTime(c.startS)} --> ${vttTime(c.endS)}\n${c.image}#xywh=${c.x},${c.y},${c.width},${c.height}`,
  );
  return `WEBVTT\n\n${blocks.join('\n\n')}\n`;
}

const TIMING = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})\s+-->\s+(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})/;
const PICTURE = /^([^#\s]+)#xywh=(\d+),(\d+),(\d+),(\d+)$/;

function seconds(h: string | undefined, m: string, s: string, ms: string): number {
  return Number(h ?? 0) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000;
}

/**
 * Reads a thumbnails track (ours or any player's `#xywh=` form). A track that is not one is
 * refused with SEEK_PREVIEW_INVALID rather than read as half a preview.
 */
export function parseSeekPreviewTrack(text: string): SeekPreviewCue[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (!/^WEBVTT(\s|$)/.test(lines[0] ?? ''))
    throw new IfecError('SEEK_PREVIEW_INVALID', 'a seek preview track starts with WEBVTT');
  const cues: SeekPreviewCue[] = [];
  for (let i = 1; i < lines.length; i++) {
    const timing = TIMING.exec(lines[i]!.trim());
    if (!timing) continue;
    const picture = PICTURE.exec((lines[i + 1] ?? '').trim());
    if (!picture)
      throw new IfecError('SEEK_PREVIEW_INVALID', `the cue at line ${i + 1} has no picture (sheet.jpg#xywh=x,y,w,h)`);
    const [, h1, m1, s1, ms1, h2, m2, s2, ms2] = timing as unknown as string[];
    const [, image, x, y, width, height] = picture as unknown as string[];
    cues.push({
      startS: seconds(h1, m1!, s1!, ms1!),
      endS: seconds(h2, m2!, s2!, ms2!),
      image: image!,
      x: Number(x),
      y: Number(y),
      width: Number(width),
      height: Number(height),
    });
    i++;
  }
  return cues.sort((a, b) => a.startS - b.startS);
}

/** The cue showing at `t` seconds (the last one past the end, the first before the start). */
export function seekPreviewCueAt<C extends SeekPreviewCue>(cues: C[], t: number): C | undefined {
  if (cues.length === 0) return undefined;
  let lo = 0;
  let hi = cues.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cues[mid]!.startS <= t) lo = mid;
    else hi = mid - 1;
  }
  return cues[lo];
}
