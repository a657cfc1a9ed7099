/**
 * Resume anywhere, the part every device needs and that carries no schema library (the seat's
 * lazy Yjs chunk imports it): topic names, who may use them, the playback-state document's
 * layout (one Yjs document per passenger session) and the merge rule for "where do I resume".
 * The message schemas are in resume.ts. Knows no network and no database.
 *
 * Topics (all under the seat, so the seat's own ACL already covers them; a phone paired with
 * the seat gets exactly the ones marked "phone"):
 *   seat/<S>/session                       retained, appliance -> seat: the live passenger session
 *                                          (a different id than the one the seat holds = wipe local state)
 *   seat/<S>/playback                      retained, seat -> phone: what plays on the seat        (phone reads)
 *   seat/<S>/remote                        phone -> seat: a remote command, zod-checked by the appliance (phone writes)
 *   seat/<S>/resume/<session>/up/<device>  device -> appliance: one y-protocols sync message     (phone writes)
 *   seat/<S>/resume/<session>/down/<device> appliance -> one device: appliance time + sync messages (phone reads)
 *   seat/<S>/resume/<session>/updates      appliance -> every device: origin device + an update   (phone reads)
 */
export const resumeTopics = {
  session: (seat: string) => `seat/${seat}/session`,
  playback: (seat: string) => `seat/${seat}/playback`,
  remote: (seat: string) => `seat/${seat}/remote`,
  up: (seat: string, session: string, device: string) => `seat/${seat}/resume/${session}/up/${device}`,
  down: (seat: string, session: string, device: string) => `seat/${seat}/resume/${session}/down/${device}`,
  updates: (seat: string, session: string) => `seat/${seat}/resume/${session}/updates`,
  /** Router patterns the appliance consumes. */
  upPattern: 'seat/+/resume/+/up/+',
  remotePattern: 'seat/+/remote',
  playbackPattern: 'seat/+/playback',
} as const;

/** The device name a phone writes its entries under; the seat writes under `seat`. */
export const SEAT_DEVICE = 'seat';
export const phoneDevice = (deviceId: string): string => `phone-${deviceId}`;
export const DEVICE_TAG = /^(seat|phone-[A-Za-z0-9_-]{1,64})$/;

/** What a phone (paired with seat S) may do on the bus, besides its own phone/<id>/#. */
export function phoneMaySubscribeSeat(seat: string, filter: string): boolean {
  const under = (root: string) => filter === root || filter.startsWith(`${root}/`);
  return under(`seat/${seat}/resume`) || filter === `seat/${seat}/playback` || filter === `seat/${seat}/session`;
}

export function phoneMayPublishSeat(seat: string, topic: string): boolean {
  if (topic === `seat/${seat}/remote`) return true;
  const prefix = `seat/${seat}/resume/`;
  if (!topic.startsWith(prefix)) return false;
  const rest = topic.slice(prefix.length).split('/');
  return rest.length === 3 && rest[1] === 'up' && rest[0]!.length > 0 && rest[2]!.length > 0;
}

// ---- the document and the merge rule ------------------------------------------------------

/**
 * Layout of a passenger session's Y.Doc. Every map is flat and keyed per device, so two
 * devices never set the same key: Yjs resolves concurrent sets of one key by clientID, not by
 * time (see FIELD-NOTES), which would let an older write win. We pick winners ourselves.
 *   positions  `<titleId>|<device>` -> PositionEntry   resume point per title per device
 *   lastTitle  `<device>`           -> LastTitleEntry  the title a device played last
 *   languages  `<device>`           -> LanguageEntry   chosen audio and subtitle languages
 *   episodes   `<seriesId>|<device>` -> EpisodeEntry   the episode a device is on in a series
 */
export const RESUME_MAPS = {
  positions: 'positions',
  lastTitle: 'lastTitle',
  languages: 'languages',
  episodes: 'episodes',
} as const;

/** `at`: the appliance's clock in ms (device clock + the offset it learnt at connect). */
export interface Stamped {
  at: number;
}
export interface PositionEntry extends Stamped {
  positionS: number;
  durationS?: number;
}
export interface LastTitleEntry extends Stamped {
  titleId: string;
}
export interface LanguageEntry extends Stamped {
  audio: string | null;
  subtitles: string | null;
}
export interface EpisodeEntry extends Stamped {
  episodeId: string;
}

export const entryKey = (subject: string, device: string): string => `${subject}|${device}`;

export function splitEntryKey(key: string): { subject: string; device: string } | undefined {
  const bar = key.lastIndexOf('|');
  return bar > 0 ? { subject: key.slice(0, bar), device: key.slice(bar + 1) } : undefined;
}

/**
 * THE MERGE RULE for "where do I resume" (and for last title, languages, episode): among the
 * per-device entries, the one with the newest `at` wins — `at` is on the appliance's clock,
 * which every device learns at connect, so a phone whose own clock is an hour off still
 * orders correctly. Ties (same ms) go to the larger position, then to the device name, so
 * every replica picks the same winner. Nothing is overwritten: a device offline for an hour
 * keeps its entry and wins only if it truly wrote last.
 */
export function newest<T extends Stamped & { positionS?: number }>(
  entries: { device: string; entry: T }[],
): { device: string; entry: T } | undefined {
  let best: { device: string; entry: T } | undefined;
  for (const candidate of entries) {
    if (!best) {
      best = candidate;
      continue;
    }
    const a = candidate.entry;
    const b = best.entry;
    if (a.at !== b.at) {
      if (a.at > b.at) best = candidate;
      continue;
    }
    const pa = a.positionS ?? 0;
    const pb = b.positionS ?? 0;
    if (pa !== pb) {
      if (pa > pb) best = candidate;
      continue;
    }
    if (candidate.device > best.device) best = candidate;
  }
  return best;
}
