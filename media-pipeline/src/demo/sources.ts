/**
 * Synthetic demo sources: a test pattern with the title and a running timecode drawn on it
 * (when a font is available), one tone per audio language, and subtitle sidecars in three
 * languages and three formats (SRT, WebVTT, TTML) so the demo exercises every converter.
 */
import fs from 'node:fs';
import { DEMO_CUES, type DemoTitle, demoAudioTracks } from './recipe.ts';

/** Fonts we know how to find on Debian and common distributions. */
export const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
  '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
];

export function findFont(candidates = FONT_CANDIDATES): string | null {
  return candidates.find((f) => fs.existsSync(f)) ?? null;
}

export const DEMO_SIZE = { width: 640, height: 360, fps: 25 };

/**
 * The ffmpeg arguments that make one demo source. `titleFile` holds the title text (a file, so
 * no filtergraph escaping of titles is needed); `font` null means no drawtext: a moving box.
 */
export function demoSourceArgs(t: DemoTitle, titleFile: string, font: string | null, out: string): string[] {
  const { width, height, fps } = DEMO_SIZE;
  const d = t.durationS;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  if (t.pattern) {
    args.push('-f', 'lavfi', '-i', `${t.pattern}=size=${width}x${height}:rate=${fps}:duration=${d}`);
  }
  const tracks = demoAudioTracks(t);
  for (const { toneHz } of tracks) {
    // A tone that pulses twice a second, so a listener hears which track is playing.
    args.push(
      '-f',
      'lavfi',
      '-i',
      `aevalsrc=0.25*sin(2*PI*${toneHz.toFixed(1)}*t)*(0.6+0.4*sin(2*PI*2*t)):s=48000:d=${d}`,
    );
  }
  const firstAudio = t.pattern ? 1 : 0;
  if (t.pattern) {
    const filters = font
      ? [
          `drawtext=fontfile=${font}:textfile=${titleFile}:expansion=none:fontsize=40:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=12:x=(w-tw)/2:y=h*0.3`,
          `drawtext=fontfile=${font}:timecode='00\\:00\\:00\\:00':rate=${fps}:fontsize=30:fontcolor=yellow:box=1:boxcolor=black@0.55:boxborderw=8:x=(w-tw)/2:y=h*0.62`,
        ]
      : [`drawbox=x='mod(t*80,${width - 80})':y=${height / 2 - 40}:w=80:h=80:color=white@0.8:t=fill`];
    args.push('-filter_complex', `[0:v]${filters.join(',')}[v]`, '-map', '[v]');
    args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p');
  }
  tracks.forEach((track, i) => {
    args.push('-map', `${firstAudio + i}:a`, `-metadata:s:a:${i}`, `language=${track.tag}`);
    // What a real source carries; the recipe's sources.audio says it too, since the npm
    // fallback ffmpeg drops this disposition when it writes MP4.
    if (track.audioDescription)
      args.push(`-metadata:s:a:${i}`, 'title=Audio description', `-disposition:a:${i}`, 'visual_impaired');
  });
  args.push('-c:a', 'aac', '-b:a', '128k', '-t', String(d), out);
  return args;
}

function srtTime(s: number): string {
  const ms = Math.round(s * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3_600_000))}:${p(Math.floor(ms / 60_000) % 60)}:${p(Math.floor(ms / 1000) % 60)},${p(ms % 1000, 3)}`;
}

function cueTimes(durationS: number): Array<[number, number]> {
  const step = durationS / DEMO_CUES.length;
  return DEMO_CUES.map((_, i) => [i * step + step * 0.1, (i + 1) * step - step * 0.1]);
}

export function demoSubtitles(durationS: number): { en: string; fr: string; de: string } {
  const times = cueTimes(durationS);
  const en = DEMO_CUES.map((c, i) => `${i + 1}\n${srtTime(times[i]![0])} --> ${srtTime(times[i]![1])}\n${c.en}\n`).join(
    '\n',
  );
  const fr = `WEBVTT\n\n${DEMO_CUES.map((c, i) => `${srtTime(times[i]![0]).replace(',', '.')} --> ${srtTime(times[i]![1]).replace(',', '.')}\n${c.fr}\n`).join('\n')}`;
  const de = `<?xml version="1.0" encoding="UTF-8"?>\n<tt xmlns="http://www.w3.org/ns/ttml" xml:lang="de"><body><div>\n${DEMO_CUES.map(
    (c, i) => `<p begin="${times[i]![0].toFixed(3)}s" end="${times[i]![1].toFixed(3)}s">${c.de}</p>`,
  ).join('\n')}\n</div></body></tt>\n`;
  return { en, fr, de };
}
