/**
 * ARINC 429 words as avionics-to-Ethernet converters send them: each UDP datagram carries
 * whole 32-bit words, big-endian. Bit 1 is the word's least significant bit; bits 1-8 hold
 * the label in wire order (the label's most significant octal bit first, so the byte is
 * bit-reversed), 9-10 the SDI, 11-29 data, 30-31 the SSM, 32 odd parity. We decode the BNR
 * labels a seatback head-end needs from the IRS/GNSS bus. Pure: bytes in, values out.
 */
import { type Fix, FOOT_M, KNOT_MPS, type ParseResult } from './fix.ts';

/** BNR sign/status matrix: only "normal operation" carries a usable value. */
export const SSM = { failureWarning: 0, noComputedData: 1, functionalTest: 2, normal: 3 } as const;

/**
 * The standard BNR labels (octal): range is the weight of the sign bit (bit 29), significant
 * bits count down from bit 28. Latitude and longitude use 20 bits, so they reach into the SDI.
 */
const BNR_SPECS = {
  '310': { name: 'latitude', unit: 'deg', range: 180, bits: 20 },
  '311': { name: 'longitude', unit: 'deg', range: 180, bits: 20 },
  '312': { name: 'groundSpeed', unit: 'kt', range: 4096, bits: 15 },
  '313': { name: 'trueTrack', unit: 'deg', range: 180, bits: 15 },
  '314': { name: 'trueHeading', unit: 'deg', range: 180, bits: 15 },
  '203': { name: 'pressureAltitude', unit: 'ft', range: 131072, bits: 17 },
  '213': { name: 'staticAirTemperature', unit: 'degC', range: 512, bits: 11 },
} as const;
type BnrSpec = (typeof BNR_SPECS)[keyof typeof BNR_SPECS];
/** Keyed by the label's value (written in octal, as ARINC 429 does: 0o310 is "label 310"). */
export const BNR_LABELS: ReadonlyMap<number, BnrSpec> = new Map(
  Object.entries(BNR_SPECS).map(([octal, spec]) => [Number.parseInt(octal, 8), spec]),
);
export type BnrName = BnrSpec['name'];

export interface Arinc429Word {
  /** The label as a number; octal is how people write it (0o310 = "310"). */
  label: number;
  sdi: number;
  ssm: number;
  /** Bits 11-29 as they are, for labels we do not decode. */
  data: number;
  name?: BnrName;
  /** Decoded engineering value of a BNR label we know, in its unit (deg, kt, ft, °C). */
  value?: number;
}

function reverse8(byte: number): number {
  let out = 0;
  for (let i = 0; i < 8; i++) out |= ((byte >> i) & 1) << (7 - i);
  return out;
}

function oddParity(word: number): boolean {
  let v = word >>> 0;
  let ones = 0;
  while (v) {
    ones += v & 1;
    v >>>= 1;
  }
  return ones % 2 === 1;
}

/** One 32-bit word -> label, SDI, SSM and the value of a known BNR label; bad parity refused. */
export function decodeArinc429Word(word: number): ParseResult<Arinc429Word> {
  const w = word >>> 0;
  if (!oddParity(w)) return { ok: false, reason: 'parity', detail: w.toString(16).padStart(8, '0') };
  const label = reverse8(w & 0xff);
  const sdi = (w >>> 8) & 0x3;
  const ssm = (w >>> 29) & 0x3;
  const data = (w >>> 10) & 0x7ffff;
  const spec = BNR_LABELS.get(label);
  if (!spec) return { ok: true, value: { label, sdi, ssm, data } };
  if (ssm !== SSM.normal) return { ok: false, reason: 'ssm', detail: `label ${label.toString(8)} SSM ${ssm}` };
  // The field is bit 29 (sign) down to bit 29 - bits, two's complement.
  const width = spec.bits + 1;
  const shift = 28 - spec.bits;
  const raw = (w >>> shift) & ((1 << width) - 1);
  const signedRaw = raw & (1 << spec.bits) ? raw - (1 << width) : raw;
  const value = (signedRaw * spec.range) / 2 ** spec.bits;
  return { ok: true, value: { label, sdi, ssm, data, name: spec.name, value } };
}

/** Encodes a BNR value into a word with odd parity: the tests' and the simulator's transmitter. */
export function encodeArinc429Bnr(label: number, value: number, options: { ssm?: number; sdi?: number } = {}): number {
  const spec = BNR_LABELS.get(label);
  if (!spec) throw new RangeError(`label ${label.toString(8)} is not a BNR label we encode`);
  const width = spec.bits + 1;
  const shift = 28 - spec.bits;
  const raw = Math.round((value * 2 ** spec.bits) / spec.range) & ((1 << width) - 1);
  let w = (reverse8(label) | ((options.sdi ?? 0) << 8)) >>> 0;
  // Lat/lon use the SDI bits for data: the field overwrites them.
  w = (w & ~(((1 << width) - 1) << shift)) >>> 0;
  w = (w | (raw << shift)) >>> 0;
  w = (w | ((options.ssm ?? SSM.normal) << 29)) >>> 0;
  if (!oddParity(w)) w = (w | 0x80000000) >>> 0;
  return w >>> 0;
}

/** A datagram of words: whole words decoded, trailing bytes refused as truncated. */
export function splitArinc429Words(datagram: Uint8Array): { words: number[]; trailing: number } {
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const words: number[] = [];
  const whole = datagram.length - (datagram.length % 4);
  for (let i = 0; i < whole; i += 4) words.push(view.getUint32(i, false));
  return { words, trailing: datagram.length % 4 };
}

/**
 * Merges labels into fixes: the IRS sends each label on its own schedule (latitude and
 * longitude at 5-10 Hz, temperature at 1-2 Hz). A fix is emitted on each longitude word that
 * follows a latitude of the same moment (within 500 ms), with the latest of the other labels.
 */
export class Arinc429FixAssembler {
  private readonly latest = new Map<BnrName, { value: number; at: number }>();

  accept(word: Arinc429Word, now: number): Fix | undefined {
    if (word.name === undefined || word.value === undefined) return undefined;
    this.latest.set(word.name, { value: word.value, at: now });
    if (word.name !== 'longitude') return undefined;
    const lat = this.latest.get('latitude');
    if (!lat || now - lat.at > 500) return undefined;
    const fresh = (name: BnrName) => {
      const entry = this.latest.get(name);
      return entry && now - entry.at <= 3000 ? entry.value : undefined;
    };
    const gs = fresh('groundSpeed');
    const track = fresh('trueTrack');
    const heading = fresh('trueHeading');
    const altitude = fresh('pressureAltitude');
    const sat = fresh('staticAirTemperature');
    return {
      at: now,
      lat: lat.value,
      lon: word.value,
      ...(gs !== undefined ? { groundSpeedMps: Math.max(0, gs) * KNOT_MPS } : {}),
      ...(track !== undefined ? { trackDeg: (track + 360) % 360 } : {}),
      ...(heading !== undefined ? { headingDeg: (heading + 360) % 360 } : {}),
      ...(altitude !== undefined ? { altitudeM: altitude * FOOT_M } : {}),
      ...(sat !== undefined ? { outsideAirTempC: sat } : {}),
    };
  }
}
