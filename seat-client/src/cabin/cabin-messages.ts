/**
 * What the seat app does with one cabin bus message: checked against the protocol's schema for
 * its channel (channels.ts), then handed to the screen's handlers. A message that fails its
 * schema is dropped with a logged reason; it never reaches a handler as a half-parsed object.
 */
import {
  type CabinMessage,
  matchChannel,
  type PaState,
  parseCabinMessage,
  type RemoteCommand,
  type SeatCommandMessage,
} from '@ifec/protocol';
import type { FlightMessage } from '../flight/flight-messages.ts';

export interface CrewControls {
  locked: boolean;
  parentalLock: boolean;
}

export interface CabinEvents {
  onPa(pa: PaState | null): void;
  onControls(controls: CrewControls): void;
  onCommand(action: SeatCommandMessage['action']): void;
  onBusStatus(connected: boolean): void;
  /** The live passenger session of this seat (retained: arrives at every connect). */
  onSession?(sessionId: string): void;
  /** A paired phone's command, already checked by the appliance. */
  onRemote?(command: RemoteCommand): void;
  /** flight/position, flight/phase, policy/current: already validated against protocol's schemas. */
  onFlight?(message: FlightMessage): void;
}

export type Warn = (message: string, detail: { topic: string; reason: string }) => void;
export const warnOnConsole: Warn = (message, detail) => console.warn(message, detail);

export type Outcome = 'handled' | 'ignored' | 'dropped';

/** Parses one message; a bad one is logged (topic and reason) and undefined comes back. */
export function checkedMessage(
  topic: string,
  payload: Uint8Array | string,
  warn: Warn = warnOnConsole,
): CabinMessage | undefined {
  const parsed = parseCabinMessage(topic, payload);
  if (parsed.ok) return parsed.message;
  warn('cabin bus message dropped', { topic, reason: parsed.reason });
  return undefined;
}

/**
 * Routes one message to the seat's handlers. `seatId` is this seat (undefined on a phone,
 * which takes only broadcasts here: its paired seat's topics belong to the resume link).
 * Yjs frames on the resume channels are the resume client's and pass untouched.
 */
export function dispatchCabinMessage(
  topic: string,
  payload: Uint8Array | string,
  seatId: string | undefined,
  events: CabinEvents,
  warn: Warn = warnOnConsole,
): Outcome {
  const channel = matchChannel(topic);
  if (channel?.channel.payload === 'binary') return 'ignored';
  if (seatId === undefined && channel !== undefined && channel.params.seatId !== undefined) return 'ignored';
  if (channel?.params.seatId !== undefined && channel.params.seatId !== seatId) {
    warn('cabin bus message dropped', { topic, reason: `not this seat's topic (${seatId ?? 'a phone'})` });
    return 'dropped';
  }
  const message = checkedMessage(topic, payload, warn);
  if (!message) return 'dropped';
  switch (message.channel) {
    case 'paState':
      events.onPa(message.payload);
      return 'handled';
    case 'seatState':
      events.onControls({ locked: message.payload.locked, parentalLock: message.payload.parentalLock });
      return 'handled';
    case 'seatCommand':
      events.onCommand(message.payload.action);
      return 'handled';
    case 'seatSession':
      events.onSession?.(message.payload.sessionId);
      return 'handled';
    case 'seatRemote':
      events.onRemote?.(message.payload);
      return 'handled';
    default:
      return 'ignored'; // a channel this screen does not act on (its own playback echo, crew traffic)
  }
}
