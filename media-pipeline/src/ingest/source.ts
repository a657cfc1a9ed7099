/**
 * What a source file holds, read from ffprobe's JSON by pure code: duration, the video stream
 * and its frame rate, and one entry per audio language (with audio description).
 */
import type { TitleMetadata } from '@ifec/protocol';
import { MediaError } from '../errors.ts';
import type { RawProbe } from '../tools/ffmpeg.ts';

export interface SourceAudio {
  /** Position among the audio streams (ffmpeg's 0:a:N). */
  audioIndex: number;
  language: string;
  audioDescription: boolean;
}

export interface SourceInfo {
  durationS: number;
  video: { width: number; height: number; fps: number } | null;
  audio: SourceAudio[];
}

/** ISO 639-2 (what containers carry) to the ISO 639-1 codes our catalogue uses. */
const ISO639_2_TO_1: Record<string, string> = {
  eng: 'en',
  fra: 'fr',
  fre: 'fr',
  deu: 'de',
  ger: 'de',
  spa: 'es',
  ara: 'ar',
  zho: 'zh',
  chi: 'zh',
  jpn: 'ja',
  ita: 'it',
  por: 'pt',
  rus: 'ru',
  kor: 'ko',
  hin: 'hi',
  nld: 'nl',
  dut: 'nl',
  tur: 'tr',
  pol: 'pl',
  swe: 'sv',
  dan: 'da',
  nor: 'no',
  fin: 'fi',
  heb: 'he',
  tha: 'th',
  vie: 'vi',
  ind: 'id',
  msa: 'ms',
  may: 'ms',
};

export function normaliseLanguage(tag: string | undefined, fallback: string): string {
  if (!tag) return fallback;
  const lower = tag.toLowerCase();
  if (lower === 'und' || lower === 'mis' || lower === 'zxx') return fallback;
  if (/^[a-z]{2}$/.test(lower)) return lower;
  return ISO639_2_TO_1[lower] ?? (/^[a-z]{3}$/.test(lower) ? lower : fallback);
}

function parseRate(rate: unknown): number | null {
  if (typeof rate !== 'string') return null;
  const [num, den] = rate.split('/').map(Number);
  if (!num || !den) return null;
  const fps = num / den;
  return fps > 0 && fps <= 120 ? fps : null;
}

export function describeSource(
  probe: RawProbe,
  meta: Pick<TitleMetadata, 'kind' | 'originalLanguage' | 'sources'>,
  sourceName: string,
): SourceInfo {
  const streams = probe.streams ?? [];
  // Attached pictures (album covers) are "video" streams that are not a picture to play.
  const videoStream = streams.find(
    (s) => s.codec_type === 'video' && !(s.disposition as Record<string, number> | undefined)?.attached_pic,
  );
  const audioStreams = streams.filter((s) => s.codec_type === 'audio');
  const durationS = Number(probe.format?.duration ?? videoStream?.duration ?? audioStreams[0]?.duration);
  if (!Number.isFinite(durationS) || durationS <= 0) {
    throw new MediaError('SOURCE_UNREADABLE', `${sourceName}: no duration (the file is truncated or not a media file)`);
  }
  if (meta.kind !== 'audio' && !videoStream) {
    throw new MediaError(
      'SOURCE_NO_VIDEO',
      `${sourceName} has no video stream (a ${meta.kind} needs one; use kind "audio" for music)`,
    );
  }
  if (meta.kind === 'audio' && audioStreams.length === 0) {
    throw new MediaError('SOURCE_NO_AUDIO', `${sourceName} has no audio stream (an audio title needs one)`);
  }

  let audio: SourceAudio[];
  if (meta.sources?.audio?.length) {
    audio = meta.sources.audio.map((a) => {
      if (a.stream >= audioStreams.length) {
        throw new MediaError(
          'METADATA_INVALID',
          `sources.audio names audio stream ${a.stream}, but ${sourceName} has ${audioStreams.length} audio stream(s)`,
        );
      }
      return { audioIndex: a.stream, language: a.language, audioDescription: a.audioDescription };
    });
  } else {
    audio = audioStreams.map((s, audioIndex) => {
      const tags = (s.tags ?? {}) as Record<string, string>;
      const disposition = (s.disposition ?? {}) as Record<string, number>;
      const title = (tags.title ?? '').toLowerCase();
      return {
        audioIndex,
        language: normaliseLanguage(tags.language, meta.originalLanguage),
        audioDescription: disposition.visual_impaired === 1 || /audio description|described/.test(title),
      };
    });
  }
  const seen = new Set<string>();
  for (const a of audio) {
    const key = `${a.language}${a.audioDescription ? '-ad' : ''}`;
    if (seen.has(key))
      throw new MediaError(
        'METADATA_INVALID',
        `${sourceName}: two audio streams are both ${key}; say which is which in sources.audio`,
      );
    seen.add(key);
  }

  const video = videoStream
    ? {
        width: Number(videoStream.width),
        height: Number(videoStream.height),
        fps: parseRate(videoStream.avg_frame_rate) ?? parseRate(videoStream.r_frame_rate) ?? 25,
      }
    : null;
  return { durationS, video, audio };
}

/** The directory name of an audio rendition: `en`, `en-ad`. */
export function audioRenditionName(a: Pick<SourceAudio, 'language' | 'audioDescription'>): string {
  return `${a.language}${a.audioDescription ? '-ad' : ''}`;
}
