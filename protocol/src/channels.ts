/**
 * Every channel of the cabin bus in one table: its topic (AsyncAPI address, `{name}` for a
 * level), who publishes it, whether the broker retains it, and the zod schema of its payload.
 * Clients parse what arrives with `parseCabinMessage`; asyncapi.ts builds the AsyncAPI
 * document from this table. Browser-safe.
 */
import type { z } from 'zod';
import { paCommand, paState, seatCommandMessage, seatControls, seatFault, seatHealth } from './cabin.ts';
import { describeIssues } from './errors.ts';
import { flightPhaseState, flightPosition } from './flight.ts';
import { remoteCommand, seatPlayback, sessionAnnouncement } from './resume.ts';
import { syncStatus } from './sync.ts';
import { MAX_CONSUMED_PAYLOAD_BYTES } from './topics.ts';

/** Who may publish a channel: the appliance alone writes the broadcast trees and state. */
export type Publisher = 'appliance' | 'seat' | 'crew' | 'phone';

export interface CabinChannel {
  address: string;
  publishers: readonly Publisher[];
  retained: boolean;
  /** A retained state that an empty payload clears (no announcement, for example). */
  emptyClears?: boolean;
  /** The JSON payload's schema; `binary` for Yjs sync frames (checked by resume-client.ts). */
  payload: z.ZodType | 'binary';
  description: string;
}

export const cabinChannels = {
  paState: {
    address: 'cabin/pa',
    publishers: ['appliance'],
    retained: true,
    emptyClears: true,
    payload: paState,
    description: 'The announcement every seat pauses on while it is retained; an empty payload ends it.',
  },
  crewPa: {
    address: 'crew/pa',
    publishers: ['crew'],
    retained: false,
    payload: paCommand,
    description: 'A purser or cabin crew command to start or stop an announcement; the appliance consumes it.',
  },
  flightPosition: {
    address: 'flight/position',
    publishers: ['appliance'],
    retained: true,
    payload: flightPosition,
    description: 'Where the aircraft is, about once a second.',
  },
  flightPhase: {
    address: 'flight/phase',
    publishers: ['appliance'],
    retained: true,
    payload: flightPhaseState,
    description: 'The flight phase and the flight it belongs to.',
  },
  syncStatus: {
    address: 'sync/status',
    publishers: ['appliance'],
    retained: true,
    payload: syncStatus,
    description: 'The ground link and the outbox backlog, for the crew console.',
  },
  seatHealth: {
    address: 'seat/{seatId}/health',
    publishers: ['seat'],
    retained: false,
    payload: seatHealth,
    description: "A seat's periodic report (every 10 s and on a change).",
  },
  seatFault: {
    address: 'seat/{seatId}/fault',
    publishers: ['seat'],
    retained: false,
    payload: seatFault,
    description: 'A fault raised by a seat unit; journalled and sent to the ground.',
  },
  seatState: {
    address: 'seat/{seatId}/state',
    publishers: ['appliance'],
    retained: true,
    payload: seatControls,
    description: 'Crew-set controls (lock, parental lock) a rebooted seat obeys at once.',
  },
  seatCommand: {
    address: 'seat/{seatId}/command',
    publishers: ['appliance'],
    retained: false,
    payload: seatCommandMessage,
    description: 'A one-shot crew command (reset, acknowledge call) as the seat receives it.',
  },
  seatSession: {
    address: 'seat/{seatId}/session',
    publishers: ['appliance'],
    retained: true,
    payload: sessionAnnouncement,
    description: "The seat's live passenger session; a new one after a reset for the next flight.",
  },
  seatPlayback: {
    address: 'seat/{seatId}/playback',
    publishers: ['seat'],
    retained: true,
    payload: seatPlayback,
    description: 'What plays on the seat, for its paired phones.',
  },
  seatRemote: {
    address: 'seat/{seatId}/remote',
    publishers: ['phone'],
    retained: false,
    payload: remoteCommand,
    description: "A paired phone's remote-control command, checked by the appliance and delivered to the seat.",
  },
  resumeUp: {
    address: 'seat/{seatId}/resume/{sessionId}/up/{device}',
    publishers: ['seat', 'phone'],
    retained: false,
    payload: 'binary',
    description: "A device's Yjs sync frames for the passenger session's resume document.",
  },
  resumeDown: {
    address: 'seat/{seatId}/resume/{sessionId}/down/{device}',
    publishers: ['appliance'],
    retained: false,
    payload: 'binary',
    description: "The appliance's Yjs sync answers to one device.",
  },
  resumeUpdates: {
    address: 'seat/{seatId}/resume/{sessionId}/updates',
    publishers: ['appliance'],
    retained: false,
    payload: 'binary',
    description: 'Merged Yjs updates of the resume document, for every device of the session.',
  },
} as const satisfies Record<string, CabinChannel>;

export type CabinChannelName = keyof typeof cabinChannels;

type JsonChannelName = {
  [K in CabinChannelName]: (typeof cabinChannels)[K]['payload'] extends 'binary' ? never : K;
}[CabinChannelName];

type PayloadOf<K extends JsonChannelName> = (typeof cabinChannels)[K]['payload'] extends z.ZodType<infer T> ? T : never;

/** A message as a client receives it: its channel, the levels of its topic and its checked payload. */
export type CabinMessage = {
  [K in JsonChannelName]: {
    channel: K;
    params: Record<string, string>;
    /** null: an empty payload that clears a retained state. */
    payload: PayloadOf<K> | ((typeof cabinChannels)[K] extends { emptyClears: true } ? null : never);
  };
}[JsonChannelName];

const matchers = Object.entries(cabinChannels).map(([name, channel]) => {
  const names: string[] = [];
  const source = channel.address
    .split('/')
    .map((level) => {
      const param = /^\{(\w+)\}$/.exec(level);
      if (!param) return level.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      return '([^/+#]+)';
    })
    .join('/');
  return {
    name: name as CabinChannelName,
    channel: channel as CabinChannel,
    names,
    pattern: new RegExp(`^${source}$`),
  };
});

/** The channel a topic belongs to, with its levels by name; undefined for a topic not in the table. */
export function matchChannel(
  topic: string,
): { name: CabinChannelName; channel: CabinChannel; params: Record<string, string> } | undefined {
  for (const m of matchers) {
    const found = m.pattern.exec(topic);
    if (found)
      return {
        name: m.name,
        channel: m.channel,
        params: Object.fromEntries(m.names.map((n, i) => [n, found[i + 1]!])),
      };
  }
  return undefined;
}

export type ParsedCabinMessage = { ok: true; message: CabinMessage } | { ok: false; reason: string };

/**
 * Checks one received message against its channel's schema. Never throws: a client drops a
 * refused message and logs the reason. Binary channels are not for this function.
 */
export function parseCabinMessage(topic: string, payload: string | Uint8Array): ParsedCabinMessage {
  const match = matchChannel(topic);
  if (!match) return { ok: false, reason: 'not a cabin bus channel' };
  if (match.channel.payload === 'binary') return { ok: false, reason: 'a binary channel (Yjs frames), not JSON' };
  const size = typeof payload === 'string' ? payload.length : payload.byteLength;
  if (size > MAX_CONSUMED_PAYLOAD_BYTES)
    return { ok: false, reason: `payload of ${size} bytes exceeds ${MAX_CONSUMED_PAYLOAD_BYTES}` };
  const text = typeof payload === 'string' ? payload : new TextDecoder('utf-8', { fatal: false }).decode(payload);
  if (text === '') {
    if (match.channel.emptyClears)
      return { ok: true, message: { channel: match.name, params: match.params, payload: null } as CabinMessage };
    return { ok: false, reason: 'empty payload' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'payload is not valid JSON' };
  }
  const result = match.channel.payload.safeParse(raw);
  if (!result.success) return { ok: false, reason: describeIssues(result.error) };
  return { ok: true, message: { channel: match.name, params: match.params, payload: result.data } as CabinMessage };
}
