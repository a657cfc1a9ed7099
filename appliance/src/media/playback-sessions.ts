/**
 * Playback sessions: a short-lived HMAC token bound to one viewer (seat or phone) and one
 * title or live channel. It rides in the query string of every playlist and key URL, because
 * a player (hls.js, AVPlayer, ExoPlayer) follows URIs and cannot add headers to each of them.
 * Stateless, so 850 seats cost no table and a restart keeps sessions alive.
 */
import type { TokenSigner } from '../access/tokens.ts';
import type { PlaybackDevice, Viewer } from './playback-policy.ts';

/** What a session may open: a title of the active load or a live channel. */
export type PlaybackTarget = { kind: 'title'; titleId: string } | { kind: 'live'; channel: string };

export interface PlaybackSession {
  viewer: Viewer;
  target: PlaybackTarget;
  expiresAt: number;
}

interface PlayClaims extends Record<string, unknown> {
  typ: 'play';
  sub: string;
  dev: PlaybackDevice;
  seat?: string;
  /** `t:<titleId>` or `l:<channel>` */
  tgt: string;
}

export function targetKey(target: PlaybackTarget): string {
  return target.kind === 'title' ? `t:${target.titleId}` : `l:${target.channel}`;
}

export function sameTarget(a: PlaybackTarget, b: PlaybackTarget): boolean {
  return targetKey(a) === targetKey(b);
}

export class PlaybackSessions {
  constructor(
    private readonly signer: TokenSigner,
    private readonly ttlS: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(viewer: Viewer, target: PlaybackTarget): { token: string; expiresAt: string } {
    const claims: PlayClaims = { typ: 'play', sub: viewer.subject, dev: viewer.device, tgt: targetKey(target) };
    if (viewer.seatId) claims.seat = viewer.seatId;
    const now = this.now();
    return {
      token: this.signer.sign(claims, this.ttlS, now),
      expiresAt: new Date(Math.floor(now / 1000) * 1000 + this.ttlS * 1000).toISOString(),
    };
  }

  /** The session a token proves, or undefined when it is missing, forged or expired. */
  verify(token: string | undefined): PlaybackSession | undefined {
    if (!token) return undefined;
    const claims = this.signer.verify<PlayClaims>(token, this.now());
    if (claims?.typ !== 'play' || typeof claims.tgt !== 'string' || typeof claims.sub !== 'string') return undefined;
    if (claims.dev !== 'seat' && claims.dev !== 'phone') return undefined;
    const target: PlaybackTarget | undefined = claims.tgt.startsWith('t:')
      ? { kind: 'title', titleId: claims.tgt.slice(2) }
      : claims.tgt.startsWith('l:')
        ? { kind: 'live', channel: claims.tgt.slice(2) }
        : undefined;
    if (!target) return undefined;
    const viewer: Viewer = { subject: claims.sub, device: claims.dev };
    if (typeof claims.seat === 'string') viewer.seatId = claims.seat;
    return { viewer, target, expiresAt: claims.exp * 1000 };
  }
}
