/**
 * Asks the appliance for a signed, short-lived master playlist URL (`POST /api/playback`:
 * entitlement, parental and geo policy are checked there). Falls back to the catalogue's
 * master URL when the appliance has no playback endpoint.
 */
export class PlaybackRefused extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export async function playbackUrl(opts: {
  baseUrl: string;
  target: { titleId: string } | { channel: string };
  device: 'seatback' | 'phone';
  credentials?: { username: string; password: string };
  fallback?: string;
}): Promise<string> {
  const basic = opts.credentials ? btoa(unescape(encodeURIComponent(`${opts.credentials.username}:${opts.credentials.password}`))) : undefined;
  const res = await fetch(new URL('/api/playback', opts.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(basic ? { authorization: `Basic ${basic}` } : {}) },
    body: JSON.stringify({ ...opts.target, device: opts.device === 'seatback' ? 'seat' : 'phone' }),
  });
  if (res.ok) {
    const body = (await res.json()) as Record<string, unknown>;
    const url = body.url ?? body.playlistUrl ?? body.master ?? body.masterUrl;
    if (typeof url === 'string') return new URL(url, opts.baseUrl).href;
  }
  if (res.status === 404 && opts.fallback) return new URL(opts.fallback, opts.baseUrl).href;
  const error = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  throw new PlaybackRefused(error.error?.code ?? `HTTP_${res.status}`, error.error?.message ?? `playback refused (${res.status})`);
}
