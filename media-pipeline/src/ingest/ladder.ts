/**
 * The ABR ladders. `standard` is what a real title gets (three seatback renditions up to
 * 1080p and one for phones on cabin Wi-Fi); `compact` keeps the same shape at small sizes so
 * demo content and tests build in seconds on two cores.
 */
export interface VideoRung {
  name: string;
  width: number;
  height: number;
  kbps: number;
  /**
   * x264 profile and level: chosen so every seat decoder and phone can play the rung. Every rung
   * uses B-frames (main or high, never baseline) so all rungs have the same composition delay
   * and their keyframes carry the same presentation times: a baseline rung would sit 2 frames
   * earlier than the others and players would jump at a switch.
   */
  profile: 'high' | 'main' | 'baseline';
  level: string;
  audience: 'seatback' | 'phone';
}

export interface Ladder {
  name: LadderName;
  video: VideoRung[];
  audioKbps: number;
  /** 4–6 s per APEX 0415 / CMAF practice; every rung has a keyframe at each boundary. */
  segmentS: number;
  x264Preset: string;
}

export type LadderName = 'standard' | 'compact';

export const LADDERS: Record<LadderName, Ladder> = {
  standard: {
    name: 'standard',
    video: [
      { name: '1080p', width: 1920, height: 1080, kbps: 5000, profile: 'high', level: '4.0', audience: 'seatback' },
      { name: '720p', width: 1280, height: 720, kbps: 2800, profile: 'high', level: '3.1', audience: 'seatback' },
      { name: '480p', width: 854, height: 480, kbps: 1200, profile: 'main', level: '3.0', audience: 'seatback' },
      { name: 'phone-270p', width: 480, height: 270, kbps: 400, profile: 'main', level: '3.0', audience: 'phone' },
    ],
    audioKbps: 128,
    segmentS: 4,
    x264Preset: 'veryfast',
  },
  compact: {
    name: 'compact',
    video: [
      { name: '360p', width: 640, height: 360, kbps: 800, profile: 'main', level: '3.0', audience: 'seatback' },
      { name: '270p', width: 480, height: 270, kbps: 500, profile: 'main', level: '3.0', audience: 'seatback' },
      { name: '216p', width: 384, height: 216, kbps: 300, profile: 'main', level: '3.0', audience: 'seatback' },
      { name: 'phone-144p', width: 256, height: 144, kbps: 150, profile: 'main', level: '3.0', audience: 'phone' },
    ],
    audioKbps: 96,
    segmentS: 4,
    x264Preset: 'veryfast',
  },
};

export function isLadderName(name: string): name is LadderName {
  return name === 'standard' || name === 'compact';
}

/** Whether a rung would show the picture larger than the source (scaled to fit, aspect kept). */
function upscales(rung: Pick<VideoRung, 'width' | 'height'>, source: { width: number; height: number }): boolean {
  return Math.min(rung.width / source.width, rung.height / source.height) > 1;
}

const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/**
 * The rungs a source gets: never one that upscales it (a 720x405 source gets no 720p or 480p).
 * When the source sits between rungs, or below the smallest, it also gets one rung at its own
 * size, with the settings of the rung just above and the bitrate scaled by pixel count, so a
 * seatback screen is never left with less than the source offers and there is always a rung.
 */
export function rungsFor(ladder: Ladder, source: { width: number; height: number }): VideoRung[] {
  const fitting = ladder.video.filter((r) => !upscales(r, source));
  const above = ladder.video.filter((r) => upscales(r, source)).at(-1);
  const tallest = fitting[0];
  if (!above || (tallest && tallest.height >= even(source.height))) return fitting;
  const width = even(source.width);
  const height = even(source.height);
  const scale = (width * height) / (above.width * above.height);
  const native: VideoRung = {
    ...above,
    name: `${height}p`,
    width,
    height,
    kbps: Math.max(100, Math.round(above.kbps * scale)),
    audience: 'seatback',
  };
  return [native, ...fitting];
}
