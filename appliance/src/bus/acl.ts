/**
 * The cabin bus ACL, as pure functions of (principal, topic). Decided once per SUBSCRIBE or
 * PUBLISH, never per delivery: a subscription that passed here is delivered without a check.
 *
 *   everyone     reads  flight/# cabin/# policy/# sync/#   (broadcasts; only the appliance writes them)
 *   seat 12A     reads seat/12A/#, writes seat/12A/# except seat/12A/state (the crew's controls and
 *                locks, retained; only the appliance writes it, or a rebooting seat would come up unlocked)
 *   phone D      reads and writes phone/D/#; paired with seat S (the injected lookup): reads
 *                seat/S/resume/# seat/S/playback seat/S/session, writes seat/S/remote and its
 *                seat/S/resume/<session>/up/<device> (protocol/src/resume.ts) — never another seat's
 *   crew         reads  seat/# crew/#; writes crew/# (commands), seat/<any>/command;
 *                only purser and cabin crew write crew/pa (the appliance publishes the state on cabin/pa)
 *   service      reads  everything; writes flight/# cabin/# policy/# sync/# (the appliance's own processes)
 *
 * Commands in, state out, on different topics: nobody but the appliance (its services and the
 * broker itself) writes a broadcast tree, so a seat can trust what it reads there.
 */
import { BROADCAST_ROOTS, phoneMayPublishSeat, phoneMaySubscribeSeat, topics } from '@ifec/protocol';
import type { Principal } from '../access/principal.ts';

/** The seat a phone is paired with (sessions/pairing.ts): an O(1) lookup, or none. */
export type PairedSeatLookup = (deviceId: string) => string | undefined;
const unpaired: PairedSeatLookup = () => undefined;

const PA_ROLES = new Set(['purser', 'cabin_crew']);

/** True when every topic the filter can match lies under `root/`. */
function within(filter: string, root: string): boolean {
  return filter.startsWith(`${root}/`) || filter === root;
}

function isBroadcast(filter: string): boolean {
  return BROADCAST_ROOTS.some((root) => within(filter, root));
}

export function maySubscribe(p: Principal, filter: string, pairedSeat: PairedSeatLookup = unpaired): boolean {
  if (p.role === 'service') return true;
  if (isBroadcast(filter)) return true;
  switch (p.role) {
    case 'seat':
      return within(filter, `seat/${p.seatId}`);
    case 'phone': {
      if (within(filter, `phone/${p.deviceId}`)) return true;
      const seat = pairedSeat(p.deviceId);
      return seat !== undefined && phoneMaySubscribeSeat(seat, filter);
    }
    case 'crew':
      return within(filter, 'seat') || within(filter, 'crew');
  }
}

export function mayPublish(p: Principal, topic: string, pairedSeat: PairedSeatLookup = unpaired): boolean {
  switch (p.role) {
    case 'seat':
      // Its own tree, but not the crew's controls the appliance retains there (a rebooting seat must obey them).
      return topic.startsWith(`seat/${p.seatId}/`) && topic !== topics.seatState(p.seatId);
    case 'phone': {
      if (topic.startsWith(`phone/${p.deviceId}/`)) return true;
      const seat = pairedSeat(p.deviceId);
      return seat !== undefined && phoneMayPublishSeat(seat, topic);
    }
    case 'crew':
      if (topic === topics.crewPa) return PA_ROLES.has(p.crewRole);
      return topic.startsWith('crew/') || /^seat\/[^/]+\/command$/.test(topic);
    case 'service':
      return BROADCAST_ROOTS.some((root) => topic.startsWith(`${root}/`));
  }
}
