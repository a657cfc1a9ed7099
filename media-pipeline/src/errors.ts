/** Every failure the content lab can act on has a code; the CLI prints `code: message`. */
export type MediaErrorCode =
  | 'ffmpeg-missing' | 'ffmpeg-failed'
  | 'source-missing' | 'source-unreadable' | 'source-no-video' | 'source-no-audio'
  | 'metadata-missing' | 'metadata-invalid'
  | 'sidecar-missing' | 'sidecar-invalid'
  | 'artwork-failed'
  | 'output-exists'
  | 'package-invalid' | 'load-invalid' | 'key-invalid'
  | 'usage';

export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(readonly code: MediaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
