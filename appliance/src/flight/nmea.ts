/**
 * NMEA 0183 from a GNSS receiver: line framing (sentences split across datagrams or reads,
 * CR, LF or CRLF), checksum and field checks here, field decoding by `nmea-simple`. Pure:
 * bytes and strings in, fixes and refusal reasons out; the transports count and log them.
 */
import { type Packet, parseNmeaSentence } from 'nmea-simple';
import { type Fix, KNOT_MPS, type ParseResult } from './fix.ts';

/** NMEA says 82 characters; some receivers send a little more. Anything longer is garbage. */
export const MAX_SENTENCE_CHARS = 120;
/** GPS, multi-constellation, GLONASS, Galileo, BeiDou. */
export const NMEA_TALKERS: ReadonlySet<string> = new Set(['GP', 'GN', 'GL', 'GA', 'BD']);
/** The sentence types we decode and the fewest fields (with the address field) each must carry. */
const MIN_FIELDS: Record<string, number> = { GGA: 10, RMC: 10, VTG: 8, GSA: 18, GLL: 7, ZDA: 7 };

/**
 * Joins chunks into lines: a sentence may arrive in two datagrams, lines end in CR, LF or
 * CRLF. A partial line longer than a sentence can be is dropped (and reported), so a sender
 * that never ends a line cannot grow the buffer.
 */
export class NmeaLineFramer {
  private partial = '';
  /** A chunk that ended in CR may be followed by the LF of the same CRLF. */
  private endedWithCr = false;

  /** Complete lines in this chunk (blank ones included, the parser refuses them) and how many over-long fragments were dropped. */
  push(chunk: Buffer | string): { lines: string[]; dropped: number } {
    let incoming = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    if (this.endedWithCr && this.partial === '' && incoming.startsWith('\n')) incoming = incoming.slice(1);
    this.endedWithCr = incoming.endsWith('\r');
    const text = this.partial + incoming;
    const parts = text.split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? '';
    let dropped = 0;
    const lines: string[] = [];
    for (const line of parts) {
      if (line.length > MAX_SENTENCE_CHARS) dropped++;
      else lines.push(line);
    }
    if (this.partial.length > MAX_SENTENCE_CHARS) {
      this.partial = '';
      dropped++;
    }
    return { lines, dropped };
  }

  /** What is left when the stream ends: a line with no end is truncated by definition. */
  flush(): string {
    const rest = this.partial;
    this.partial = '';
    return rest;
  }
}

/** Part of a fix that one sentence gives; the assembler merges them. */
export interface NmeaPart {
  sentence: 'GGA' | 'RMC' | 'VTG' | 'GSA' | 'GLL' | 'ZDA';
  talker: string;
  lat?: number;
  lon?: number;
  altitudeM?: number;
  groundSpeedMps?: number;
  trackDeg?: number;
  /** GSA: whether the receiver has a 2D/3D fix at all. */
  hasFix?: boolean;
  /** ZDA and RMC carry a full UTC date and time. */
  utc?: number;
}

function checksumOk(line: string): boolean | 'missing' {
  const star = line.lastIndexOf('*');
  if (star < 0 || star + 3 !== line.length) return 'missing';
  let sum = 0;
  for (let i = 1; i < star; i++) sum ^= line.charCodeAt(i);
  const given = Number.parseInt(line.slice(star + 1), 16);
  return Number.isFinite(given) && given === sum;
}

/** One line (no line ending) -> what it says, or why it is refused. Never throws. */
export function parseNmeaLine(raw: string): ParseResult<NmeaPart> {
  const line = raw.trim();
  if (line.length === 0) return { ok: false, reason: 'blank' };
  if (line[0] !== '$' || !/^[\x20-\x7e]+$/.test(line))
    return { ok: false, reason: 'garbage', detail: 'not an NMEA sentence' };
  const sum = checksumOk(line);
  if (sum === 'missing') return { ok: false, reason: 'truncated', detail: 'no *hh checksum at the end' };
  if (!sum) return { ok: false, reason: 'checksum', detail: line.slice(0, 12) };
  const fields = line.slice(0, line.lastIndexOf('*')).split(',');
  const address = fields[0]!;
  const talker = address.slice(1, 3);
  const type = address.slice(3);
  const minimum = MIN_FIELDS[type];
  if (minimum === undefined || address.length !== 6)
    return { ok: false, reason: 'unknown_type', detail: address.slice(1) };
  if (!NMEA_TALKERS.has(talker)) return { ok: false, reason: 'talker', detail: talker };
  if (fields.length < minimum) return { ok: false, reason: 'truncated', detail: `${type} has ${fields.length} fields` };
  let packet: Packet;
  try {
    packet = parseNmeaSentence(line);
  } catch (error) {
    return { ok: false, reason: 'invalid', detail: (error as Error).message.slice(0, 80) };
  }
  const part = fromPacket(packet, fields, talker);
  if (!part.ok) return part;
  for (const value of Object.values(part.value)) {
    if (typeof value === 'number' && !Number.isFinite(value))
      return { ok: false, reason: 'invalid', detail: `${type} has a malformed number` };
  }
  return part;
}

function position(
  latField: string | undefined,
  lonField: string | undefined,
  lat: number,
  lon: number,
): { lat: number; lon: number } | undefined {
  // nmea-simple reads an empty coordinate as 0: a receiver without a fix would put us at 0°N 0°E.
  if (!latField || !lonField) return undefined;
  return { lat, lon };
}

function fromPacket(packet: Packet, fields: string[], talker: string): ParseResult<NmeaPart> {
  switch (packet.sentenceId) {
    case 'GGA': {
      if (packet.fixType === 'none' || !packet.fixType)
        return { ok: false, reason: 'no_fix', detail: 'GGA fix quality 0' };
      const at = position(fields[2], fields[4], packet.latitude, packet.longitude);
      if (!at) return { ok: false, reason: 'no_fix', detail: 'GGA without a position' };
      return {
        ok: true,
        value: { sentence: 'GGA', talker, ...at, ...(fields[9] ? { altitudeM: packet.altitudeMeters } : {}) },
      };
    }
    case 'RMC': {
      if (packet.status !== 'valid') return { ok: false, reason: 'no_fix', detail: 'RMC status V' };
      const at = position(fields[3], fields[5], packet.latitude, packet.longitude);
      if (!at) return { ok: false, reason: 'no_fix', detail: 'RMC without a position' };
      const utc = packet.datetime.getTime();
      return {
        ok: true,
        value: {
          sentence: 'RMC',
          talker,
          ...at,
          ...(fields[7] ? { groundSpeedMps: packet.speedKnots * KNOT_MPS } : {}),
          ...(fields[8] ? { trackDeg: packet.trackTrue } : {}),
          ...(Number.isFinite(utc) ? { utc } : {}),
        },
      };
    }
    case 'GLL': {
      if (packet.status !== 'valid') return { ok: false, reason: 'no_fix', detail: 'GLL status V' };
      const at = position(fields[1], fields[3], packet.latitude, packet.longitude);
      if (!at) return { ok: false, reason: 'no_fix', detail: 'GLL without a position' };
      return { ok: true, value: { sentence: 'GLL', talker, ...at } };
    }
    case 'VTG':
      if (!fields[1] && !fields[5]) return { ok: false, reason: 'no_fix', detail: 'VTG without track or speed' };
      return {
        ok: true,
        value: {
          sentence: 'VTG',
          talker,
          ...(fields[1] ? { trackDeg: packet.trackTrue } : {}),
          ...(fields[5] ? { groundSpeedMps: packet.speedKnots * KNOT_MPS } : {}),
        },
      };
    case 'GSA':
      return {
        ok: true,
        value: { sentence: 'GSA', talker, hasFix: packet.fixMode === '2D' || packet.fixMode === '3D' },
      };
    case 'ZDA': {
      const utc = packet.datetime.getTime();
      if (!Number.isFinite(utc)) return { ok: false, reason: 'invalid', detail: 'ZDA date' };
      return { ok: true, value: { sentence: 'ZDA', talker, utc } };
    }
    default:
      return { ok: false, reason: 'unknown_type', detail: packet.sentenceId };
  }
}

/**
 * Merges sentences into fixes: a receiver sends position (GGA/RMC/GLL), speed and track
 * (RMC/VTG) and altitude (GGA) in separate sentences of one epoch. A fix is emitted on each
 * position sentence with the latest of the others; while GSA says "no fix" nothing is emitted.
 */
export class NmeaFixAssembler {
  private altitudeM: number | undefined;
  private groundSpeedMps: number | undefined;
  private trackDeg: number | undefined;
  private hasFix = true;

  /** The fix this part completes, if any; `now` is the receive time. */
  accept(part: NmeaPart, now: number): Fix | undefined {
    if (part.altitudeM !== undefined) this.altitudeM = part.altitudeM;
    if (part.groundSpeedMps !== undefined) this.groundSpeedMps = part.groundSpeedMps;
    if (part.trackDeg !== undefined) this.trackDeg = part.trackDeg;
    if (part.hasFix !== undefined) this.hasFix = part.hasFix;
    if (part.lat === undefined || part.lon === undefined || !this.hasFix) return undefined;
    return {
      at: now,
      lat: part.lat,
      lon: part.lon,
      ...(this.altitudeM !== undefined ? { altitudeM: this.altitudeM } : {}),
      ...(this.groundSpeedMps !== undefined ? { groundSpeedMps: this.groundSpeedMps } : {}),
      ...(this.trackDeg !== undefined ? { trackDeg: this.trackDeg } : {}),
    };
  }
}

/** Appends the `*hh` checksum: the simulator's NMEA output and the tests write sentences with it. */
export function withChecksum(body: string): string {
  let sum = 0;
  for (let i = 1; i < body.length; i++) sum ^= body.charCodeAt(i);
  return `${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}
