import { IfecError } from '@ifec/protocol';

/** Every failure the content lab can act on has a code; the CLI prints `code: message`. */
export type MediaErrorCode =
  | 'FFMPEG_MISSING'
  | 'FFMPEG_FAILED'
  | 'SOURCE_MISSING'
  | 'SOURCE_UNREADABLE'
  | 'SOURCE_NO_VIDEO'
  | 'SOURCE_NO_AUDIO'
  | 'METADATA_MISSING'
  | 'METADATA_INVALID'
  | 'SIDECAR_MISSING'
  | 'SIDECAR_INVALID'
  | 'ARTWORK_FAILED'
  | 'OUTPUT_EXISTS'
  | 'PACKAGE_INVALID'
  | 'LOAD_INVALID'
  | 'KEY_INVALID'
  | 'RECO_MODEL_INVALID'
  | 'USAGE';

export class MediaError extends IfecError<MediaErrorCode> {}
