/**
 * Policy by airspace on a real appliance with content: a policy signed on the ground arrives
 * by the publication path; when fixes over UDP take the aircraft into an airspace whose policy
 * blocks a title, policy/current says so with the rule, an AirspaceRegulationUpdated record
 * waits in the outbox for the ground, and the key server refuses the title's key (451).
 * Crew set the flight plan; it survives a restart.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type AirspacePolicy, type PolicyCurrent, policyCurrent } from '@ifec/protocol';
import { signBlock } from '@ifec/protocol/node';
import mqtt from 'mqtt';
import { withChecksum } from '../src/flight/nmea.ts';
import {
  basic,
  buildTestLoad,
  crewLogin,
  type MediaTestAppliance,
  makeMediaSource,
  mediaTempDir,
  startMediaAppliance,
  trustedSigner,
} from './media-support.ts';
import { waitFor } from './support.ts';

let work: string;
let dataDir: string;
let app: MediaTestAppliance;
let keyIds: Record<string, string>;
let seatAuth: string;
let groundKey: crypto.KeyObject;
let sender: dgram.Socket;
const groundKeys = crypto.generateKeyPairSync('ed25519');

const env = () => ({
  IFEC_CONTENT_TRUSTED_KEYS: path.join(work, 'trusted.pub.pem'),
  IFEC_RTMP_PORT: '0',
  IFEC_FLIGHT_SOURCES: 'nmea-udp:0',
  IFEC_GROUND_PUBLIC_KEY: groundKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
});

before(async () => {
  work = mediaTempDir();
  dataDir = path.join(work, 'data');
  groundKey = groundKeys.privateKey;
  const source = makeMediaSource(path.join(work, 'source'));
  const signer = trustedSigner(work);
  const load = await buildTestLoad({
    out: path.join(work, 'load'),
    source,
    privateKeyPem: signer.privateKeyPem,
    id: 'XA-FLIGHT-1',
    titles: [{ id: 'night-flight' }, { id: 'open-skies' }],
  });
  keyIds = load.keyIds;
  app = await startMediaAppliance(env(), dataDir);
  const maintenance = await crewLogin(app, 'maintenance');
  const res = await fetch(`${app.url}/api/crew/content-loads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${maintenance}` },
    body: JSON.stringify({ path: load.dir }),
  });
  assert.equal(res.status, 201, await res.text());
  const seatId = Object.keys(app.credentials.seats)[0]!;
  seatAuth = basic(`seat:${seatId}`, app.credentials.seats[seatId]!);
  sender = dgram.createSocket('udp4');
});

after(async () => {
  sender?.close();
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

const fixAt = (lat: number, lon: number) => {
  const dm = (v: number, degDigits: number) => {
    const a = Math.abs(v);
    const d = Math.floor(a);
    return `${String(d).padStart(degDigits, '0')}${((a - d) * 60).toFixed(4).padStart(7, '0')}`;
  };
  const gga = withChecksum(
    `$GPGGA,120000,${dm(lat, 2)},${lat >= 0 ? 'N' : 'S'},${dm(lon, 3)},${lon >= 0 ? 'E' : 'W'},1,10,0.8,11000.0,M,46.9,M,,`,
  );
  const rmc = withChecksum(
    `$GPRMC,120000,A,${dm(lat, 2)},${lat >= 0 ? 'N' : 'S'},${dm(lon, 3)},${lon >= 0 ? 'E' : 'W'},470.0,135.0,011226,,,A`,
  );
  const port = app.flight.sources[0]!.port!;
  return new Promise<void>((resolve, reject) =>
    sender.send(Buffer.from(`${rmc}\r\n${gga}\r\n`), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
  );
};

async function keyStatus(titleId: string): Promise<{ status: number; code?: string; message?: string }> {
  const open = await fetch(`${app.url}/api/playback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: seatAuth },
    body: JSON.stringify({ titleId, device: 'seat' }),
  });
  const body = (await open.json()) as { token?: string; error?: { code: string; message: string } };
  if (!body.token) return { status: open.status, code: body.error?.code, message: body.error?.message };
  const key = await fetch(`${app.url}/api/keys/${keyIds[titleId]}?token=${encodeURIComponent(body.token)}`);
  if (key.ok) return { status: key.status };
  const error = ((await key.json()) as { error: { code: string; message: string } }).error;
  return { status: key.status, code: error.code, message: error.message };
}

const policy: AirspacePolicy = {
  id: 'xa-airspace',
  version: 3,
  regionTags: { FR: ['eu'], DE: ['eu'] },
  defaults: { wifi: true, voip: false, messaging: true, priceZone: 'standard' },
  rules: [
    { id: 'night-flight-not-over-france', when: { regions: ['FR'] }, blockTitles: ['night-flight'] },
    { id: 'eu-voip', when: { tags: ['eu'], minAltitudeM: 3000 }, voip: true },
  ],
};

test('the demo policy holds until the ground sends one; an unsigned or tampered policy is refused', async () => {
  const retained = await new Promise<PolicyCurrent>((resolve, reject) => {
    const c = mqtt.connect(`mqtt://127.0.0.1:${app.mqttPort}`, {
      username: `seat:${Object.keys(app.credentials.seats)[0]}`,
      password: Object.values(app.credentials.seats)[0],
      reconnectPeriod: 0,
    });
    c.on('error', reject);
    c.on('message', (_t, payload) => {
      resolve(JSON.parse(payload.toString()) as PolicyCurrent);
      c.end(true);
    });
    c.on('connect', () => c.subscribe('policy/current'));
  });
  assert.ok(policyCurrent.safeParse(retained).success);
  assert.equal(retained.policyId, 'demo-airspace');

  const publication = {
    kind: 'policy' as const,
    name: 'airspace',
    version: 3,
    aircraftId: null,
    payload: policy as unknown as Record<string, unknown>,
    files: [],
    seq: 1,
    tenantId: 'xa',
    publishedAt: new Date().toISOString(),
  };
  const forged = signBlock(publication, crypto.generateKeyPairSync('ed25519').privateKey);
  await assert.rejects(app.sync.publications.accept([forged]), { code: 'PUBLICATION_SIGNATURE' });
  await app.sync.publications.accept([signBlock(publication, groundKey)]);
  await app.flight.refreshPolicy();
  assert.equal(app.flight.currentPolicy()?.policyId, 'xa-airspace');
});

test('entering an airspace whose policy blocks a title refuses its key with 451, with the rule that made the decision', async () => {
  await fixAt(51.47, -0.46);
  await waitFor(() => app.flight.currentPolicy()?.region === 'GB', 3000, 'over GB');
  assert.deepEqual(await keyStatus('night-flight'), { status: 200 });
  await fixAt(49.5, 1.5);
  const decision = await waitFor(
    () => app.flight.currentPolicy()?.region === 'FR' && app.flight.currentPolicy(),
    3000,
    'over FR',
  );
  assert.deepEqual(decision.blocked, { titles: ['night-flight'], genres: [], rules: ['night-flight-not-over-france'] });
  assert.deepEqual(decision.voip, { value: true, rule: 'eu-voip' });
  const refused = await keyStatus('night-flight');
  assert.equal(refused.status, 451);
  assert.equal(refused.code, 'REGION_BLOCKED');
  assert.match(refused.message!, /night-flight-not-over-france/);
  assert.deepEqual(await keyStatus('open-skies'), { status: 200 }, 'other titles still play');
  // The ground hears of it: AirspaceRegulationUpdated in the outbox, through the journal.
  type Recorded = {
    event: string;
    region: string | null;
    previousRegion: string | null;
    blocked: { titles: string[] };
  };
  // Written through the journal (fdatasync) after the decision: wait for it to land.
  const last = await waitFor(
    async () => {
      const { rows } = await app.store.query<{ data: Recorded }>(
        "SELECT data FROM outbox WHERE kind = 'airspace.regulation-updated' ORDER BY seq",
      );
      const newest = rows.at(-1)?.data;
      return newest?.region === 'FR' && newest;
    },
    3000,
    'AirspaceRegulationUpdated for FR in the outbox',
  );
  assert.equal(last.event, 'AirspaceRegulationUpdated');
  assert.equal(last.region, 'FR');
  assert.equal(last.previousRegion, 'GB');
  assert.deepEqual(last.blocked.titles, ['night-flight']);
  // Over the Channel (international waters): the block lifts.
  await fixAt(50.2, -1.5);
  await waitFor(() => app.flight.currentPolicy()?.region === null, 3000, 'over international waters');
  assert.deepEqual(await keyStatus('night-flight'), { status: 200 });
});

test('crew set the flight plan with their bearer token; it is checked, and kept across a restart', async () => {
  const put = (body: unknown, token?: string) =>
    fetch(`${app.url}/api/crew/flight`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  assert.equal((await put({ origin: 'LHR' })).status, 401);
  const token = await crewLogin(app, 'purser');
  assert.equal((await put({ origin: 'lhr!' }, token)).status, 400);
  const unknown = await put({ destination: 'QQQ' }, token);
  assert.equal(unknown.status, 400);
  assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'UNKNOWN_AIRPORT');
  assert.equal(
    (await put({ flightNumber: 'BA11', origin: 'LHR', destination: 'WSSS', extra: 1 }, token)).status,
    400,
    'unknown fields refused',
  );
  const ok = await put({ flightNumber: 'BA11', origin: 'LHR', destination: 'WSSS' }, token);
  assert.equal(ok.status, 200, await ok.clone().text());
  const flight = async () =>
    (await (await fetch(`${app.url}/api/flight`)).json()) as {
      phase: { flightNumber: string; origin: { icao: string }; destination: { iata: string } };
    };
  assert.deepEqual(
    [(await flight()).phase.flightNumber, (await flight()).phase.origin.icao, (await flight()).phase.destination.iata],
    ['BA11', 'EGLL', 'SIN'],
  );
  await app.stop();
  app = await startMediaAppliance(env(), dataDir);
  const again = await flight();
  assert.deepEqual(
    [again.phase.flightNumber, again.phase.origin.icao, again.phase.destination.iata],
    ['BA11', 'EGLL', 'SIN'],
  );
  assert.equal(
    app.flight.currentPolicy()?.policyId,
    'xa-airspace',
    'the ground policy is still in use after the restart',
  );
});
