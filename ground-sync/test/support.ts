/**
 * Test support on real parts: a ground on PGlite (temp dir) or on the real PostgreSQL
 * (a fresh database per test; skipped with the reason when none answers), a real appliance
 * in-process on loopback, and the link emulator between them.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Logger, pino } from 'pino';
import { loadConfig } from '../../appliance/src/config.ts';
import { CREDENTIALS_FILE } from '../../appliance/src/demo/first-run.ts';
import { type RunningAppliance, startAppliance } from '../../appliance/src/main.ts';
import { loadOrCreateIdentity } from '../../appliance/src/sync/identity.ts';
import { loadGroundConfig } from '../src/config.ts';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import { type RunningGround, startGround } from '../src/main.ts';
import { createTenant } from '../src/tenants/tenants.ts';

export const POSTGRES_ADMIN_URL = process.env.IFEC_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function tempDir(prefix = 'ifec-ground-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const quietLog: Logger = pino({ level: 'silent' });

/** Undefined when PostgreSQL answers; else why the PostgreSQL tests are skipped. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh database, dropped by the returned function. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ifec_test_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestGround extends RunningGround {
  dataDir: string;
  /** Stops the ground and drops its PostgreSQL database. */
  dispose(): Promise<void>;
}

export async function startTestGround(
  store: 'pglite' | 'postgres' = 'pglite',
  dataDir = tempDir(),
): Promise<TestGround> {
  const database = store === 'postgres' ? await freshPostgresDatabase() : undefined;
  const config = loadGroundConfig({
    GROUND_PORT: '0',
    GROUND_HOST: '127.0.0.1',
    GROUND_DATA_DIR: dataDir,
    DATABASE_URL: database?.url,
  });
  const ground = await startGround(config, quietLog);
  return {
    ...ground,
    dataDir,
    async dispose() {
      await ground.stop();
      await database?.drop();
    },
  };
}

export async function tenantWithKey(ground: RunningGround, tenantId: string): Promise<string> {
  return (await createTenant(ground.db, tenantId, tenantId.toUpperCase())).apiKey;
}

export interface TestAircraft {
  app: RunningAppliance;
  dataDir: string;
  url: string;
  aircraftId: string;
}

export function applianceEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    IFEC_HTTP_PORT: '0',
    IFEC_MQTT_PORT: '0',
    IFEC_RTMP_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DATA_DIR: dataDir,
    IFEC_LOG_LEVEL: 'silent',
    IFEC_SYNC_INTERVAL_MS: '100',
    IFEC_SYNC_BACKOFF_MS: '20',
    ...extra,
  };
}

/**
 * An appliance whose key is registered on the ground (for `tenantId`) before it starts, so its
 * first sync pass is already authenticated. `links` are IFEC_GROUND_URL / IFEC_GROUND_SATCOM_URL.
 */
export async function startTestAircraft(
  ground: RunningGround | undefined,
  tenantId: string | undefined,
  tailNumber: string,
  env: Record<string, string> = {},
  dataDir = tempDir('ifec-aircraft-'),
): Promise<TestAircraft> {
  const identity = loadOrCreateIdentity(dataDir);
  if (ground && tenantId) await registerAircraft(ground.db, tenantId, tailNumber, identity.publicKeyPem);
  if (ground) fs.writeFileSync(path.join(dataDir, 'ground-public-key.pem'), ground.publicKeyPem);
  const config = loadConfig(
    applianceEnv(dataDir, {
      IFEC_TAIL_NUMBER: tailNumber,
      ...(ground ? { IFEC_GROUND_PUBLIC_KEY: path.join(dataDir, 'ground-public-key.pem') } : {}),
      ...env,
    }),
  );
  const app = await startAppliance(config, quietLog);
  return { app, dataDir, url: `http://127.0.0.1:${app.httpPort}`, aircraftId: tailNumber };
}

/** Fills the outbox with `count` bulk records (seat-health summaries), 5,000 per group commit. */
export async function produceSeatHealth(
  app: RunningAppliance,
  count: number,
  startWindow = Date.UTC(2026, 10, 25, 6),
): Promise<void> {
  const seats = ['1A', '1B', '2A', '2B', '3A', '3C', '10F', '31K'];
  for (let done = 0; done < count; ) {
    const n = Math.min(5000, count - done);
    await app.sync.statistics.recordSeatHealth(
      Array.from({ length: n }, (_, i) => {
        const k = done + i;
        return {
          seatId: seats[k % seats.length]!,
          windowStart: new Date(startWindow + Math.floor(k / seats.length) * 600_000).toISOString(),
          windowS: 600,
          onlineS: 600 - (k % 7),
          reboots: k % 97 === 0 ? 1 : 0,
          faults: k % 53 === 0 ? 1 : 0,
          appVersion: '1.4.2',
          lastError: null,
        };
      }),
    );
    done += n;
  }
}

export async function outboxRows(app: RunningAppliance): Promise<{ seq: number; id: string }[]> {
  const { rows } = await app.store.query<{ seq: number; id: string }>(
    'SELECT seq::int AS seq, id FROM outbox ORDER BY seq',
  );
  return rows;
}

export async function groundRows(ground: RunningGround, aircraftId: string): Promise<{ seq: number; id: string }[]> {
  const { rows } = await ground.db.query<{ seq: number; id: string }>(
    'SELECT seq, record_id AS id FROM uplink_records WHERE aircraft_id = $1 ORDER BY seq',
    [aircraftId],
  );
  return rows;
}

export function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        const value = await check();
        if (value) return resolve(value);
      } catch (error) {
        return reject(error);
      }
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    void tick();
  });
}

export async function crewToken(url: string, dataDir: string): Promise<string> {
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as {
    crew: { crewId: string; pin: string; role: string }[];
  };
  const crew = credentials.crew.find((c) => c.role === 'purser') ?? credentials.crew[0]!;
  const res = await fetch(`${url}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }),
  });
  if (!res.ok) throw new Error(`crew login: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
