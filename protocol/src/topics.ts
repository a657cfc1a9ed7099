/**
 * Cabin bus topic names. Every program builds topics through these helpers so a rename
 * happens in one place. The ACL (appliance/src/bus/acl.ts) is written against them too.
 */
export const SEAT_ID_PATTERN = /^[1-9][0-9]{0,2}[A-K]$/;

export const topics = {
  /** The appliance's PA state, retained while an announcement is active; an empty retained payload clears it. */
  pa: 'cabin/pa',
  /** Crew commands in (`crew/#`); the appliance answers with state on the broadcast trees, never on the same topic. */
  crewPa: 'crew/pa',
  flightPosition: 'flight/position',
  flightPhase: 'flight/phase',
  policyCurrent: 'policy/current',
  syncStatus: 'sync/status',
  seatHealth: (seatId: string) => `seat/${seatId}/health`,
  seatFault: (seatId: string) => `seat/${seatId}/fault`,
  seatCommand: (seatId: string) => `seat/${seatId}/command`,
  seatState: (seatId: string) => `seat/${seatId}/state`,
  seatRoot: (seatId: string) => `seat/${seatId}/#`,
} as const;

/** Topic trees every authenticated client may read and nobody but the appliance writes (commands go under `crew/`). */
export const BROADCAST_ROOTS = ['flight', 'cabin', 'policy', 'sync'] as const;

/** Largest MQTT packet the appliance's broker takes at all; a bigger one closes the connection before it is buffered. */
export const MAX_MQTT_PACKET_BYTES = 256 * 1024;

/** Retained topics one client principal may hold on the broker (e.g. a seat's state documents). */
export const MAX_RETAINED_TOPICS_PER_CLIENT = 64;

/** Largest MQTT payload the appliance accepts on a topic it consumes. */
export const MAX_CONSUMED_PAYLOAD_BYTES = 16 * 1024;

/** `seat/12A/health` -> { seatId: '12A', leaf: 'health' }; anything else -> undefined. */
export function parseSeatTopic(topic: string): { seatId: string; leaf: string } | undefined {
  if (!topic.startsWith('seat/')) return undefined;
  const slash = topic.indexOf('/', 5);
  if (slash < 0) return undefined;
  const seatId = topic.slice(5, slash);
  const leaf = topic.slice(slash + 1);
  if (!SEAT_ID_PATTERN.test(seatId) || leaf.length === 0) return undefined;
  return { seatId, leaf };
}
