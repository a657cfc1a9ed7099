/**
 * Position sources on a real appliance: NMEA 0183, GDL90 and ARINC 429 over real UDP sockets
 * on loopback. Good input becomes flight/position; bad checksums, CRCs, parity, garbage and
 * truncated lines are refused and counted in /metrics, and nothing crashes. The best healthy
 * source wins, and a switch is logged and shown in flight/position's source.
 */

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type FlightPosition, flightPosition } from '@ifec/protocol';
import { encodeArinc429Bnr } from '../src/flight/arinc429.ts';
import { encodeGdl90Frame, ownshipReportBytes } from '../src/flight/gdl90.ts';
import { withChecksum } from '../src/flight/nmea.ts';
import { metric, seatClient, startTestAppliance, type TestAppliance, tempDir, waitFor } from './support.ts';

let app: TestAppliance;
let sender: dgram.Socket;
let fileDir: string;
let nmeaFile: string;
const port = (id: string) => app.flight.sources.find((s) => s.id.startsWith(id))!.port!;
/** Metrics label sources by their configured id (here with port 0). */
const idOf = (kind: string) => app.flight.sources.find((s) => s.id.startsWith(kind))!.id;
const send = (to: number, bytes: Buffer | string) =>
  new Promise<void>((resolve, reject) =>
    sender.send(Buffer.from(bytes), to, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
  );
const rejected = (source: string, reason: string) =>
  metric(app, 'ifec_flight_input_rejected_total', { source, reason });
const accepted = (source: string) => metric(app, 'ifec_flight_input_accepted_total', { source });
const flight = async () =>
  (await (await fetch(`${app.url}/api/flight`)).json()) as {
    position: FlightPosition | null;
    sources: { id: string; active: boolean; healthy: boolean }[];
  };

before(async () => {
  // NMEA best, then GDL90, then ARINC 429: ports 0, the test reads the bound ones.
  // And a serial device's byte stream as a file, last: CR, LF and CRLF endings, a torn last line.
  fileDir = tempDir('ifec-nmea-');
  nmeaFile = path.join(fileDir, 'gps.nmea');
  const good = withChecksum('$GPGGA,120000,5128.000,N,00027.000,W,1,08,0.9,25.0,M,46.9,M,,');
  fs.writeFileSync(
    nmeaFile,
    `${good}\r\n${good}\n${good}\r${withChecksum('$GPGGA,1,2').replace('*', '#')}\r\n$GPGGA,12000`,
  );
  app = await startTestAppliance({
    IFEC_FLIGHT_SOURCES: `nmea-udp:0,gdl90-udp:0,arinc429-udp:0,nmea-file:${nmeaFile}`,
    IFEC_FLIGHT_MAX_DATAGRAMS_PER_S: '100',
  });
  sender = dgram.createSocket('udp4');
});

after(async () => {
  sender?.close();
  await app?.stop();
  if (fileDir) fs.rmSync(fileDir, { recursive: true, force: true });
});

const gga = (lat: string, lon: string) => withChecksum(`$GPGGA,123519,${lat},N,${lon},E,1,08,0.9,10668.0,M,46.9,M,,`);

test('NMEA from a serial device or file: every line ending is read; a bad line and a torn last line are refused and counted', async () => {
  const id = idOf('nmea-file');
  await waitFor(async () => (await accepted(id)) === 3, 3000, 'three sentences from the file');
  await waitFor(async () => (await rejected(id, 'truncated')) === 1, 3000, 'the line without a checksum');
  assert.ok(
    app.logLines.some((l) => l.includes('position source switched') && l.includes(id)),
    'the file was the first source with a fix',
  );
});

test('ARINC 429 words over UDP make a fix; bad parity, bad SSM and a torn word are refused and counted', async () => {
  const id = idOf('arinc429');
  const words = [
    encodeArinc429Bnr(0o312, 480),
    encodeArinc429Bnr(0o313, 95),
    encodeArinc429Bnr(0o203, 37000),
    encodeArinc429Bnr(0o213, -56.5),
    encodeArinc429Bnr(0o310, 48.5),
    encodeArinc429Bnr(0o311, 10.25),
  ];
  const datagram = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => {
    datagram.writeUInt32BE(w, i * 4);
  });
  await send(port('arinc429'), datagram);
  const p = await waitFor(
    async () => {
      const f = await flight();
      return f.position?.source === 'arinc429' && f.position;
    },
    3000,
    'a position from ARINC 429 (a better source than the file)',
  );
  assert.ok(Math.abs(p.lat - 48.5) < 0.001 && Math.abs(p.lon - 10.25) < 0.001, `${p.lat},${p.lon}`);
  assert.equal(p.source, 'arinc429');
  assert.ok(Math.abs(p.altitudeM - 37000 * 0.3048) < 1);
  assert.equal(p.outsideAirTempC, -56.5);
  assert.ok(Math.abs(p.groundSpeedMps - (480 * 1852) / 3600) < 0.1);
  assert.equal(p.region, 'DE', 'over Bavaria');
  assert.ok(flightPosition.safeParse(p).success);

  const badParity = Buffer.alloc(4);
  badParity.writeUInt32BE((encodeArinc429Bnr(0o310, 50) ^ 0x400) >>> 0);
  const failed = Buffer.alloc(4);
  failed.writeUInt32BE(encodeArinc429Bnr(0o310, 50, { ssm: 0 }));
  await send(port('arinc429'), badParity);
  await send(port('arinc429'), failed);
  await send(port('arinc429'), Buffer.from([1, 2, 3, 4, 5, 6]));
  await waitFor(
    async () =>
      (await rejected(id, 'parity')) === 1 &&
      (await rejected(id, 'ssm')) === 1 &&
      (await rejected(id, 'truncated')) === 1,
    3000,
    'ARINC refusals counted',
  );
  assert.equal(await accepted(id), 6);
});

test('GDL90 over UDP: the spec heartbeat verifies, an ownship report takes over from ARINC 429, bad CRCs and garbage are counted', async () => {
  const id = idOf('gdl90');
  await send(port('gdl90'), Buffer.from('7E0081 41DBD00802B38B7E'.replace(/ /g, ''), 'hex'));
  await waitFor(async () => (await accepted(id)) === 1, 3000, 'heartbeat accepted');
  const report = encodeGdl90Frame(
    ownshipReportBytes({
      lat: 48.6,
      lon: 10.4,
      pressureAltitudeFt: 37000,
      groundSpeedKt: 470,
      verticalFpm: 0,
      trackDeg: 95,
      airborne: true,
      callsign: 'BA11',
    }),
  );
  await send(port('gdl90'), report);
  const p = await waitFor(
    async () => {
      const f = await flight();
      return f.position?.source === 'gdl90' && f.position;
    },
    3000,
    'GDL90 in use: a better source than ARINC 429',
  );
  assert.ok(Math.abs(p.lat - 48.6) < 0.001);
  assert.ok(
    app.logLines.some((l) => l.includes('position source switched') && l.includes(id)),
    'the switch is logged',
  );
  const bad = Buffer.from(report);
  bad[10] = bad[10]! ^ 0x01;
  await send(port('gdl90'), bad);
  await send(port('gdl90'), Buffer.from('hello, not a frame'));
  await send(port('gdl90'), Buffer.from([0x7e, 0x0a, 0x01, 0x02]));
  await send(
    port('gdl90'),
    encodeGdl90Frame(
      ownshipReportBytes({
        lat: 1,
        lon: 1,
        pressureAltitudeFt: 0,
        groundSpeedKt: 0,
        verticalFpm: 0,
        trackDeg: 0,
        airborne: false,
        traffic: true,
      }),
    ),
  );
  await waitFor(
    async () =>
      (await rejected(id, 'crc')) === 1 &&
      (await rejected(id, 'garbage')) === 1 &&
      (await rejected(id, 'truncated')) === 1,
    3000,
    'GDL90 refusals counted',
  );
  assert.equal(await accepted(id), 3, 'heartbeat, ownship, traffic (parsed and counted, not used)');
  assert.equal((await flight()).position?.lat.toFixed(1), '48.6', 'traffic never moves the ownship');
});

test('NMEA over UDP: sentences split across datagrams and every line ending work; bad ones are counted and skipped, never fatal', async () => {
  const id = idOf('nmea');
  const seat = await seatClient(app, Object.keys(app.credentials.seats)[0]!);
  const positions: FlightPosition[] = [];
  seat.on('message', (topic, payload) => {
    if (topic === 'flight/position') positions.push(JSON.parse(payload.toString()) as FlightPosition);
  });
  await seat.subscribeAsync('flight/position');
  const sentence = gga('4842.000', '01030.000');
  const vtg = withChecksum('$GNVTG,095.0,T,,M,480.0,N,888.9,K,A');
  const rmc = withChecksum('$GNRMC,123519,A,4842.000,N,01030.000,E,480.0,095.0,011226,,,A');
  await send(port('nmea'), `${vtg}\r\n${sentence.slice(0, 20)}`);
  await send(port('nmea'), `${sentence.slice(20)}\r\n`);
  await send(port('nmea'), `${rmc}\n\n${withChecksum('$GLGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1')}\r`);
  await send(
    port('nmea'),
    `${withChecksum('$GAZDA,201530.00,04,07,2002,00,00')}\n${withChecksum('$BDGLL,4842.000,N,01030.000,E,123519,A,A')}\n`,
  );
  const p = await waitFor(
    async () => {
      const f = await flight();
      return f.position?.source === 'nmea' && f.position;
    },
    3000,
    'NMEA in use: the best source',
  );
  assert.ok(Math.abs(p.lat - 48.7) < 1e-6 && Math.abs(p.lon - 10.5) < 1e-6, `${p.lat},${p.lon}`);
  assert.equal(p.sourceId, id, 'crew see which source is in use');
  assert.equal(await accepted(id), 6, 'VTG, GGA, RMC, GSA, ZDA, GLL');
  assert.equal(await rejected(id, 'blank'), 1);

  const badChecksum = sentence.replace(/\*[0-9A-F]{2}$/, (c) => (c === '*00' ? '*01' : '*00'));
  await send(port('nmea'), `${badChecksum}\r\n`);
  await send(port('nmea'), '$GPGGA,123519,4842.0\r\n');
  await send(
    port('nmea'),
    `${withChecksum('$GPXYZ,1,2,3')}\r\n${withChecksum('$QZGGA,123519,4842.000,N,01030.000,E,1,08,0.9,545.4,M,46.9,M,,')}\r\n`,
  );
  await send(port('nmea'), Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a]));
  await send(port('nmea'), `${'$GPGGA'.padEnd(400, 'x')}\r\n`);
  await send(port('nmea'), `${withChecksum('$GPGGA,123519,,,,,0,00,,,M,,M,,')}\r\n`);
  await waitFor(
    async () =>
      (await rejected(id, 'checksum')) === 1 &&
      (await rejected(id, 'truncated')) === 1 &&
      (await rejected(id, 'unknown_type')) === 1 &&
      (await rejected(id, 'talker')) === 1 &&
      (await rejected(id, 'garbage')) === 1 &&
      (await rejected(id, 'too_long')) === 1 &&
      (await rejected(id, 'no_fix')) === 1,
    3000,
    'NMEA refusals by reason',
  );
  // Limits: a datagram too large to be NMEA is refused whole; a flood is cut (this appliance takes 100 datagrams a second per source).
  await send(port('nmea'), Buffer.alloc(9000, 0x24));
  await waitFor(async () => (await rejected(id, 'too_long')) === 2, 3000, 'oversized datagram refused');
  await Promise.all(Array.from({ length: 150 }, () => send(port('nmea'), '\r\n')));
  await waitFor(async () => (await rejected(id, 'rate')) > 0, 3000, 'a flood is cut');
  // Still alive and still publishing at 1 Hz, retained, with the protocol's shape.
  await waitFor(() => positions.length >= 2, 4000, 'flight/position at 1 Hz');
  assert.ok(positions.every((x) => flightPosition.safeParse(x).success));
  assert.equal(positions.at(-1)!.source, 'nmea');
  await seat.endAsync();
});

test('the best source going quiet hands over to the next healthy one, and back when it returns', async () => {
  const arinc = (lat: number, lon: number) => {
    const words = [encodeArinc429Bnr(0o310, lat), encodeArinc429Bnr(0o311, lon)];
    const b = Buffer.alloc(8);
    words.forEach((w, i) => {
      b.writeUInt32BE(w, i * 4);
    });
    return b;
  };
  // NMEA stopped in the previous test; ARINC 429 keeps talking. After 5 s NMEA is not healthy.
  await waitFor(
    async () => {
      await send(port('arinc429'), arinc(47.5, 12));
      const f = await flight();
      return f.position?.source === 'arinc429' && f.sources.find((s) => s.id.startsWith('nmea'))?.healthy === false;
    },
    9000,
    'ARINC 429 in use after NMEA went quiet',
  );
  await send(port('nmea'), `${gga('4830.000', '01200.000')}\r\n`);
  await waitFor(async () => (await flight()).position?.source === 'nmea', 3000, 'NMEA back in use');
  assert.ok((await metric(app, 'ifec_flight_source_switches_total')) >= 3);
});
