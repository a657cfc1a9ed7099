/**
 * The key server's logic: a title's 16-byte AES-128 key goes only to a playback session for
 * that title, and only when entitlement, parental lock, geo policy and rights allow it now
 * (the checks run on every key request, not only when the session was opened: the aircraft
 * may have crossed into a region where the title is blocked, or crew may have set a lock).
 */
import fs from 'node:fs';
import path from 'node:path';
import { IfecError } from '@ifec/protocol';
import type { ContentLoads } from './content-loads.ts';
import { type Entitlements, type PlaybackRefusalCode, refusePlayback } from './playback-policy.ts';
import type { PlaybackSession } from './playback-sessions.ts';

/** Why a key is not released; the codes are the playback refusals' and the key server's own. */
export type KeyRefusalCode =
  | PlaybackRefusalCode
  | 'NO_SUCH_TITLE'
  | 'NO_CONTENT_LOAD'
  | 'KEY_NOT_FOR_SESSION'
  | 'KEY_MISSING'
  | 'KEY_INVALID';

/** Why a key is not released: a playback refusal, or the key server's own reasons. */
export class KeyRefused extends IfecError<KeyRefusalCode> {}

export interface KeyServerDeps {
  loads: ContentLoads;
  /** Whether crew have set the seat's parental lock (cabin/seat-control). */
  parentalLocked: (seatId: string) => boolean;
  /** With the lock on, titles meant for anyone older than this stay locked. */
  parentalLockMaxAge: number;
  entitlements: Entitlements;
  /** The region under the aircraft (ISO code) when the geo engine knows it. */
  currentRegion: () => string | undefined;
  /** The rule of the airspace policy that refuses this title here and now, if any (flight domain). */
  airspaceRestriction?: (title: { id: string; genres: readonly string[] }) => string | undefined;
}

export class KeyServer {
  /** Keys of the active load, read once per activation: 850 seats starting a film read no disk. */
  private cache = new Map<string, Buffer>();
  private cachedLoad: string | undefined;

  constructor(private readonly deps: KeyServerDeps) {}

  /** The policy decision alone, for `POST /api/playback` to fail early with the same codes. */
  check(session: PlaybackSession, titleId: string): { code: KeyRefusalCode; message: string } | undefined {
    const title = this.deps.loads.active?.titles.find((t) => t.id === titleId);
    if (!title) return { code: 'NO_SUCH_TITLE', message: `no title ${titleId} in the active content load` };
    const rule = this.deps.airspaceRestriction?.(title);
    if (rule)
      return { code: 'REGION_BLOCKED', message: `${title.id} may not be shown in this airspace (policy rule ${rule})` };
    return refusePlayback(title, {
      viewer: session.viewer,
      parentalMaxAge:
        session.viewer.seatId && this.deps.parentalLocked(session.viewer.seatId)
          ? this.deps.parentalLockMaxAge
          : undefined,
      region: this.deps.currentRegion(),
      entitlements: this.deps.entitlements,
    });
  }

  release(session: PlaybackSession, keyId: string): Buffer {
    const active = this.deps.loads.active;
    if (!active) throw new KeyRefused('NO_CONTENT_LOAD', 'no content load is active');
    if (session.target.kind !== 'title')
      throw new KeyRefused('KEY_NOT_FOR_SESSION', 'a live channel session has no content keys');
    const title = active.titles.find((t) => t.id === (session.target as { titleId: string }).titleId);
    if (!title || title.keyId !== keyId)
      throw new KeyRefused('KEY_NOT_FOR_SESSION', `key ${keyId} does not belong to this playback session's title`);
    const refusal = this.check(session, title.id);
    if (refusal) throw new KeyRefused(refusal.code, refusal.message);
    if (this.cachedLoad !== active.loadId) {
      this.cache = new Map();
      this.cachedLoad = active.loadId;
    }
    let key = this.cache.get(keyId);
    if (!key) {
      const entry = active.load.keys.find((k) => k.keyId === keyId);
      if (!entry) throw new KeyRefused('KEY_MISSING', `key ${keyId} is not in the active load`);
      key = fs.readFileSync(path.join(active.dir, entry.path));
      if (key.length !== 16) throw new KeyRefused('KEY_INVALID', `key ${keyId} is not 16 bytes`);
      this.cache.set(keyId, key);
    }
    return key;
  }
}
