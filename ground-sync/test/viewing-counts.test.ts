/**
 * The ground's viewing-count table on a real ground (PGlite) and a real appliance over the
 * link: seats report what they play, the appliance's statistics close each viewing with the
 * route, the region below and the local hour (from its flight domain: a crew flight plan and
 * NMEA fixes over UDP), the outbox carries them up, and the ground adds each count to
 * viewing_counts in the transaction that acknowledges it. Malformed counts stay out of the
 * table. The model trained from the table has the route's and the region's priors.
 */

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import test, { after, before } from 'node:test';
import { recoModel } from '@ifec/protocol';
import { withChecksum } from '../../appliance/src/flight/nmea.ts';
import { trainFromStore } from '../src/recommendations/model-file.ts';
import { trainingInputFromStore } from '../src/recommendations/viewing-counts.ts';
import { ingestBatch } from '../src/uplink/ingest.ts';
import {
  crewToken,
  startTestAircraft,
  startTestGround,
  type TestAircraft,
  type TestGround,
  tempDir,
  tenantWithKey,
  waitFor,
} from './support.ts';

const TAIL = 'JA-VCNT';
let ground: TestGround;
let aircraft: TestAircraft;

/** One GNSS epoch (RMC + GGA) over Tokyo Bay at cruise. */
function epochOverJapan(at = new Date()): Buffer {
  const hms = at.toISOString().slice(11, 19).replaceAll(':', '');
  const iso = at.toISOString();
  const dmy = `${iso.slice(8, 10)}${iso.slice(5, 7)}${iso.slice(2, 4)}`;
  const rmc = withChecksum(`$GPRMC,${hms},A,3541.0000,N,13946.0000,E,470.0,45.0,${dmy},,,A`);
  const gga = withChecksum(`$GPGGA,${hms},3541.0000,N,13946.0000,E,1,10,0.8,11000.0,M,46.9,M,,`);
  return Buffer.from(`${rmc}\r\n${gga}\r\n`);
}

before(async () => {
  ground = await startTestGround('pglite');
  await tenantWithKey(ground, 'air-vc');
  aircraft = await startTestAircraft(ground, 'air-vc', TAIL, {
    IFEC_GROUND_URL: ground.url,
    IFEC_FLIGHT_SOURCES: 'nmea-udp:0',
  });
});
after(async () => {
  await aircraft?.app.stop();
  await ground?.dispose();
});

test('viewing counts the appliance sends land in viewing_counts with route, region and hour; the model trains from the table', async () => {
  const app = aircraft.app;
  // The flight: crew's plan (route) and a fix over Japan (region and local hour below).
  const token = await crewToken(aircraft.url, aircraft.dataDir);
  const put = await fetch(`${aircraft.url}/api/crew/flight`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ flightNumber: 'JL44', origin: 'LHR', destination: 'HND' }),
  });
  assert.equal(put.status, 200, await put.clone().text());
  const port = app.flight.sources.find((s) => s.id.startsWith('nmea-udp:'))!.port!;
  const udp = dgram.createSocket('udp4');
  try {
    await waitFor(
      async () => {
        await new Promise<void>((resolve, reject) =>
          udp.send(epochOverJapan(), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
        );
        const c = app.flight.viewingContext();
        return c.region === 'JP' && c.hour !== undefined && c;
      },
      30_000,
      'the flight domain placing the aircraft over Japan',
    );
  } finally {
    udp.close();
  }
  const context = app.flight.viewingContext();
  assert.equal(context.route, 'LHR-HND');

  // Two seats play, then stop: the statistics close each viewing and journal it for the ground.
  const health = (playing: string | null) => ({ appVersion: '1.0.0', uptimeS: 100, playing });
  app.sync.onSeatHealth('12A', health('film-a'));
  app.sync.onSeatHealth('31K', health('film-b'));
  // Watched for a couple of seconds (a count of 0 s weighs nothing in training).
  const started = Date.now();
  await waitFor(() => Date.now() - started >= 2000, 10_000, 'two seconds of viewing');
  app.sync.onSeatHealth('12A', health('film-a'));
  app.sync.onSeatHealth('31K', health('film-b'));
  app.sync.onSeatHealth('12A', health(null));
  app.sync.onSeatHealth('31K', health(null));
  await app.sync.flight.flush();
  app.sync.service.wake();
  const rows = await waitFor(
    async () => {
      const { rows } = await ground.db.query<{
        title_id: string;
        cabin_class: string;
        route: string | null;
        region: string | null;
        hour: number | null;
        flight_id: string | null;
      }>(
        'SELECT title_id, cabin_class, route, region, hour, flight_id FROM viewing_counts WHERE aircraft_id = $1 ORDER BY title_id',
        [TAIL],
      );
      return rows.length === 2 && rows;
    },
    60_000,
    'two viewing counts in the ground’s table',
  );
  assert.deepEqual(
    rows.map((r) => [r.title_id, r.route, r.region, r.hour]),
    [
      ['film-a', 'LHR-HND', 'JP', context.hour],
      ['film-b', 'LHR-HND', 'JP', context.hour],
    ],
  );
  assert.ok(rows.every((r) => r.flight_id?.startsWith(`${TAIL}@`)));

  // The model from the table: the route's and the region's priors name what was watched.
  const input = await trainingInputFromStore(ground.db, 'air-vc');
  assert.deepEqual(input.catalogue, ['film-a', 'film-b']);
  const out = path.join(tempDir('ifec-reco-'), 'model.json');
  const report = await trainFromStore(ground.db, 'air-vc', out, 7, new Date('2026-12-01T00:00:00Z'));
  assert.equal(report.viewings, 2);
  const model = recoModel.parse(JSON.parse(fs.readFileSync(out, 'utf8')));
  assert.equal(model.version, 7);
  assert.equal(model.priors.route['LHR-HND']?.length, 2);
  assert.equal(model.priors.region.JP?.length, 2);
  // Another tenant's training sees none of it.
  assert.equal((await trainingInputFromStore(ground.db, 'someone-else')).counts.length, 0);
});

test('a malformed viewing count is kept as it came but stays out of the table; a re-sent batch adds nothing twice', async () => {
  const { rows: acked } = await ground.db.query<{ acked_bulk: number }>(
    'SELECT acked_bulk::int AS acked_bulk FROM aircraft WHERE aircraft_id = $1',
    [TAIL],
  );
  const after = acked[0]!.acked_bulk;
  const at = new Date().toISOString();
  const batch = {
    aircraftId: TAIL,
    stream: 'bulk' as const,
    after,
    through: after + 4,
    pending: 0,
    records: [
      { seq: after + 1, kind: 'viewing.count', id: 'bad-1', at, data: { titleId: 'film-c', watchedS: 'long' } },
      {
        seq: after + 2,
        kind: 'viewing.count',
        id: 'bad-2',
        at,
        data: { titleId: 'film-c', cabinClass: 'economy', watchedS: 60, completed: false, hour: 99 },
      },
      { seq: after + 3, kind: 'viewing.count', id: 'bad-3', at, data: null },
      {
        seq: after + 4,
        kind: 'viewing.count',
        id: 'good-1',
        at,
        data: { titleId: 'film-c', cabinClass: 'economy', watchedS: 60, completed: false, route: 'LHR-HND' },
      },
    ],
  };
  await ingestBatch(ground.db, batch as never);
  await ingestBatch(ground.db, batch as never);
  const { rows } = await ground.db.query<{ record_id: string }>(
    "SELECT record_id FROM viewing_counts WHERE aircraft_id = $1 AND title_id = 'film-c'",
    [TAIL],
  );
  assert.deepEqual(
    rows.map((r) => r.record_id),
    ['good-1'],
  );
  const raw = await ground.db.query(
    "SELECT record_id FROM uplink_records WHERE aircraft_id = $1 AND record_id LIKE 'bad-%'",
    [TAIL],
  );
  assert.equal(raw.rows.length, 3, 'the raw records are kept as they came');
});
