/**
 * HLS text, written and rewritten by pure functions: the master playlist (we write it ourselves
 * so CODECS, RESOLUTION, BANDWIDTH and the AUDIO/SUBTITLES groups are exactly right), the
 * #EXT-X-KEY tag added to ffmpeg's media playlists, and one-file WebVTT playlists.
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
  /**
   * For an audio-only title: the variant is this audio playlist (the default rendition). Its
   * EXT-X-MEDIA then has no URI (RFC 8216 §4.3.4.1: the rendition is in the variant), so no
   * playlist is listed both as a variant and as a rendition.
   */
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
      'TYPE=AUDIO',
      `GROUP-ID=${quoted(AUDIO_GROUP)}`,
      `LANGUAGE=${quoted(a.language)}`,
      `NAME=${quoted(name)}`,
      `DEFAULT=${a.isDefault ? 'YES' : 'NO'}`,
      'AUTOSELECT=YES',
      'CHANNELS="2"',
    ];
    if (a.audioDescription) attrs.push('CHARACTERISTICS="public.accessibility.describes-video"');
    if (a.uri !== m.audioOnly?.uri) attrs.push(`URI=${quoted(a.uri)}`);
    lines.push(`#EXT-X-MEDIA:${attrs.join(',')}`);
  }
  for (const s of m.subtitles) {
    const name = s.closedCaptions ? `${languageName(s.language)} (CC)` : languageName(s.language);
    const attrs = [
      'TYPE=SUBTITLES',
      `GROUP-ID=${quoted(SUBTITLE_GROUP)}`,
      `LANGUAGE=${quoted(s.language)}`,
      `NAME=${quoted(name)}`,
      `DEFAULT=${s.isDefault ? 'YES' : 'NO'}`,
      'AUTOSELECT=YES',
      'FORCED=NO',
    ];
    if (s.closedCaptions)
      attrs.push(
        'CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound"',
      );
    attrs.push(`URI=${quoted(s.uri)}`);
    lines.push(`#EXT-X-MEDIA:${attrs.join(',')}`);
  }
  const groups = [
    m.audio.length ? `AUDIO=${quoted(AUDIO_GROUP)}` : null,
    m.subtitles.length ? `SUBTITLES=${quoted(SUBTITLE_GROUP)}` : null,
  ].filter(Boolean);
  for (const v of m.video) {
    const codecs = m.audio.length ? `${v.codecs},${AAC_LC_CODEC}` : v.codecs;
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      `CODECS=${quoted(codecs)}`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.fps.toFixed(3)}`,
      ...groups,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  if (m.audioOnly) {
    const attrs = [
      `BANDWIDTH=${m.audioOnly.bandwidth}`,
      `AVERAGE-BANDWIDTH=${m.audioOnly.averageBandwidth}`,
      `CODECS=${quoted(AAC_LC_CODEC)}`,
      ...groups,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, m.audioOnly.uri);
  }
  return `${lines.join('\n')}\n`;
}

/** The segments of a media playlist ffmpeg wrote, with their durations and media sequence numbers. */
export function mediaSegments(playlist: string): Array<{ uri: string; durationS: number; sequence: number }> {
  const out: Array<{ uri: string; durationS: number; sequence: number }> = [];
  let sequence = mediaSequence(playlist);
  let duration: number | null = null;
  for (const raw of playlist.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line && !line.startsWith('#')) {
      if (duration == null) throw new Error(`segment ${line} has no #EXTINF`);
      out.push({ uri: line, durationS: duration, sequence: sequence++ });
      duration = null;
    }
  }
  return out;
}

/** #EXT-X-MEDIA-SEQUENCE: the first segment's number (0 when the tag is absent, RFC 8216 §4.3.3.2). */
export function mediaSequence(playlist: string): number {
  const m = /^#EXT-X-MEDIA-SEQUENCE:(\d+)\s*$/m.exec(playlist);
  return m ? Number(m[1]) : 0;
}

/**
 * One `#EXT-X-KEY:METHOD=AES-128,URI=…` for the whole playlist, right after #EXT-X-MAP so the
 * init section stays clear. No IV attribute: each segment's IV is its media sequence number
 * (RFC 8216 §5.2), which is how encryptRendition encrypts. One tag, not one per segment with
 * its own IV: VLC 3.0 stops after the first segment with the per-segment form.
 */
export function withKeyTag(playlist: string, keyUri: string): string {
  const key = `#EXT-X-KEY:METHOD=AES-128,URI=${quoted(keyUri)}`;
  const lines = playlist.split('\n').filter((l) => !l.startsWith('#EXT-X-KEY')); // ours replaces any ffmpeg wrote
  const map = lines.findIndex((l) => l.startsWith('#EXT-X-MAP'));
  const at = map >= 0 ? map + 1 : lines.findIndex((l) => l.startsWith('#EXTINF:'));
  if (at < 0) throw new Error('the playlist has no segments');
  lines.splice(at, 0, key);
  return lines.join('\n');
}

/** A VOD playlist holding one WebVTT file for the whole title. */
export function subtitlePlaylist(vttUri: string, durationS: number): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${Math.ceil(durationS)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${durationS.toFixed(3)},`,
    vttUri,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

/** Peak and average bits per second over a rendition's segments. */
export function segmentBitrates(segments: Array<{ bytes: number; durationS: number }>): {
  peak: number;
  average: number;
} {
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
