/**
 * ffmpeg and ffprobe argument lists, built as plain data by pure functions so they can be
 * unit-tested without the binary (and so the bench can run the very same transcode bare).
 */
import type { Ladder, VideoRung } from '../ingest/ladder.ts';
import { SEEK_PREVIEW_SHEET_PATTERN, type SeekPreviewLayout } from '../ingest/seek-preview.ts';

export const SEGMENT_FILE_PATTERN = 'seg_%05d.m4s';
export const INIT_FILE = 'init.mp4';
export const MEDIA_PLAYLIST_FILE = 'index.m3u8';

export function probeArgs(source: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', source];
}

export interface AudioOutput {
  /** Index among the source's audio streams (0:a:N). */
  audioIndex: number;
  /** Directory of this rendition, relative or absolute. */
  dir: string;
}

export interface VideoOutput {
  dir: string;
  /** The rung this output is (rungsFor() picks them: never one above the source). */
  rung: VideoRung;
}

export interface TranscodePlan {
  source: string;
  ladder: Ladder;
  /** One per rung, tallest first; empty for an audio-only title. */
  video: VideoOutput[];
  audio: AudioOutput[];
  /** Frames per second of the source, for the fixed GOP. */
  fps: number;
  /** The seek preview's sheets, written into `dir` from the same decode; none for music. */
  seekPreview?: { dir: string; layout: SeekPreviewLayout };
}

function hlsMuxerArgs(segmentS: number, dir: string): string[] {
  return [
    '-f',
    'hls',
    '-hls_time',
    String(segmentS),
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'fmp4',
    '-hls_flags',
    'independent_segments',
    '-hls_fmp4_init_filename',
    INIT_FILE,
    '-hls_segment_filename',
    `${dir}/${SEGMENT_FILE_PATTERN}`,
    `${dir}/${MEDIA_PLAYLIST_FILE}`,
  ];
}

/** Scales into the rung's frame keeping the picture's aspect (letter/pillarbox), square pixels. */
export function rungFilter(width: number, height: number): string {
  return `scale=w=${width}:h=${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p`;
}

/**
 * Seek preview pictures from the decoded video: the frame at exactly 0, N, 2N … s (`round=up`
 * picks the first frame at or after each mark; `near`, the default, is half an interval late),
 * the last frame held for one interval so the picture before the end exists, no more than the
 * layout counts, then tiled into sheets (the last sheet's spare cells stay black).
 */
export function seekPreviewFilter(layout: SeekPreviewLayout): string {
  const { intervalS, width, height } = layout;
  return [
    `tpad=stop_mode=clone:stop_duration=${intervalS}`,
    `fps=fps=1/${intervalS}:round=up`,
    `trim=end_frame=${layout.count}`,
    `scale=w=${width}:h=${height}:force_original_aspect_ratio=decrease`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
    'setsar=1',
    `tile=${layout.columns}x${layout.rows}`,
    // Full-range 4:2:0: what the JPEG encoder takes in every ffmpeg we run (4.x included).
    'format=yuvj420p',
  ].join(',');
}

/** The sheets as numbered JPEG files (`sheet-001.jpg` …) from a filter output label. */
export function seekPreviewOutputArgs(label: string, dir: string): string[] {
  return [
    '-map',
    label,
    '-c:v',
    'mjpeg',
    '-q:v',
    '5',
    '-an',
    '-sn',
    '-dn',
    '-f',
    'image2',
    `${dir}/${SEEK_PREVIEW_SHEET_PATTERN}`,
  ];
}

/**
 * One ffmpeg process for the whole ladder: the source is decoded once and split to every
 * rung; each rung and each audio language is its own CMAF HLS output. Keyframes are forced at
 * every segment boundary and scene-cut keyframes are off, so segments line up across rungs.
 */
export function transcodeArgs(plan: TranscodePlan): string[] {
  const { ladder } = plan;
  const gop = Math.max(1, Math.round(plan.fps * ladder.segmentS));
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', plan.source];
  if (plan.video.length > 0) {
    const labels = plan.video.map((_, i) => `v${i}`);
    const preview = plan.seekPreview;
    const branches = preview ? [...labels, 'preview'] : labels;
    const split = `[0:v:0]split=${branches.length}${branches.map((l) => `[s${l}]`).join('')}`;
    const scales = plan.video.map(
      ({ rung }, i) => `[s${labels[i]}]${rungFilter(rung.width, rung.height)}[${labels[i]}]`,
    );
    if (preview) scales.push(`[spreview]${seekPreviewFilter(preview.layout)}[preview]`);
    args.push('-filter_complex', [split, ...scales].join(';'));
    plan.video.forEach(({ rung, dir }, i) => {
      args.push(
        '-map',
        `[${labels[i]}]`,
        '-c:v',
        'libx264',
        '-preset',
        ladder.x264Preset,
        '-profile:v',
        rung.profile,
        '-level:v',
        rung.level,
        '-b:v',
        `${rung.kbps}k`,
        '-maxrate',
        `${Math.round(rung.kbps * 1.1)}k`,
        '-bufsize',
        `${rung.kbps * 2}k`,
        '-g',
        String(gop),
        '-keyint_min',
        String(gop),
        '-sc_threshold',
        '0',
        '-force_key_frames',
        `expr:gte(t,n_forced*${ladder.segmentS})`,
        '-an',
        '-sn',
        '-dn',
        ...hlsMuxerArgs(ladder.segmentS, dir),
      );
    });
    if (preview) args.push(...seekPreviewOutputArgs('[preview]', preview.dir));
  }
  for (const out of plan.audio) {
    args.push(
      '-map',
      `0:a:${out.audioIndex}`,
      '-c:a',
      'aac',
      '-b:a',
      `${ladder.audioKbps}k`,
      '-ac',
      '2',
      '-ar',
      '48000',
      '-vn',
      '-sn',
      '-dn',
      ...hlsMuxerArgs(ladder.segmentS, out.dir),
    );
  }
  args.push('-progress', 'pipe:1', '-nostats');
  return args;
}

/** One still frame as PNG, for posters when the lab gave no artwork. */
export function frameGrabArgs(source: string, atS: number, out: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-ss',
    atS.toFixed(3),
    '-i',
    source,
    '-frames:v',
    '1',
    '-an',
    '-f',
    'image2',
    '-c:v',
    'png',
    out,
  ];
}

/** SubRip or WebVTT sidecar to WebVTT. */
export function subtitleToWebVttArgs(source: string, out: string): string[] {
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', source, '-c:s', 'webvtt', '-f', 'webvtt', out];
}

/** Reads ffmpeg `-progress` key=value lines; returns seconds of output written, if the line says. */
export function progressSeconds(line: string): number | null {
  const m = /^out_time_(?:us|ms)=(\d+)$/.exec(line.trim());
  // ffmpeg writes microseconds under both names (out_time_ms is a historical misnomer).
  return m ? Number(m[1]) / 1e6 : null;
}

/** Text that is safe inside a drawtext `text=` option within a filtergraph. */
export function escapeDrawtext(text: string): string {
  return text
    .replace(/\\/g, '\\\\\\\\')
    .replace(/'/g, '\u2019')
    .replace(/:/g, '\\:')
    .replace(/%/g, '\\%')
    .replace(/,/g, '\\,');
}
