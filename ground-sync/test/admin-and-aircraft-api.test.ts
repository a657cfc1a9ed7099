/**
 * The ground's HTTP APIs on a real PGlite ground: tenant isolation (airline B's admin can
 * never see or touch airline A's aircraft or data), the OpenAPI document, and bad input from
 * an aircraft (garbage, wrong JSON, wrong signature) answered with a precise 4xx, nothing stored.
 */

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import test, { after, before } from 'node:test';
import zlib from 'node:zlib';
import { mountedRoutes, openApiPath } from '@ifec/http-kit';
import type { OutboxRecord } from '@ifec/protocol';
import { encodeBatch, signAircraftRequest } from '@ifec/protocol/node';
import { createGroundApp } from '../src/http/app.ts';
import { quietLog, startTestGround, type TestGround, tenantWithKey } from './support.ts';

let ground: TestGround;
let keyA: string;
let keyB: string;
const aircraftKey = crypto.generateKeyPairSync('ed25519');
const pem = aircraftKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const admin = (key: string, method: string, path: string, body?: unknown) =>
  fetch(`${ground.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });

const aircraftCall = (method: string, path: string, body?: Buffer, key = aircraftKey.privateKey, id = 'F-HAAA') =>
  fetch(`${ground.url}${path}`, {
    method,
    headers: {
      authorization: signAircraftRequest(id, key, method, path, body),
      'content-type': 'application/octet-stream',
    },
    body: body ? new Uint8Array(body) : undefined,
  });

const records = (from: number, n: number): OutboxRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    seq: from + i,
    kind: 'seat.fault',
    id: `fault-${from + i}`,
    at: new Date(Date.UTC(2026, 10, 25, 8, 0, i)).toISOString(),
    data: { seatId: '12A', code: 'SCREEN', message: 'no video' },
  }));

async function heldBy(aircraftId: string): Promise<number> {
  return (
    await ground.db.query<{ n: number }>('SELECT count(*)::int AS n FROM uplink_records WHERE aircraft_id = $1', [
      aircraftId,
    ])
  ).rows[0]!.n;
}

before(async () => {
  ground = await startTestGround('pglite');
  keyA = await tenantWithKey(ground, 'air-a');
  keyB = await tenantWithKey(ground, 'air-b');
  const res = await admin(keyA, 'POST', '/admin/v1/aircraft', { aircraftId: 'F-HAAA', publicKey: pem });
  assert.equal(res.status, 201);
  const ok = await aircraftCall(
    'POST',
    '/v1/aircraft/F-HAAA/batches',
    encodeBatch({ aircraftId: 'F-HAAA', stream: 'critical', after: 0, through: 5, pending: 0, records: records(1, 5) }),
  );
  assert.equal(ok.status, 200, await ok.clone().text());
});
after(async () => {
  await ground.dispose();
});

test("airline B's admin cannot read, publish to, export for, or take over airline A's aircraft", async () => {
  const listA = (await (await admin(keyA, 'GET', '/admin/v1/aircraft')).json()) as {
    aircraft: { aircraftId: string; recordsHeld: number }[];
  };
  assert.deepEqual(
    listA.aircraft.map((a) => [a.aircraftId, a.recordsHeld]),
    [['F-HAAA', 5]],
  );
  const listB = (await (await admin(keyB, 'GET', '/admin/v1/aircraft')).json()) as { aircraft: unknown[] };
  assert.deepEqual(listB.aircraft, []);

  for (const [method, path, body] of [
    ['GET', '/admin/v1/aircraft/F-HAAA', undefined],
    ['GET', '/admin/v1/aircraft/F-HAAA/records', undefined],
    ['POST', '/admin/v1/aircraft/F-HAAA/bundles', undefined],
    [
      'POST',
      '/admin/v1/publications',
      { kind: 'policy', name: 'geo', version: 1, aircraftId: 'F-HAAA', payload: { wifi: false } },
    ],
  ] as const) {
    const res = await admin(keyB, method, path, body);
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'AIRCRAFT_UNKNOWN');
  }
  const takeOver = await admin(keyB, 'POST', '/admin/v1/aircraft', {
    aircraftId: 'F-HAAA',
    publicKey: crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  assert.equal(takeOver.status, 409);
  // A's records are still readable by A, with A's key unchanged.
  const mine = (await (await admin(keyA, 'GET', '/admin/v1/aircraft/F-HAAA/records')).json()) as {
    records: { id: string }[];
  };
  assert.deepEqual(
    mine.records.map((r) => r.id),
    ['fault-1', 'fault-2', 'fault-3', 'fault-4', 'fault-5'],
  );
  // B's fleet-wide publication never reaches A's aircraft.
  assert.equal(
    (
      await admin(keyB, 'POST', '/admin/v1/publications', {
        kind: 'policy',
        name: 'geo',
        version: 7,
        aircraftId: null,
        payload: { wifi: true },
      })
    ).status,
    201,
  );
  const page = (await (await aircraftCall('GET', '/v1/aircraft/F-HAAA/downlink?after=0')).json()) as {
    publications: unknown[];
  };
  assert.deepEqual(page.publications, []);
  // No key, a wrong key: 401.
  assert.equal((await fetch(`${ground.url}/admin/v1/aircraft`)).status, 401);
  assert.equal((await admin('ifk_wrong', 'GET', '/admin/v1/aircraft')).status, 401);
});

test('the API keys are stored hashed, never in clear', async () => {
  const { rows } = await ground.db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
  assert.ok(rows.length >= 2);
  for (const r of rows) {
    assert.notEqual(r.key_hash, keyA);
    assert.match(r.key_hash, /^[0-9a-f]{64}$/);
  }
});

test('GET /openapi.json describes the admin and aircraft APIs from the zod schemas', async () => {
  const doc = (await (await fetch(`${ground.url}/openapi.json`)).json()) as {
    openapi: string;
    paths: Record<string, unknown>;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };
  assert.equal(doc.openapi, '3.1.0');
  for (const p of [
    '/admin/v1/aircraft',
    '/admin/v1/publications',
    '/admin/v1/retention',
    '/admin/v1/aircraft/{aircraftId}/exported',
    '/readyz',
    '/admin/v1/files/{sha256}',
    '/v1/aircraft/{aircraftId}/batches',
    '/v1/aircraft/{aircraftId}/files/{sha256}',
  ])
    assert.ok(doc.paths[p], p);
  assert.deepEqual(Object.keys(doc.components.schemas.PublicationRequest!.properties!).sort(), [
    'aircraftId',
    'files',
    'kind',
    'name',
    'payload',
    'version',
  ]);
});

test('/openapi.json describes every route the express app mounts, and every error code with its status', async () => {
  const doc = (await (await fetch(`${ground.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    'x-error-status': Record<string, number>;
  };
  const mounted = mountedRoutes(createGroundApp({ db: ground.db, signingKey: ground.signingKey, log: quietLog }));
  assert.ok(mounted.length >= 16, `found only ${mounted.length} routes`);
  assert.deepEqual(
    mounted.filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method]),
    [],
    'describe these in ground-sync/src/http/openapi.ts',
  );
  assert.equal(doc['x-error-status'].AIRCRAFT_NOT_REGISTERED, 401);
  assert.equal(doc['x-error-status'].BUNDLE_REPLAYED, 422);
  assert.match(doc.paths['/v1/aircraft/{aircraftId}/batches']!.post!.responses['413']!.description, /BATCH_TOO_LARGE/);
});

test('bad input from an aircraft gets a precise 4xx and stores nothing', async () => {
  const before = await heldBy('F-HAAA');
  const path = '/v1/aircraft/F-HAAA/batches';
  const cases: [string, Promise<Response>, number, string][] = [
    ['garbage bytes', aircraftCall('POST', path, Buffer.from('not a batch at all')), 400, 'BATCH_NOT_GZIP'],
    ['gzip of broken JSON', aircraftCall('POST', path, zlib.gzipSync('{"v":1,')), 400, 'BATCH_NOT_JSON'],
    [
      'JSON that is not a batch',
      aircraftCall('POST', path, zlib.gzipSync(JSON.stringify({ v: 1, hello: 'world' }))),
      400,
      'BATCH_INVALID',
    ],
    [
      'records out of order',
      aircraftCall(
        'POST',
        path,
        encodeBatch({
          aircraftId: 'F-HAAA',
          stream: 'critical',
          after: 10,
          through: 20,
          pending: 0,
          records: records(5, 3),
        }),
      ),
      400,
      'BATCH_INVALID',
    ],
    [
      'signed by another key',
      aircraftCall(
        'POST',
        path,
        encodeBatch({
          aircraftId: 'F-HAAA',
          stream: 'critical',
          after: 5,
          through: 9,
          pending: 0,
          records: records(6, 3),
        }),
        crypto.generateKeyPairSync('ed25519').privateKey,
      ),
      401,
      'BAD_SIGNATURE',
    ],
    [
      'unsigned',
      fetch(`${ground.url}${path}`, {
        method: 'POST',
        body: new Uint8Array(
          encodeBatch({
            aircraftId: 'F-HAAA',
            stream: 'critical',
            after: 5,
            through: 9,
            pending: 0,
            records: records(6, 3),
          }),
        ),
      }),
      401,
      'AIRCRAFT_AUTH_REQUIRED',
    ],
    [
      "another aircraft's batch",
      aircraftCall(
        'POST',
        path,
        encodeBatch({
          aircraftId: 'F-HBBB',
          stream: 'critical',
          after: 5,
          through: 9,
          pending: 0,
          records: records(6, 3),
        }),
      ),
      403,
      'AIRCRAFT_MISMATCH',
    ],
    [
      'unregistered aircraft',
      aircraftCall('POST', '/v1/aircraft/F-HZZZ/batches', Buffer.from('x'), aircraftKey.privateKey, 'F-HZZZ'),
      401,
      'AIRCRAFT_NOT_REGISTERED',
    ],
  ];
  for (const [what, response, status, code] of cases) {
    const res = await response;
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, status, `${what}: ${JSON.stringify(body)}`);
    assert.equal(body.error.code, code, what);
    assert.ok(body.error.message.length > 5, what);
  }
  assert.equal(await heldBy('F-HAAA'), before, 'nothing stored');
  const status = (await (await admin(keyA, 'GET', '/admin/v1/aircraft/F-HAAA')).json()) as {
    aircraft: { errors: { code: string }[]; acked: { critical: number } };
  };
  assert.equal(status.aircraft.acked.critical, 5);
  assert.ok(
    status.aircraft.errors.some((e) => e.code === 'BAD_SIGNATURE'),
    'the airline sees the refused requests',
  );
  // Bad admin JSON is precise too.
  const badJson = await fetch(`${ground.url}/admin/v1/publications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json' },
    body: '{"kind":',
  });
  assert.equal(badJson.status, 400);
  assert.equal(((await badJson.json()) as { error: { code: string } }).error.code, 'INVALID_JSON');
  const badField = await admin(keyA, 'POST', '/admin/v1/publications', {
    kind: 'firmware',
    name: 'x',
    version: 0,
    aircraftId: null,
    payload: {},
  });
  assert.equal(badField.status, 400);
  assert.match(
    ((await badField.json()) as { error: { message: string } }).error.message,
    /kind.*version|version.*kind/s,
  );
});

test('a replayed batch is harmless: stored once, acknowledged again', async () => {
  const batch = encodeBatch({
    aircraftId: 'F-HAAA',
    stream: 'critical',
    after: 5,
    through: 8,
    pending: 0,
    records: records(6, 3),
  });
  const first = (await (await aircraftCall('POST', '/v1/aircraft/F-HAAA/batches', batch)).json()) as {
    stored: number;
    acked: { critical: number };
  };
  const again = (await (await aircraftCall('POST', '/v1/aircraft/F-HAAA/batches', batch)).json()) as {
    stored: number;
    acked: { critical: number };
  };
  assert.deepEqual([first.stored, first.acked.critical], [3, 8]);
  assert.deepEqual([again.stored, again.acked.critical], [0, 8]);
  // A batch after a gap is kept but not acknowledged until the gap closes.
  const ahead = (await (
    await aircraftCall(
      'POST',
      '/v1/aircraft/F-HAAA/batches',
      encodeBatch({
        aircraftId: 'F-HAAA',
        stream: 'critical',
        after: 10,
        through: 12,
        pending: 0,
        records: records(11, 2),
      }),
    )
  ).json()) as { acked: { critical: number } };
  assert.equal(ahead.acked.critical, 8);
  const gap = (await (
    await aircraftCall(
      'POST',
      '/v1/aircraft/F-HAAA/batches',
      encodeBatch({
        aircraftId: 'F-HAAA',
        stream: 'critical',
        after: 8,
        through: 10,
        pending: 0,
        records: records(9, 2),
      }),
    )
  ).json()) as { acked: { critical: number } };
  assert.equal(gap.acked.critical, 12);
  assert.equal(await heldBy('F-HAAA'), 12);
});
