/**
 * Position sources: thin transports around the pure parsers. Each source turns bytes (a UDP
 * datagram, a chunk from a serial device or file) or a clock tick (replay, simulator) into
 * fixes, and counts every sentence, frame or word it accepts or refuses, by reason.
 */

import dgram from 'node:dgram';
import fs from 'node:fs';
import type { PositionSourceKind } from '@ifec/protocol';
import { IfecError } from '@ifec/protocol';
import type { KnownAirport } from './airports.ts';
import { Arinc429FixAssembler, decodeArinc429Word, splitArinc429Words } from './arinc429.ts';
import type { Fix, RejectReason } from './fix.ts';
import { decodeGdl90Message, Gdl90FixAssembler, splitGdl90Frames } from './gdl90.ts';
import { NmeaFixAssembler, NmeaLineFramer, parseNmeaLine } from './nmea.ts';
import { SimulatedFlight } from './simulator.ts';

/** One entry of IFEC_FLIGHT_SOURCES, parsed (see config.ts). */
export type SourceSpec =
  | { type: 'nmea-udp' | 'gdl90-udp' | 'arinc429-udp'; port: number }
  | { type: 'nmea-file'; path: string }
  | { type: 'replay'; path: string; speed: number }
  | { type: 'simulator'; from: string; to: string; factor: number };

export interface SourceEvents {
  fix(fix: Fix): void;
  accepted(): void;
  rejected(reason: RejectReason, detail?: string): void;
}

export interface PositionSource {
  /** e.g. `nmea-udp:10110`: how crew and the log name it. */
  readonly id: string;
  readonly kind: PositionSourceKind;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The bound port of a UDP source (tests bind port 0). */
  readonly port?: number;
}

/** Largest datagram a source reads; bigger ones are refused whole. */
export const MAX_DATAGRAM_BYTES = 8192;

export function sourceId(spec: SourceSpec): string {
  switch (spec.type) {
    case 'nmea-udp':
    case 'gdl90-udp':
    case 'arinc429-udp':
      return `${spec.type}:${spec.port}`;
    case 'nmea-file':
      return `nmea-file:${spec.path}`;
    case 'replay':
      return `replay:${spec.path}@${spec.speed}`;
    case 'simulator':
      return `simulator:${spec.from}-${spec.to}@${spec.factor}`;
  }
}

/** Byte decoders per protocol: a fresh one per source, since NMEA framing and assemblers keep state. */
export function byteDecoder(
  kind: 'nmea' | 'gdl90' | 'arinc429',
  events: SourceEvents,
  now: () => number,
): (bytes: Buffer) => void {
  if (kind === 'nmea') {
    const framer = new NmeaLineFramer();
    const assembler = new NmeaFixAssembler();
    return (bytes) => {
      const { lines, dropped } = framer.push(bytes);
      for (let i = 0; i < dropped; i++) events.rejected('too_long');
      for (const line of lines) {
        const part = parseNmeaLine(line);
        if (!part.ok) {
          events.rejected(part.reason, part.detail);
          continue;
        }
        events.accepted();
        const fix = assembler.accept(part.value, now());
        if (fix) events.fix(fix);
      }
    };
  }
  if (kind === 'gdl90') {
    const assembler = new Gdl90FixAssembler();
    return (bytes) => {
      for (const frame of splitGdl90Frames(bytes)) {
        if (!frame.ok) {
          events.rejected(frame.reason, frame.detail);
          continue;
        }
        const message = decodeGdl90Message(frame.value);
        if (!message.ok) {
          events.rejected(message.reason, message.detail);
          continue;
        }
        if (message.value.type === 'other') {
          events.rejected('unknown_type', `message ${message.value.id}`);
          continue;
        }
        events.accepted();
        const fix = assembler.accept(message.value, now());
        if (fix?.ok) events.fix(fix.value);
        else if (fix) events.rejected(fix.reason, fix.detail);
      }
    };
  }
  const assembler = new Arinc429FixAssembler();
  return (bytes) => {
    const { words, trailing } = splitArinc429Words(bytes);
    if (trailing) events.rejected('truncated', `${trailing} bytes after the last whole word`);
    for (const w of words) {
      const word = decodeArinc429Word(w);
      if (!word.ok) {
        events.rejected(word.reason, word.detail);
        continue;
      }
      if (word.value.name === undefined) {
        events.rejected('unknown_type', `label ${word.value.label.toString(8)}`);
        continue;
      }
      events.accepted();
      const fix = assembler.accept(word.value, now());
      if (fix) events.fix(fix);
    }
  };
}

class UdpSource implements PositionSource {
  readonly kind: PositionSourceKind;
  private socket: dgram.Socket | undefined;
  private windowStart = 0;
  private windowCount = 0;

  constructor(
    readonly id: string,
    private readonly protocol: 'nmea' | 'gdl90' | 'arinc429',
    private readonly bind: { port: number; host: string },
    private readonly events: SourceEvents,
    private readonly now: () => number,
    /** Datagrams per second taken; beyond that they are dropped and counted (a flood must not starve the bus). */
    private readonly maxPerS: number,
  ) {
    this.kind = protocol;
  }

  get port(): number | undefined {
    return this.socket?.address().port;
  }

  async start(): Promise<void> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    this.socket = socket;
    const decode = byteDecoder(this.protocol, this.events, this.now);
    socket.on('message', (bytes) => {
      const t = Date.now();
      if (t - this.windowStart >= 1000) {
        this.windowStart = t;
        this.windowCount = 0;
      }
      if (++this.windowCount > this.maxPerS) return this.events.rejected('rate');
      if (bytes.length > MAX_DATAGRAM_BYTES) return this.events.rejected('too_long', `${bytes.length} byte datagram`);
      decode(bytes);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.bind.port, this.bind.host, () => {
        socket.off('error', reject);
        // A socket error later (e.g. ICMP unreachable) must not end the appliance.
        socket.on('error', () => undefined);
        // Avionics converters send bursts (every label at once): room for a second of them.
        try {
          socket.setRecvBufferSize(1 << 20);
        } catch {
          // The OS may cap it (net.core.rmem_max); the default still works.
        }
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/** A serial device (e.g. /dev/ttyUSB0, already set to its baud rate by the OS image) or a file of NMEA. */
class NmeaFileSource implements PositionSource {
  readonly kind = 'nmea' as const;
  private stream: fs.ReadStream | undefined;

  constructor(
    readonly id: string,
    private readonly path: string,
    private readonly events: SourceEvents,
    private readonly now: () => number,
    private readonly log: (error: Error) => void,
  ) {}

  async start(): Promise<void> {
    const decode = byteDecoder('nmea', this.events, this.now);
    const stream = fs.createReadStream(this.path, { highWaterMark: 4096 });
    this.stream = stream;
    stream.on('data', (chunk) => decode(chunk as Buffer));
    stream.on('error', (error) => this.log(error));
  }

  async stop(): Promise<void> {
    this.stream?.destroy();
    this.stream = undefined;
  }
}

/** Replays recorded points, re-timed to start now, `speed` times faster than recorded. */
class ReplaySource implements PositionSource {
  readonly kind = 'replay' as const;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly points: Fix[],
    private readonly speed: number,
    private readonly events: SourceEvents,
  ) {}

  async start(): Promise<void> {
    const started = Date.now();
    const t0 = this.points[0]!.at;
    let next = 0;
    this.timer = setInterval(() => {
      const reached = t0 + (Date.now() - started) * this.speed;
      while (next < this.points.length && this.points[next]!.at <= reached) {
        const p = this.points[next++]!;
        this.events.accepted();
        this.events.fix({ ...p, at: started + (p.at - t0) });
      }
      if (next >= this.points.length) clearInterval(this.timer);
    }, 100);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}

/** Flies the route at `factor` times real time, once a second of wall time; then back, after a turnaround. */
class SimulatorSource implements PositionSource {
  readonly kind = 'simulator' as const;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly route: [KnownAirport, KnownAirport],
    private readonly factor: number,
    private readonly events: SourceEvents,
    private readonly onRoute: (origin: KnownAirport, destination: KnownAirport) => void,
  ) {}

  async start(): Promise<void> {
    let [from, to] = this.route;
    let flight = new SimulatedFlight(from, to);
    let started = Date.now();
    this.onRoute(from, to);
    const tick = () => {
      const t = ((Date.now() - started) / 1000) * this.factor;
      if (t > flight.durationS + 600) {
        [from, to] = [to, from];
        flight = new SimulatedFlight(from, to);
        started = Date.now();
        this.onRoute(from, to);
        return;
      }
      const s = flight.sample(t);
      this.events.accepted();
      this.events.fix({
        at: started + t * 1000,
        lat: s.lat,
        lon: s.lon,
        altitudeM: s.altitudeM,
        groundSpeedMps: s.groundSpeedMps,
        verticalSpeedMps: s.verticalSpeedMps,
        trackDeg: s.trackDeg,
        headingDeg: s.trackDeg,
        outsideAirTempC: s.outsideAirTempC,
      });
    };
    tick();
    this.timer = setInterval(tick, 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}

export interface SourceFactoryDeps {
  host: string;
  events: (id: string, kind: PositionSourceKind) => SourceEvents;
  airport: (code: string) => KnownAirport | undefined;
  readTrack: (path: string) => Fix[];
  onRoute: (origin: KnownAirport, destination: KnownAirport) => void;
  logError: (id: string, error: Error) => void;
  /** Per UDP source. */
  maxDatagramsPerS: number;
  now?: () => number;
}

export class SourceConfigError extends IfecError<'FLIGHT_SOURCE_INVALID'> {
  constructor(message: string) {
    super('FLIGHT_SOURCE_INVALID', message);
  }
}

export function createSource(spec: SourceSpec, deps: SourceFactoryDeps): PositionSource {
  const id = sourceId(spec);
  const now = deps.now ?? Date.now;
  switch (spec.type) {
    case 'nmea-udp':
      return new UdpSource(
        id,
        'nmea',
        { port: spec.port, host: deps.host },
        deps.events(id, 'nmea'),
        now,
        deps.maxDatagramsPerS,
      );
    case 'gdl90-udp':
      return new UdpSource(
        id,
        'gdl90',
        { port: spec.port, host: deps.host },
        deps.events(id, 'gdl90'),
        now,
        deps.maxDatagramsPerS,
      );
    case 'arinc429-udp':
      return new UdpSource(
        id,
        'arinc429',
        { port: spec.port, host: deps.host },
        deps.events(id, 'arinc429'),
        now,
        deps.maxDatagramsPerS,
      );
    case 'nmea-file':
      return new NmeaFileSource(id, spec.path, deps.events(id, 'nmea'), now, (e) => deps.logError(id, e));
    case 'replay':
      return new ReplaySource(id, deps.readTrack(spec.path), spec.speed, deps.events(id, 'replay'));
    case 'simulator': {
      const from = deps.airport(spec.from);
      const to = deps.airport(spec.to);
      if (!from || !to) throw new SourceConfigError(`${id}: unknown airport ${from ? spec.to : spec.from}`);
      return new SimulatorSource(id, [from, to], spec.factor, deps.events(id, 'simulator'), deps.onRoute);
    }
  }
}

/** `nmea-udp:10110,replay:/data/track.csv@60,simulator:LHR-SIN@60` -> specs, best first. */
export function parseSourceList(text: string): SourceSpec[] {
  if (!text.trim()) return [];
  return text.split(',').map((entry): SourceSpec => {
    const item = entry.trim();
    const colon = item.indexOf(':');
    const type = item.slice(0, colon);
    const rest = item.slice(colon + 1);
    if (colon < 0 || !rest)
      throw new SourceConfigError(
        `${item}: expected type:argument (nmea-udp:PORT, gdl90-udp:PORT, arinc429-udp:PORT, nmea-file:PATH, replay:PATH[@SPEED], simulator:FROM-TO[@FACTOR])`,
      );
    const port = () => {
      const n = Number(rest);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new SourceConfigError(`${item}: port must be 0-65535`);
      return n;
    };
    const speed = (s: string | undefined) => {
      const n = s === undefined ? 1 : Number(s);
      if (!Number.isFinite(n) || n <= 0 || n > 10_000)
        throw new SourceConfigError(`${item}: speed must be a number in (0, 10000]`);
      return n;
    };
    switch (type) {
      case 'nmea-udp':
      case 'gdl90-udp':
      case 'arinc429-udp':
        return { type, port: port() };
      case 'nmea-file':
        return { type, path: rest };
      case 'replay': {
        const at = rest.lastIndexOf('@');
        return at < 0
          ? { type, path: rest, speed: 1 }
          : { type, path: rest.slice(0, at), speed: speed(rest.slice(at + 1)) };
      }
      case 'simulator': {
        const m = /^([A-Z0-9]{3,4})-([A-Z0-9]{3,4})(?:@([0-9.]+))?$/.exec(rest);
        if (!m) throw new SourceConfigError(`${item}: expected simulator:FROM-TO[@FACTOR] with IATA or ICAO codes`);
        return { type, from: m[1]!, to: m[2]!, factor: speed(m[3]) };
      }
      default:
        throw new SourceConfigError(`${item}: unknown source type ${type}`);
    }
  });
}
