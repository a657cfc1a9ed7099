/**
 * HLS text, written and rewritten by pure functions: the master playlist (we write it ourselves
 * so CODECS, RESOLUTION, BANDWIDTH and the AUDIO/SUBTITLES groups are exactly right), the
 * #EXT-X-KEY lines added to ffmpeg's media playlists, and one-file WebVTT playlists.
 */
export const AUDIO_GROUP = 'audio';
export const SUBTITLE_GROUP = 'subs';
export const AAC_LC_CODEC = 'mp4a.40.2';

export interface MasterVideo {
  uri: string;
  width: number;
  height: number;
  fps: number;
  codecs: string;
  /** Peak and average bits/s of video + the heaviest audio rendition. */
  bandwidth: number;
  averageBandwidth: number;
}

export interface MasterAudio {
  uri: string;
  language: string;
  audioDescription: boolean;
  isDefault: boolean;
}

export interface MasterSubtitles {
  uri: string;
  language: string;
  closedCaptions: boolean;
  isDefault: boolean;
}

export interface MasterPlaylist {
  video: MasterVideo[];
  audio: MasterAudio[];
  subtitles: MasterSubtitles[];
  /** For an audio-only title: bandwidth of the audio variant. */
  audioOnly?: { uri: string; bandwidth: number; averageBandwidth: number };
}

export function languageName(language: string): string {
  try {
    const name = new Intl.DisplayNames([language], { type: 'language' }).of(language);
    return name ? name.charAt(0).toLocaleUpperCase(language) + name.slice(1) : language;
  } catch {
    return language;
  }
}

function quoted(value: string): string {
  // Attribute values cannot hold a double quote or a line break.
  return `"${value.replace(/["\r\n]/g, "'")}"`;
}

export function masterPlaylist(m: MasterPlaylist): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const a of m.audio) {
    const name = a.audioDescription ? `${languageName(a.language)} (AD)` : languageName(a.language);
    const attrs = [
      'TYPE=AUDIO', `GROUP-ID=${quoted(AUDIO_GROUP)}`, `LANGUAGE=${quoted(a.language)}`, `NAME=${quoted(name)}`,
      `DEFAULT=${a.isDefault ? 'YES' : 'NO'}`, 'AUTOSELECT=YES', 'CHANNELS="2"',
    ];
    if (a.audioDescription) attrs.push('CHARACTERISTICS="public.accessibility.describes-video"');
    attrs.push(`URI=${quoted(a.uri)}`);
    lines.push(`#EXT-X-MEDIA:${attrs.join(',')}`);
  }
  for (const s of m.subtitles) {
    const name = s.closedCaptions ? `${languageName(s.language)} (CC)` : languageName(s.language);
    const attrs = [
      'TYPE=SUBTITLES', `GROUP-ID=${quoted(SUBTITLE_GROUP)}`, `LANGUAGE=${quoted(s.language)}`, `NAME=${quoted(name)}`,
      `DEFAULT=${s.isDefault ? 'YES' : 'NO'}`, 'AUTOSELECT=YES', 'FORCED=NO',
    ];
    if (s.closedCaptions) attrs.push('CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound"');
    attrs.push(`URI=${quoted(s.uri)}`);
    lines.push(`#EXT-X-MEDIA:${attrs.join(',')}`);
  }
  const groups = [m.audio.length ? `AUDIO=${quoted(AUDIO_GROUP)}` : null, m.subtitles.length ? `SUBTITLES=${quoted(SUBTITLE_GROUP)}` : null].filter(Boolean);
  for (const v of m.video) {
    const codecs = m.audio.length ? `${v.codecs},${AAC_LC_CODEC}` : v.codecs;
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`, `AVERAGE-BANDWIDTH=${v.averageBandwidth}`, `CODECS=${quoted(codecs)}`,
      `RESOLUTION=${v.width}x${v.height}`, `FRAME-RATE=${v.fps.toFixed(3)}`, ...groups,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  if (m.audioOnly) {
    const attrs = [`BANDWIDTH=${m.audioOnly.bandwidth}`, `AVERAGE-BANDWIDTH=${m.audioOnly.averageBandwidth}`, `CODECS=${quoted(AAC_LC_CODEC)}`, ...groups];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, m.audioOnly.uri);
  }
  return `${lines.join('\n')}\n`;
}

/** The segments of a media playlist ffmpeg wrote, with their durations. */
export function mediaSegments(playlist: string): Array<{ uri: string; durationS: number }> {
  const out: Array<{ uri: string; durationS: number }> = [];
  let duration: number | null = null;
  for (const raw of playlist.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line && !line.startsWith('#')) {
      if (duration == null) throw new Error(`segment ${line} has no #EXTINF`);
      out.push({ uri: line, durationS: duration });
      duration = null;
    }
  }
  return out;
}

/**
 * Adds `#EXT-X-KEY:METHOD=AES-128,URI=…,IV=0x…` before every segment (each has its own IV),
 * so the key tags always come after #EXT-X-MAP and the init section stays clear.
 */
export function withSegmentKeys(playlist: string, keyUri: string, ivBySegment: Map<string, string>): string {
  const lines = playlist.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#EXT-X-KEY')) continue; // ours replace any ffmpeg wrote
    if (line.startsWith('#EXTINF:')) {
      const uri = lines.slice(i + 1).find((l) => l.trim() && !l.startsWith('#'))?.trim();
      const iv = uri ? ivBySegment.get(uri) : undefined;
      if (!uri || !iv) throw new Error(`no IV for the segment after line ${i + 1}`);
      out.push(`#EXT-X-KEY:METHOD=AES-128,URI=${quoted(keyUri)},IV=0x${iv}`);
    }
    out.push(line);
  }
  return out.join('\n');
}

/** A VOD playlist holding one WebVTT file for the whole title. */
export function subtitlePlaylist(vttUri: string, durationS: number): string {
  return [
    '#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${Math.ceil(durationS)}`, '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD', `#EXTINF:${durationS.toFixed(3)},`, vttUri, '#EXT-X-ENDLIST', '',
  ].join('\n');
}

/** Peak and average bits per second over a rendition's segments. */
export function segmentBitrates(segments: Array<{ bytes: number; durationS: number }>): { peak: number; average: number } {
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const s of segments) {
    // A very short last segment would exaggerate the peak; count it at least one second long.
    peak = Math.max(peak, (s.bytes * 8) / Math.max(s.durationS, 1));
    bytes += s.bytes;
    seconds += s.durationS;
  }
  return { peak: Math.ceil(peak), average: Math.ceil(seconds > 0 ? (bytes * 8) / seconds : 0) };
}
