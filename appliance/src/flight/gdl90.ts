/**
 * GDL 90 (FAA public interface spec, 560-1058-00 Rev A) as ADS-B receivers send it over UDP:
 * frames between 0x7E flags, 0x7D byte stuffing, a CRC-16 per §2.2.3 sent LSB first. We read
 * the heartbeat, the ownship report, ownship geometric altitude and traffic reports (counted,
 * never shown to passengers). Pure: a datagram in, messages and refusals out.
 */
import { type Fix, FOOT_M, FPM_MPS, KNOT_MPS, type ParseResult } from './fix.ts';

const FLAG = 0x7e;
const ESCAPE = 0x7d;

export const GDL90_MESSAGE = { heartbeat: 0, ownship: 10, ownshipGeometricAltitude: 11, traffic: 20 } as const;
/** Length of each message we decode, message id included, CRC excluded. */
const LENGTH: Record<number, number> = { 0: 7, 10: 28, 11: 5, 20: 28 };

/** The spec's table-driven CRC-16-CCITT (polynomial 0x1021, initial 0, no final xor, MSB-first). */
const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = ((crc << 1) ^ (crc & 0x8000 ? 0x1021 : 0)) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

export function gdl90Crc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = (CRC_TABLE[crc >> 8]! ^ (crc << 8) ^ byte) & 0xffff;
  return crc;
}

export interface Gdl90Heartbeat {
  type: 'heartbeat';
  gpsPositionValid: boolean;
  uatInitialized: boolean;
  /** Seconds since 0000Z. */
  timestampS: number;
}

/** Ownship and traffic reports share one layout (§3.4). */
export interface Gdl90Report {
  type: 'ownship' | 'traffic';
  address: number;
  lat: number;
  lon: number;
  /** Pressure altitude, metres; undefined when the report says "invalid". */
  pressureAltitudeM?: number;
  airborne: boolean;
  groundSpeedMps?: number;
  verticalSpeedMps?: number;
  /** Degrees, with what the angle is (true track, magnetic or true heading). */
  trackDeg?: number;
  trackKind: 'none' | 'true_track' | 'magnetic_heading' | 'true_heading';
  /** Navigation integrity category: 0 means the position is unknown. */
  nic: number;
  callsign: string;
}

export interface Gdl90GeometricAltitude {
  type: 'ownship_geometric_altitude';
  altitudeM: number;
}

export interface Gdl90Other {
  type: 'other';
  id: number;
}

export type Gdl90Message = Gdl90Heartbeat | Gdl90Report | Gdl90GeometricAltitude | Gdl90Other;

/** Frames of one datagram: each is a message or the reason it is refused. Bytes outside flags are garbage. */
export function splitGdl90Frames(datagram: Uint8Array): ParseResult<Uint8Array>[] {
  const results: ParseResult<Uint8Array>[] = [];
  const length = datagram.length;
  let i = 0;
  while (i < length) {
    if (datagram[i] !== FLAG) {
      let j = i;
      while (j < length && datagram[j] !== FLAG) j++;
      results.push({ ok: false, reason: 'garbage', detail: `${j - i} bytes outside a frame` });
      i = j;
      continue;
    }
    while (i + 1 < length && datagram[i + 1] === FLAG) i++;
    let j = i + 1;
    while (j < length && datagram[j] !== FLAG) j++;
    if (j >= length) {
      if (j > i + 1) results.push({ ok: false, reason: 'truncated', detail: 'frame without a closing flag' });
      break;
    }
    results.push(unstuff(datagram.subarray(i + 1, j)));
    // The closing flag may also open the next frame (some senders share flags).
    i = j;
  }
  return results;
}

function unstuff(stuffed: Uint8Array): ParseResult<Uint8Array> {
  const out = new Uint8Array(stuffed.length);
  let n = 0;
  for (let i = 0; i < stuffed.length; i++) {
    let byte = stuffed[i]!;
    if (byte === ESCAPE) {
      if (i + 1 >= stuffed.length) return { ok: false, reason: 'truncated', detail: 'escape at the end of a frame' };
      byte = stuffed[++i]! ^ 0x20;
    }
    out[n++] = byte;
  }
  if (n < 3) return { ok: false, reason: 'truncated', detail: 'frame shorter than id + CRC' };
  const message = out.subarray(0, n - 2);
  const given = out[n - 2]! | (out[n - 1]! << 8);
  if (gdl90Crc(message) !== given) return { ok: false, reason: 'crc', detail: `message ${message[0]}` };
  return { ok: true, value: message };
}

function signed(value: number, bits: number): number {
  return value & (1 << (bits - 1)) ? value - (1 << bits) : value;
}

const TRACK_KIND = ['none', 'true_track', 'magnetic_heading', 'true_heading'] as const;

/** One unstuffed, CRC-checked message -> its meaning. */
export function decodeGdl90Message(m: Uint8Array): ParseResult<Gdl90Message> {
  const id = m[0]!;
  const length = LENGTH[id];
  if (length === undefined) return { ok: true, value: { type: 'other', id } };
  if (m.length < length)
    return { ok: false, reason: 'truncated', detail: `message ${id} is ${m.length} bytes, needs ${length}` };
  if (id === GDL90_MESSAGE.heartbeat) {
    const timestampS = ((m[2]! & 0x80) << 9) | m[3]! | (m[4]! << 8);
    return {
      ok: true,
      value: {
        type: 'heartbeat',
        gpsPositionValid: (m[1]! & 0x80) !== 0,
        uatInitialized: (m[1]! & 0x01) !== 0,
        timestampS,
      },
    };
  }
  if (id === GDL90_MESSAGE.ownshipGeometricAltitude) {
    return {
      ok: true,
      value: { type: 'ownship_geometric_altitude', altitudeM: signed((m[1]! << 8) | m[2]!, 16) * 5 * FOOT_M },
    };
  }
  const lat = (signed((m[5]! << 16) | (m[6]! << 8) | m[7]!, 24) * 180) / 2 ** 23;
  const lon = (signed((m[8]! << 16) | (m[9]! << 8) | m[10]!, 24) * 180) / 2 ** 23;
  const altitude = (m[11]! << 4) | (m[12]! >> 4);
  const misc = m[12]! & 0x0f;
  const horizontal = (m[14]! << 4) | (m[15]! >> 4);
  const vertical = ((m[15]! & 0x0f) << 8) | m[16]!;
  const trackKind = TRACK_KIND[misc & 0x03]!;
  let callsign = '';
  for (let i = 19; i < 27; i++) callsign += String.fromCharCode(m[i]!);
  return {
    ok: true,
    value: {
      type: id === GDL90_MESSAGE.ownship ? 'ownship' : 'traffic',
      address: (m[2]! << 16) | (m[3]! << 8) | m[4]!,
      lat,
      lon,
      ...(altitude !== 0xfff ? { pressureAltitudeM: (altitude * 25 - 1000) * FOOT_M } : {}),
      airborne: (misc & 0x08) !== 0,
      ...(horizontal !== 0xfff ? { groundSpeedMps: horizontal * KNOT_MPS } : {}),
      ...(vertical !== 0x800 ? { verticalSpeedMps: signed(vertical, 12) * 64 * FPM_MPS } : {}),
      ...(trackKind !== 'none' ? { trackDeg: (m[17]! * 360) / 256 } : {}),
      trackKind,
      nic: m[13]! >> 4,
      callsign: callsign.trim(),
    },
  };
}

/** Encodes a message into a flagged, stuffed frame with its CRC: for the tests and the simulator's output. */
export function encodeGdl90Frame(message: Uint8Array): Buffer {
  const crc = gdl90Crc(message);
  const body = [...message, crc & 0xff, crc >> 8];
  const out = [FLAG];
  for (const byte of body) {
    if (byte === FLAG || byte === ESCAPE) out.push(ESCAPE, byte ^ 0x20);
    else out.push(byte);
  }
  out.push(FLAG);
  return Buffer.from(out);
}

/** An ownship report's bytes (message id 10 or 20) from a position: the inverse of decodeGdl90Message. */
export function ownshipReportBytes(r: {
  lat: number;
  lon: number;
  pressureAltitudeFt: number;
  groundSpeedKt: number;
  verticalFpm: number;
  trackDeg: number;
  airborne: boolean;
  callsign?: string;
  traffic?: boolean;
}): Uint8Array {
  const m = new Uint8Array(28);
  m[0] = r.traffic ? GDL90_MESSAGE.traffic : GDL90_MESSAGE.ownship;
  const lat = Math.round((r.lat * 2 ** 23) / 180) & 0xffffff;
  const lon = Math.round((r.lon * 2 ** 23) / 180) & 0xffffff;
  m.set([lat >> 16, (lat >> 8) & 0xff, lat & 0xff, lon >> 16, (lon >> 8) & 0xff, lon & 0xff], 5);
  const alt = Math.max(0, Math.min(0xffe, Math.round((r.pressureAltitudeFt + 1000) / 25)));
  const misc = (r.airborne ? 0x08 : 0) | 0x01;
  m[11] = alt >> 4;
  m[12] = ((alt & 0x0f) << 4) | misc;
  m[13] = 0x99;
  const h = Math.max(0, Math.min(0xffe, Math.round(r.groundSpeedKt)));
  const v = Math.round(r.verticalFpm / 64) & 0xfff;
  m[14] = h >> 4;
  m[15] = ((h & 0x0f) << 4) | (v >> 8);
  m[16] = v & 0xff;
  m[17] = Math.round((r.trackDeg * 256) / 360) & 0xff;
  m[18] = 3;
  const callsign = (r.callsign ?? '').padEnd(8, ' ').slice(0, 8);
  for (let i = 0; i < 8; i++) m[19 + i] = callsign.charCodeAt(i);
  return m;
}

/**
 * Merges messages into ownship fixes: position, speed and track from the ownship report,
 * geometric altitude (preferred over pressure altitude) from message 11. While the heartbeat
 * says the GPS position is not valid, or the report's NIC is 0, no fix is emitted.
 */
export class Gdl90FixAssembler {
  private geometricAltitudeM: number | undefined;
  private geometricAt = 0;
  private gpsValid = true;

  accept(message: Gdl90Message, now: number): ParseResult<Fix> | undefined {
    if (message.type === 'heartbeat') {
      this.gpsValid = message.gpsPositionValid;
      return undefined;
    }
    if (message.type === 'ownship_geometric_altitude') {
      this.geometricAltitudeM = message.altitudeM;
      this.geometricAt = now;
      return undefined;
    }
    if (message.type !== 'ownship') return undefined;
    if (!this.gpsValid || message.nic === 0 || (message.lat === 0 && message.lon === 0))
      return { ok: false, reason: 'no_fix', detail: 'ownship position not valid' };
    // Geometric altitude comes once a second; an old one is worse than the pressure altitude.
    const geometric = now - this.geometricAt <= 3000 ? this.geometricAltitudeM : undefined;
    const altitudeM = geometric ?? message.pressureAltitudeM;
    const track = message.trackKind === 'true_track' ? message.trackDeg : undefined;
    const heading = message.trackKind === 'true_heading' ? message.trackDeg : undefined;
    return {
      ok: true,
      value: {
        at: now,
        lat: message.lat,
        lon: message.lon,
        ...(altitudeM !== undefined ? { altitudeM } : {}),
        ...(message.groundSpeedMps !== undefined ? { groundSpeedMps: message.groundSpeedMps } : {}),
        ...(message.verticalSpeedMps !== undefined ? { verticalSpeedMps: message.verticalSpeedMps } : {}),
        ...(track !== undefined ? { trackDeg: track } : {}),
        ...(heading !== undefined ? { headingDeg: heading } : {}),
      },
    };
  }
}
