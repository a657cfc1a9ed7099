/**
 * Interchangeable ground processes on the real PostgreSQL: the signing key comes from
 * configuration and the database remembers it (a process without it, or with another key,
 * refuses with a clear message); /readyz is false while migrations run and while the database
 * is unreachable; pool size and timeouts come from GROUND_DB_*.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import pg from 'pg';
import { runCli } from '../src/cli.ts';
import { GroundConfigError, loadGroundConfig } from '../src/config.ts';
import { startGround } from '../src/main.ts';
import { GROUND_DIR, spawnGround, writeSigningKey } from './fleet-support.ts';
import {
  freshPostgresDatabase,
  POSTGRES_ADMIN_URL,
  postgresUnavailable,
  quietLog,
  tempDir,
  waitFor,
} from './support.ts';

const pgSkip = await postgresUnavailable();

/** Runs `ifec-ground serve` expecting it to refuse: its exit code and output. */
function refusedServe(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(GROUND_DIR, 'src/cli.ts'), 'serve'], {
    cwd: GROUND_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      GROUND_PORT: '0',
      GROUND_HOST: '127.0.0.1',
      GROUND_LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => {
    output += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

test('pool and timeout settings are validated and name the bad variable', () => {
  const c = loadGroundConfig({
    GROUND_DB_POOL_MAX: '20',
    GROUND_DB_STATEMENT_TIMEOUT_MS: '250',
    GROUND_DB_CONNECT_TIMEOUT_MS: '900',
  });
  assert.equal(c.dbPoolMax, 20);
  assert.equal(c.dbStatementTimeoutMs, 250);
  assert.equal(c.signingKeyConfigured, false);
  for (const [name, value] of [
    ['GROUND_DB_POOL_MAX', '0'],
    ['GROUND_DB_POOL_MAX', 'eight'],
    ['GROUND_DB_LOCK_TIMEOUT_MS', '-1'],
    ['GROUND_SIGNING_KEY', 'not a key'],
    ['GROUND_PRUNE_INTERVAL_MS', '1e12'],
  ] as const) {
    assert.throws(
      () => loadGroundConfig({ [name]: value }),
      (e: unknown) => e instanceof GroundConfigError && e.message.startsWith(`invalid config: ${name}:`),
      `${name}=${value}`,
    );
  }
  assert.equal(loadGroundConfig({ GROUND_SIGNING_KEY_FILE: '/run/secrets/key.pem' }).signingKeyConfigured, true);
});

test('on a shared database a process without the signing key, or with another one, refuses; the same key as a variable is accepted', {
  skip: pgSkip,
  timeout: 180_000,
}, async () => {
  const database = await freshPostgresDatabase();
  const dir = tempDir('ifec-fleet-key-');
  const keyFile = path.join(dir, 'key.pem');
  const pem = writeSigningKey(keyFile);
  // An operator creating the tenant first, from a shell without the key, claims nothing.
  const said: string[] = [];
  assert.equal(
    await runCli(
      ['tenant', 'create', 'air-first', 'Air First'],
      { DATABASE_URL: database.url, GROUND_DATA_DIR: path.join(dir, 'cli') },
      (s) => said.push(s),
    ),
    0,
  );
  assert.match(said.join(''), /tenant air-first created/);
  const first = await spawnGround({
    DATABASE_URL: database.url,
    GROUND_SIGNING_KEY_FILE: keyFile,
    GROUND_DATA_DIR: path.join(dir, 'a'),
  });
  try {
    const missing = await refusedServe({ DATABASE_URL: database.url, GROUND_DATA_DIR: path.join(dir, 'b') });
    assert.equal(missing.code, 3, missing.output);
    assert.match(
      missing.output,
      /refused: SIGNING_KEY_REQUIRED: no signing key configured, and this database is already served by ground processes signing with key [0-9a-f]{16}…: give every process that key with GROUND_SIGNING_KEY_FILE/,
    );
    assert.equal(
      fs.existsSync(path.join(dir, 'b', 'ground-signing-key.pem')),
      false,
      'the refused process left no key of its own behind',
    );
    writeSigningKey(path.join(dir, 'other.pem'));
    const other = await refusedServe({
      DATABASE_URL: database.url,
      GROUND_SIGNING_KEY_FILE: path.join(dir, 'other.pem'),
      GROUND_DATA_DIR: path.join(dir, 'c'),
    });
    assert.equal(other.code, 3, other.output);
    assert.match(
      other.output,
      /refused: SIGNING_KEY_MISMATCH: the configured signing key .* is not the key this database's aircraft trust/,
    );
    const absent = await refusedServe({
      DATABASE_URL: database.url,
      GROUND_SIGNING_KEY_FILE: path.join(dir, 'absent.pem'),
      GROUND_DATA_DIR: path.join(dir, 'd'),
    });
    assert.equal(absent.code, 3, absent.output);
    assert.match(absent.output, /SIGNING_KEY_MISSING: GROUND_SIGNING_KEY_FILE .*absent\.pem does not exist/);
    const second = await spawnGround({
      DATABASE_URL: database.url,
      GROUND_SIGNING_KEY: pem,
      GROUND_DATA_DIR: path.join(dir, 'e'),
    });
    try {
      assert.equal((await fetch(`${second.url}/readyz`)).status, 200);
    } finally {
      assert.equal(await second.stop(), 0);
    }
  } finally {
    assert.equal(await first.stop(), 0, first.output());
    await database.drop();
  }
});

test('/readyz is false while migrations run and while the database is unreachable; /healthz stays up', {
  skip: pgSkip,
  timeout: 180_000,
}, async () => {
  const database = await freshPostgresDatabase();
  const dir = tempDir('ifec-fleet-ready-');
  const keyFile = path.join(dir, 'key.pem');
  writeSigningKey(keyFile);
  const name = new URL(database.url).pathname.slice(1);
  // Another process "migrating": it holds the migration lock.
  const migrator = new pg.Client({ connectionString: database.url });
  migrator.on('error', () => undefined);
  await migrator.connect();
  await migrator.query('SELECT pg_advisory_lock(7261001)');
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  const ground = await spawnGround(
    {
      DATABASE_URL: database.url,
      GROUND_SIGNING_KEY_FILE: keyFile,
      GROUND_DATA_DIR: path.join(dir, 'g'),
      GROUND_READY_PROBE_MS: '200',
      GROUND_DB_CONNECT_TIMEOUT_MS: '1000',
    },
    'listening',
  );
  try {
    const starting = await fetch(`${ground.url}/readyz`);
    assert.equal(starting.status, 503);
    assert.deepEqual(await starting.json(), { ready: false, state: 'starting', database: 'not-open' });
    assert.equal((await fetch(`${ground.url}/healthz`)).status, 200, 'alive while it waits');
    const early = await fetch(`${ground.url}/v1/ping`);
    assert.equal(early.status, 503);
    assert.equal(((await early.json()) as { error: { code: string } }).error.code, 'GROUND_NOT_READY');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await fetch(`${ground.url}/readyz`)).status, 503, 'still waiting for the lock');
    await migrator.query('SELECT pg_advisory_unlock(7261001)');
    await migrator.end();
    await waitFor(
      async () => (await fetch(`${ground.url}/readyz`)).status === 200,
      30_000,
      'ready after the migrations',
    );
    assert.equal((await fetch(`${ground.url}/v1/ping`)).status, 200);

    // The database goes away: no new connections, the open ones cut.
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    const down = await waitFor(
      async () => {
        const res = await fetch(`${ground.url}/readyz`);
        return res.status === 503 ? ((await res.json()) as { database: string }) : undefined;
      },
      20_000,
      'not ready while the database is unreachable',
    );
    assert.equal(down.database, 'unreachable');
    assert.equal((await fetch(`${ground.url}/healthz`)).status, 200, 'alive: the process need not be restarted');
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await waitFor(
      async () => (await fetch(`${ground.url}/readyz`)).status === 200,
      20_000,
      'ready again once the database is back',
    );
  } finally {
    assert.equal(await ground.stop(), 0, ground.output());
    await migrator.end().catch(() => undefined);
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await database.drop();
  }
});

test('the pool size and statement timeout from the configuration are what the process uses', {
  skip: pgSkip,
  timeout: 120_000,
}, async () => {
  const database = await freshPostgresDatabase();
  const dir = tempDir('ifec-fleet-pool-');
  const config = loadGroundConfig({
    DATABASE_URL: database.url,
    GROUND_DATA_DIR: dir,
    GROUND_PORT: '0',
    GROUND_HOST: '127.0.0.1',
    GROUND_DB_POOL_MAX: '3',
    GROUND_DB_STATEMENT_TIMEOUT_MS: '400',
    GROUND_DB_LOCK_TIMEOUT_MS: '300',
    GROUND_PRUNE_INTERVAL_MS: '0',
  });
  const ground = await startGround(config, quietLog);
  const watcher = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await watcher.connect();
  try {
    assert.equal(
      (await ground.db.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout,
      '400ms',
    );
    assert.equal((await ground.db.query<{ lock_timeout: string }>('SHOW lock_timeout')).rows[0]!.lock_timeout, '300ms');
    await assert.rejects(ground.db.query('SELECT pg_sleep(2)'), /statement timeout/);
    let most = 0;
    const sleeps = Promise.all(Array.from({ length: 8 }, () => ground.db.query('SELECT pg_sleep(0.2)')));
    const name = new URL(database.url).pathname.slice(1);
    for (let i = 0; i < 8; i++) {
      const { rows } = await watcher.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ifec-ground'",
        [name],
      );
      most = Math.max(most, rows[0]!.n);
      await new Promise((r) => setTimeout(r, 60));
    }
    await sleeps;
    assert.equal(most, 3, 'eight queries at once share three connections');
  } finally {
    await watcher.end();
    await ground.stop();
    await database.drop();
  }
});
