/**
 * Stands in for the appliance's flight domain in e2e tests and the bench: an MQTT client
 * that logs in as a `service:` principal (password derived from the appliance secret, as the
 * appliance's own processes do) and publishes flight/position, flight/phase and
 * policy/current with protocol's shapes. Every message is checked against the schema before
 * it is sent, so a test cannot feed the seat something the real domain could not publish.
 */

import dgram from 'node:dgram';
import {
  type Airport,
  type FlightPhaseState,
  type FlightPosition,
  flightPhaseState,
  flightPosition,
  type PolicyCurrent,
  policyCurrent,
  topics,
} from '@ifec/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { TokenSigner } from '../../appliance/src/access/tokens.ts';
import { withChecksum } from '../../appliance/src/flight/nmea.ts';
import { bearingDeg, distanceM, interpolate } from '../src/map/geo-math.ts';
import type { Cabin } from './cabin-harness.ts';

export const LHR: Airport = {
  iata: 'LHR',
  icao: 'EGLL',
  name: 'London Heathrow',
  city: 'London',
  lat: 51.4775,
  lon: -0.4614,
  tz: 'Europe/London',
};
export const SIN: Airport = {
  iata: 'SIN',
  icao: 'WSSS',
  name: 'Singapore Changi',
  city: 'Singapore',
  lat: 1.3502,
  lon: 103.9915,
  tz: 'Asia/Singapore',
};

export interface FlightService {
  client: MqttClient;
  publish(topic: string, payload: string, retain?: boolean): Promise<void>;
  phase(state: FlightPhaseState): Promise<void>;
  position(p: FlightPosition): Promise<void>;
  policy(p: PolicyCurrent | null): Promise<void>;
  close(): Promise<void>;
}

export async function flightService(cabin: Cabin, name = 'flight-e2e'): Promise<FlightService> {
  const password = TokenSigner.fromDataDir(cabin.dataDir).derive(`service:${name}`);
  const client = mqtt.connect(`mqtt://127.0.0.1:${cabin.appliance!.mqttPort}`, {
    username: `service:${name}`,
    password,
    clientId: `${name}-${process.pid}`,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  const publish = (topic: string, payload: string, retain = true) =>
    new Promise<void>((resolve, reject) =>
      client.publish(topic, payload, { qos: 1, retain }, (e) => (e ? reject(e) : resolve())),
    );
  return {
    client,
    publish,
    phase: (s) => publish(topics.flightPhase, JSON.stringify(flightPhaseState.parse(s))),
    position: (p) => publish(topics.flightPosition, JSON.stringify(flightPosition.parse(p))),
    policy: (p) => publish(topics.policyCurrent, p ? JSON.stringify(policyCurrent.parse(p)) : ''),
    close: () => new Promise((resolve) => client.end(false, {}, () => resolve())),
  };
}

export function cruisePhase(flightNumber = 'BA11'): FlightPhaseState {
  return {
    phase: 'cruise',
    since: new Date(Date.now() - 3_600_000).toISOString(),
    previous: 'climb',
    flightNumber,
    origin: LHR,
    destination: SIN,
  };
}

/** A fix a fraction f of the way London -> Singapore, at cruise, as the flight domain would publish it. */
export function fixAlong(f: number, over: Partial<FlightPosition> = {}): FlightPosition {
  const a = [LHR.lon, LHR.lat] as const,
    b = [SIN.lon, SIN.lat] as const;
  const here = interpolate(a, b, f);
  const ahead = interpolate(a, b, Math.min(1, f + 0.01));
  const total = distanceM(a, b);
  const toGo = total * (1 - f);
  const gs = 250;
  const now = new Date();
  const time = (offsetMin: number) =>
    new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: 'UTC' }).format(
      new Date(now.getTime() + offsetMin * 60_000),
    );
  return {
    at: now.toISOString(),
    lat: here[1],
    lon: here[0],
    altitudeM: 11_278,
    groundSpeedMps: gs,
    trackDeg: bearingDeg(here, ahead),
    verticalSpeedMps: 0,
    outsideAirTempC: -56,
    quality: 'live',
    source: 'simulator',
    phase: 'cruise',
    region: f < 0.2 ? 'PL' : f < 0.45 ? 'KZ' : f < 0.55 ? 'AF' : f < 0.75 ? 'IN' : null,
    distanceFlownM: total * f,
    distanceToGoM: toGo,
    eta: new Date(now.getTime() + (toGo / gs) * 1000).toISOString(),
    localTimes: {
      origin: { tz: 'Europe/London', time: time(0), utcOffsetMin: 0 },
      destination: { tz: 'Asia/Singapore', time: time(480), utcOffsetMin: 480 },
      below: { tz: 'Asia/Kolkata', time: time(330), utcOffsetMin: 330 },
    },
    ...over,
  };
}

/**
 * One receiver epoch as a GNSS box sends it: RMC (position, speed, track) and GGA (position,
 * altitude) with valid checksums, CR/LF ended, in one datagram. Degrees-minutes to 4 decimals.
 */
export function nmeaEpoch(lat: number, lon: number, at = new Date(), altitudeM = 11_000): Buffer {
  const dm = (v: number, degDigits: number) => {
    const a = Math.abs(v);
    const d = Math.floor(a);
    return `${String(d).padStart(degDigits, '0')}${((a - d) * 60).toFixed(4).padStart(7, '0')}`;
  };
  const hms = at.toISOString().slice(11, 19).replaceAll(':', '');
  const dmy = `${at.toISOString().slice(8, 10)}${at.toISOString().slice(5, 7)}${at.toISOString().slice(2, 4)}`;
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'W';
  const rmc = withChecksum(`$GPRMC,${hms},A,${dm(lat, 2)},${ns},${dm(lon, 3)},${ew},470.0,135.0,${dmy},,,A`);
  const gga = withChecksum(
    `$GPGGA,${hms},${dm(lat, 2)},${ns},${dm(lon, 3)},${ew},1,10,0.8,${altitudeM.toFixed(1)},M,46.9,M,,`,
  );
  return Buffer.from(`${rmc}\r\n${gga}\r\n`);
}

/** A GNSS receiver on the cabin LAN: sends NMEA epochs over UDP to the appliance's `nmea-udp` source. */
export interface GnssSender {
  send(lat: number, lon: number): Promise<void>;
  close(): void;
}

export function gnssSender(cabin: Cabin): GnssSender {
  const source = cabin.appliance?.flight.sources.find((s) => s.id.startsWith('nmea-udp:'));
  const port = source?.port;
  if (!port)
    throw new Error('the appliance has no nmea-udp position source (start it with IFEC_FLIGHT_SOURCES=nmea-udp:0)');
  const socket = dgram.createSocket('udp4');
  return {
    send: (lat, lon) =>
      new Promise<void>((resolve, reject) =>
        socket.send(nmeaEpoch(lat, lon), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      ),
    close: () => socket.close(),
  };
}
