/**
 * Asks the appliance for a signed, short-lived master playlist URL (`POST /api/playback`:
 * entitlement, parental and geo policy are checked there), and the title's seek preview track
 * when it has one. Falls back to the catalogue's master URL when the appliance has no playback
 * endpoint. A refusal is an ApiError.
 */
import { type PlaybackGrant, paths } from '@ifec/protocol';
import { ApiClient, ApiError } from '../api/api-client.ts';

export interface PlaybackStart {
  /** Absolute master playlist URL. */
  url: string;
  /** Absolute seek preview track URL, when the title has one. */
  seekPreview?: string;
}

export async function playbackUrl(opts: {
  baseUrl: string;
  target: { titleId: string } | { channel: string };
  device: 'seatback' | 'phone';
  credentials?: { username: string; password: string };
  fallback?: string;
}): Promise<PlaybackStart> {
  const basic = opts.credentials
    ? btoa(unescape(encodeURIComponent(`${opts.credentials.username}:${opts.credentials.password}`)))
    : undefined;
  try {
    const grant = await new ApiClient(opts.baseUrl).request<Partial<PlaybackGrant>>(paths.playback, {
      method: 'POST',
      headers: basic ? { authorization: `Basic ${basic}` } : {},
      body: { ...opts.target, device: opts.device === 'seatback' ? 'seat' : 'phone' },
    });
    if (typeof grant.url !== 'string') throw new ApiError(201, 'BAD_RESPONSE', 'the playback grant has no url');
    const start: PlaybackStart = { url: new URL(grant.url, opts.baseUrl).href };
    if (typeof grant.seekPreview === 'string') start.seekPreview = new URL(grant.seekPreview, opts.baseUrl).href;
    return start;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && opts.fallback)
      return { url: new URL(opts.fallback, opts.baseUrl).href };
    throw error;
  }
}
