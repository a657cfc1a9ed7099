/**
 * Publications through a fleet ground: two `ifec-ground serve` processes on one PostgreSQL
 * (and one in-process ground on PGlite), 16 concurrent publishers, a publication held open in
 * its transaction while others go on, aircraft polling both processes and aircraft fed by
 * downlink bundles. Every aircraft ends with every publication meant for it, exactly once:
 * a position that only moves forward in commit order never skips one.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import type { Publication, PublicationRequest } from '@ifec/protocol';
import { NEXT_PUBLICATION_SEQ_SQL, publish } from '../src/downlink/publications.ts';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import { resolveSigningKey } from '../src/signing-key.ts';
import { type Database, openPostgres } from '../src/store/database.ts';
import { createTenant } from '../src/tenants/tenants.ts';
import {
  concurrently,
  type GroundProcess,
  holdingDatabase,
  PollingAircraft,
  spawnGround,
  writeSigningKey,
} from './fleet-support.ts';
import { freshPostgresDatabase, postgresUnavailable, startTestGround, tempDir, waitFor } from './support.ts';

const PUBLISHERS = 16;
const EACH = 20;
const POLLERS = 8;
const BUNDLED = 2;
const pgSkip = await postgresUnavailable();

interface Fleet {
  /** Base URLs of the ground processes the aircraft and publishers alternate over. */
  urls: string[];
  db: Database;
  signingKeyPem: string;
  apiKey: string;
}

const request = (i: number, aircraftId: string | null = null): PublicationRequest => ({
  kind: 'policy',
  name: `geo-${i % 7}`,
  version: i + 1,
  aircraftId,
  payload: { i },
  files: [],
});

async function visibleCount(db: Database, tenantId: string): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM publications WHERE tenant_id = $1', [tenantId]))
    .rows[0]!.n;
}

/** The scenario on any fleet: publishers, two held publications, pollers and bundle readers; returns the aircraft. */
async function runScenario(fleet: Fleet, tenantId: string, options: { concurrentStore: boolean }) {
  const groundKeyPem = resolveSigningKey({ pem: fleet.signingKeyPem, file: '', configured: true }).publicKeyPem;
  const aircraft = Array.from(
    { length: POLLERS + BUNDLED },
    (_, i) => new PollingAircraft(`F-HP${String(i).padStart(2, '0')}`, groundKeyPem),
  );
  for (const a of aircraft) await registerAircraft(fleet.db, tenantId, a.aircraftId, a.publicKeyPem);
  const admin = (n: number, method: string, p: string, body?: unknown) =>
    fetch(`${fleet.urls[n % fleet.urls.length]}${p}`, {
      method,
      headers: { authorization: `Bearer ${fleet.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let publishing = true;
  const pollers = aircraft.slice(0, POLLERS).map(async (a, i) => {
    for (let n = i; publishing; n++) {
      await a.poll(fleet.urls[n % fleet.urls.length]!);
      await new Promise((r) => setTimeout(r, 15));
    }
  });
  const bundleDir = tempDir('ifec-fleet-bundles-');
  let bundles = 0;
  const bundleReaders = aircraft.slice(POLLERS).map(async (a, i) => {
    for (let n = i; publishing; n++) {
      const res = await admin(n, 'POST', `/admin/v1/aircraft/${a.aircraftId}/bundles`);
      assert.equal(res.status, 200, await res.clone().text());
      const file = path.join(bundleDir, `${a.aircraftId}-${n}.ifecb`);
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      await a.applyBundle(file, fleet.urls[(n + 1) % fleet.urls.length]!);
      bundles++;
      await new Promise((r) => setTimeout(r, 40));
    }
  });
  const published: Publication[] = [];
  const failures: string[] = [];
  const publishers = concurrently(PUBLISHERS, async (w) => {
    for (let k = 0; k < EACH; k++) {
      const i = w * EACH + k;
      // Every 10th publication is for one aircraft only: the others must neither get it nor stall on it.
      const res = await admin(
        i,
        'POST',
        '/admin/v1/publications',
        request(i, i % 10 === 0 ? aircraft[i % aircraft.length]!.aircraftId : null),
      );
      if (res.status !== 201) failures.push(`${res.status} ${await res.text()}`);
      else published.push(((await res.json()) as { publication: Publication }).publication);
    }
  });

  // Held open before taking a number (the case that lost publication 3 for ever).
  const early = holdingDatabase(fleet.db, 'before-numbering', NEXT_PUBLICATION_SEQ_SQL);
  const earlyDone = publish(
    early.db,
    resolveSigningKey({ pem: fleet.signingKeyPem, file: '', configured: true }).privateKey,
    tenantId,
    request(9001),
  );
  await early.reached;
  if (options.concurrentStore) {
    const beforeEarly = await visibleCount(fleet.db, tenantId);
    await waitFor(
      async () => (await visibleCount(fleet.db, tenantId)) >= beforeEarly + 20,
      30_000,
      'later publications committing while one is held open',
    );
  } else {
    // PGlite has one connection: while a transaction is open every other query waits.
    await new Promise((r) => setTimeout(r, 500));
  }
  early.release();
  published.push(await earlyDone);

  // Held open numbered, just before commit: nobody may become visible after it meanwhile.
  const late = holdingDatabase(fleet.db, 'before-commit', NEXT_PUBLICATION_SEQ_SQL);
  const lateDone = publish(
    late.db,
    resolveSigningKey({ pem: fleet.signingKeyPem, file: '', configured: true }).privateKey,
    tenantId,
    request(9002),
  );
  await late.reached;
  const atLate = options.concurrentStore ? await visibleCount(fleet.db, tenantId) : 0;
  await new Promise((r) => setTimeout(r, 800));
  const duringLate = options.concurrentStore ? await visibleCount(fleet.db, tenantId) : 0;
  late.release();
  published.push(await lateDone);

  await publishers;
  assert.deepEqual(failures, []);
  const head = Math.max(...published.map((p) => p.seq));
  await waitFor(
    () =>
      aircraft.every(
        (a) => a.received.length === published.filter((p) => !p.aircraftId || p.aircraftId === a.aircraftId).length,
      ) || undefined,
    60_000,
    'every aircraft caught up',
  ).catch(() => undefined);
  publishing = false;
  await Promise.all([...pollers, ...bundleReaders]);
  // One last pass each, after the last commit, as a real aircraft would make at its next contact.
  for (const a of aircraft.slice(0, POLLERS)) await a.poll(fleet.urls[0]!);
  return { aircraft, published, head, atLate, duringLate, bundles };
}

function assertEveryoneGotEverything(result: Awaited<ReturnType<typeof runScenario>>) {
  const { aircraft, published } = result;
  assert.equal(published.length, PUBLISHERS * EACH + 2);
  assert.equal(new Set(published.map((p) => p.seq)).size, published.length, 'every publication has its own seq');
  for (const [i, a] of aircraft.entries()) {
    const meant = published
      .filter((p) => !p.aircraftId || p.aircraftId === a.aircraftId)
      .map((p) => p.seq)
      .sort((x, y) => x - y);
    const got = [...a.received].sort((x, y) => x - y);
    const missing = meant.filter((s) => !got.includes(s));
    assert.deepEqual(missing, [], `${a.aircraftId} missed no publication`);
    assert.deepEqual(got, meant, `${a.aircraftId} holds exactly the publications meant for it`);
    if (i < POLLERS) assert.equal(a.duplicates, 0, `${a.aircraftId}: the downlink API sent nothing twice`);
    assert.equal(a.applied, meant.at(-1), `${a.aircraftId}'s checkpoint is its last publication`);
  }
  assert.ok(result.bundles >= BUNDLED * 2, `bundles were exported and applied during publishing (${result.bundles})`);
}

test('two ground processes on PostgreSQL, 16 publishers and held-open publications: every aircraft gets every publication exactly once, over the API and by bundles', {
  skip: pgSkip,
  timeout: 240_000,
}, async () => {
  const database = await freshPostgresDatabase();
  const dir = tempDir('ifec-fleet-pg-');
  const keyFile = path.join(dir, 'signing-key.pem');
  const signingKeyPem = writeSigningKey(keyFile);
  const grounds: GroundProcess[] = [];
  let db: Database | undefined;
  try {
    const env = (n: number) => ({
      DATABASE_URL: database.url,
      GROUND_SIGNING_KEY_FILE: keyFile,
      GROUND_DATA_DIR: path.join(dir, `g${n}`),
    });
    grounds.push(...(await Promise.all([spawnGround(env(1)), spawnGround(env(2))])));
    db = await openPostgres(database.url);
    const { apiKey } = await createTenant(db, 'air-fleet', 'Air Fleet');
    const result = await runScenario({ urls: grounds.map((g) => g.url), db, signingKeyPem, apiKey }, 'air-fleet', {
      concurrentStore: true,
    });
    assert.equal(
      result.duringLate,
      result.atLate,
      'while a numbered publication is uncommitted, no later one becomes visible',
    );
    assertEveryoneGotEverything(result);
  } finally {
    await db?.close();
    for (const g of grounds) assert.equal(await g.stop(), 0, g.output());
    await database.drop();
  }
});

test('one ground on PGlite, 16 publishers and held-open publications: every aircraft gets every publication exactly once, over the API and by bundles', {
  timeout: 240_000,
}, async () => {
  const ground = await startTestGround('pglite');
  try {
    const { apiKey } = await createTenant(ground.db, 'air-lite', 'Air Lite');
    const signingKeyPem = ground.signingKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const result = await runScenario({ urls: [ground.url], db: ground.db, signingKeyPem, apiKey }, 'air-lite', {
      concurrentStore: false,
    });
    assertEveryoneGotEverything(result);
  } finally {
    await ground.dispose();
  }
});
