/**
 * Asks the appliance for a signed, short-lived master playlist URL (`POST /api/playback`:
 * entitlement, parental and geo policy are checked there). Falls back to the catalogue's
 * master URL when the appliance has no playback endpoint. A refusal is an ApiError.
 */
import { paths } from '@ifec/protocol';
import { ApiClient, ApiError } from '../api/api-client.ts';

export async function playbackUrl(opts: {
  baseUrl: string;
  target: { titleId: string } | { channel: string };
  device: 'seatback' | 'phone';
  credentials?: { username: string; password: string };
  fallback?: string;
}): Promise<string> {
  const basic = opts.credentials
    ? btoa(unescape(encodeURIComponent(`${opts.credentials.username}:${opts.credentials.password}`)))
    : undefined;
  try {
    const grant = await new ApiClient(opts.baseUrl).request<{ url?: unknown }>(paths.playback, {
      method: 'POST',
      headers: basic ? { authorization: `Basic ${basic}` } : {},
      body: { ...opts.target, device: opts.device === 'seatback' ? 'seat' : 'phone' },
    });
    if (typeof grant.url !== 'string') throw new ApiError(201, 'BAD_RESPONSE', 'the playback grant has no url');
    return new URL(grant.url, opts.baseUrl).href;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && opts.fallback)
      return new URL(opts.fallback, opts.baseUrl).href;
    throw error;
  }
}
