/**
 * The ground service's composition root: config -> store -> signing key -> HTTP.
 * Stateless over PostgreSQL (run as many as needed); embedded PGlite for one process.
 */
import http from 'node:http';
import path from 'node:path';
import type crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { GroundConfigError, loadGroundConfig, type GroundConfig } from './config.ts';
import { openDatabase, type Database } from './store/database.ts';
import { lockPgliteDir } from './store/pglite-lock.ts';
import { loadOrCreateSigningKey } from './signing-key.ts';
import { createGroundApp } from './http/app.ts';

export interface GroundContext {
  db: Database;
  signingKey: crypto.KeyObject;
  publicKeyPem: string;
  close(): Promise<void>;
}

/** The store and key without HTTP: what the CLI and the server share. */
export async function openGround(config: GroundConfig, log: Logger): Promise<GroundContext> {
  const unlock = config.databaseUrl ? () => {} : lockPgliteDir(config.dataDir);
  try {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, log);
    const { privateKey, publicKeyPem } = loadOrCreateSigningKey(config.signingKeyFile);
    return { db, signingKey: privateKey, publicKeyPem, close: async () => { await db.close(); unlock(); } };
  } catch (error) {
    unlock();
    throw error;
  }
}

export interface RunningGround extends GroundContext {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startGround(config: GroundConfig, log: Logger): Promise<RunningGround> {
  const ground = await openGround(config, log);
  const server = http.createServer(createGroundApp({ db: ground.db, signingKey: ground.signingKey, log }));
  // Over satcom our FIN reaches the aircraft 300 ms late: with Node's 5 s default an aircraft
  // reuses a connection we already closed. Stay open longer than any client keeps one idle.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve((server.address() as AddressInfo).port));
  });
  log.info({ port, store: ground.db.kind }, 'ground sync ready');
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
    server.closeAllConnections();
    await ground.close();
  })());
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return { ...ground, port, url: `http://${host}:${port}`, stop };
}

async function main(): Promise<void> {
  let config: GroundConfig;
  try {
    config = loadGroundConfig(process.env);
  } catch (error) {
    if (error instanceof GroundConfigError) {
      process.stderr.write(`ifec-ground: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ level: config.logLevel, base: { svc: 'ground-sync' } });
  const running = await startGround(config, log);
  process.stdout.write(`ground sync on ${running.url} (store: ${running.db.kind}); ground public key:\n${running.publicKeyPem}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void running.stop().then(() => process.exit(0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
