/**
 * Subtitle and caption sidecars to WebVTT. SubRip and WebVTT go through ffmpeg; TTML (which
 * ffmpeg cannot read) is converted here — timed <p> elements with <br/> line breaks, which is
 * what distributors' TTML/DFXP subtitle files hold.
 */
import { MediaError } from '../errors.ts';

export type SidecarFormat = 'srt' | 'vtt' | 'ttml';

export function sidecarFormat(file: string): SidecarFormat {
  const ext = file.toLowerCase().split('.').pop();
  if (ext === 'srt') return 'srt';
  if (ext === 'vtt') return 'vtt';
  if (ext === 'ttml' || ext === 'dfxp' || ext === 'xml') return 'ttml';
  throw new MediaError('SIDECAR_INVALID', `${file}: subtitles must be .srt, .vtt or .ttml`);
}

/** TTML time expression to seconds: 00:01:02.500, 00:01:02:12 (frames), 62.5s, 1500ms, 900000t. */
export function ttmlSeconds(expr: string, frameRate = 25, tickRate = 10_000_000): number {
  const clock = /^(\d+):(\d{2}):(\d{2})(?:([.:])(\d+))?$/.exec(expr.trim());
  if (clock) {
    const [, h, m, s, sep, frac] = clock;
    const base = Number(h) * 3600 + Number(m) * 60 + Number(s);
    if (!frac) return base;
    return base + (sep === ':' ? Number(frac) / frameRate : Number(`0.${frac}`));
  }
  const offset = /^([\d.]+)(h|m|s|ms|f|t)$/.exec(expr.trim());
  if (offset) {
    const n = Number(offset[1]);
    const unit = offset[2];
    return unit === 'h'
      ? n * 3600
      : unit === 'm'
        ? n * 60
        : unit === 's'
          ? n
          : unit === 'ms'
            ? n / 1000
            : unit === 'f'
              ? n / frameRate
              : n / tickRate;
  }
  throw new Error(`unreadable TTML time "${expr}"`);
}

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function ttmlToWebVtt(ttml: string, source = 'TTML'): string {
  const attr = (tag: string, name: string) => new RegExp(`\\b(?:ttp:)?${name}="([^"]+)"`).exec(tag)?.[1];
  const root = /<tt\b[^>]*>/.exec(ttml)?.[0];
  if (!root) throw new MediaError('SIDECAR_INVALID', `${source}: not TTML (no <tt> element)`);
  const frameRate = Number(attr(root, 'frameRate') ?? 25);
  const tickRate = Number(attr(root, 'tickRate') ?? 10_000_000);
  const cues: string[] = [];
  for (const match of ttml.matchAll(/<p\b([^>]*)>([\s\S]*?)<\/p>/g)) {
    const tag = match[1]!;
    const begin = attr(tag, 'begin');
    const end = attr(tag, 'end');
    const dur = attr(tag, 'dur');
    if (!begin || (!end && !dur)) continue;
    try {
      const start = ttmlSeconds(begin, frameRate, tickRate);
      const stop = end ? ttmlSeconds(end, frameRate, tickRate) : start + ttmlSeconds(dur!, frameRate, tickRate);
      const text = decodeEntities(match[2]!.replace(/<br\s*\/?>/g, '\n').replace(/<[^>]+>/g, ''))
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join('\n');
      if (text && stop > start) cues.push(`${vttTime(start)} --> ${vttTime(stop)}\n${escapeVtt(text)}`);
    } catch (error) {
      throw new MediaError('SIDECAR_INVALID', `${source}: ${(error as Error).message}`);
    }
  }
  if (cues.length === 0) throw new MediaError('SIDECAR_INVALID', `${source}: no timed <p> cues found`);
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}
