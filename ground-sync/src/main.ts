/**
 * The ground service's composition root: config -> store -> signing key -> HTTP.
 * Stateless over PostgreSQL (run as many as needed, all with the same signing key); embedded
 * PGlite for one process. The port opens before the store: /healthz answers at once (the
 * process lives), /readyz only once migrations ran and while the database answers.
 */

import type crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { type Logger, pino } from 'pino';
import { CardKey } from './commerce/card-key.ts';
import { SandboxAcquirer } from './commerce/gateway.ts';
import { settlementRouter } from './commerce/http.ts';
import { domainOf, ReceiptMailer, smtpRelay } from './commerce/receipts.ts';
import { Settlement } from './commerce/settlement.ts';
import { type GroundConfig, GroundConfigError, loadGroundConfig } from './config.ts';
import { createGroundApp } from './http/app.ts';
import { pruneRetained } from './retention/retention.ts';
import { claimSigningKey, resolveSigningKey, SigningKeyError } from './signing-key.ts';
import { type Database, openDatabase } from './store/database.ts';
import { lockPgliteDir } from './store/pglite-lock.ts';

export interface GroundContext {
  db: Database;
  signingKey: crypto.KeyObject;
  publicKeyPem: string;
  keyFingerprint: string;
  close(): Promise<void>;
}

/** The store and key without HTTP: what the CLI and the server share. */
/**
 * `claimKey: false` for commands that sign nothing (tenant, key, aircraft, prune, bundle
 * import): they must not claim a fresh database for a key of their own.
 */
export async function openGround(
  config: GroundConfig,
  log: Logger,
  options: { claimKey?: boolean } = {},
): Promise<GroundContext> {
  const unlock = config.databaseUrl ? () => {} : lockPgliteDir(config.dataDir);
  let db: Database | undefined;
  try {
    // Resolved first so a bad key file fails before any connection is made.
    const key = resolveSigningKey({
      pem: config.signingKeyPem,
      file: config.signingKeyFile,
      configured: config.signingKeyConfigured,
    });
    db = await openDatabase(
      {
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        pool: {
          max: config.dbPoolMax,
          connectTimeoutMs: config.dbConnectTimeoutMs,
          statementTimeoutMs: config.dbStatementTimeoutMs,
          lockTimeoutMs: config.dbLockTimeoutMs,
          idleTimeoutMs: config.dbIdleTimeoutMs,
          idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
        },
      },
      log,
    );
    if (options.claimKey !== false) {
      await claimSigningKey(db, key);
      key.persist();
    }
    const opened = db;
    return {
      db: opened,
      signingKey: key.privateKey,
      publicKeyPem: key.publicKeyPem,
      keyFingerprint: key.fingerprint,
      close: async () => {
        await opened.close();
        unlock();
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    unlock();
    throw error;
  }
}

export interface RunningGround extends GroundContext {
  /** Charges and refunds the aircraft's orders (tests run a pass with runOnce). */
  settlement: Settlement;
  /** Mails the receipts of settled orders (tests run a pass with runOnce). */
  receipts: ReceiptMailer;
  cardKey: CardKey;
  port: number;
  url: string;
  stop(): Promise<void>;
}

type Readiness = {
  state: 'starting' | 'ready' | 'stopping';
  probedAt: number;
  reachable: boolean;
  probing?: Promise<void>;
};

export async function startGround(
  config: GroundConfig,
  log: Logger,
  options: { onListening?(url: string): void } = {},
): Promise<RunningGround> {
  const readiness: Readiness = { state: 'starting', probedAt: 0, reachable: false };
  let ground: GroundContext | undefined;
  let inner: express.Express | undefined;
  const outer = express();
  outer.disable('x-powered-by');
  outer.get(
    '/healthz',
    (_req, res) => void res.json({ status: 'ok', state: readiness.state, store: ground?.db.kind ?? null }),
  );
  outer.get('/readyz', async (_req, res) => {
    const ready =
      readiness.state === 'ready' && ground !== undefined && (await probe(ground.db, readiness, config.readyProbeMs));
    res.status(ready ? 200 : 503).json({
      ready,
      state: readiness.state,
      database: readiness.state === 'ready' ? (readiness.reachable ? 'reachable' : 'unreachable') : 'not-open',
    });
  });
  outer.use((req, res, next) => {
    if (inner) return void inner(req, res, next);
    res
      .status(503)
      .set('retry-after', '1')
      .json({
        error: {
          code: 'GROUND_NOT_READY',
          message: `the ground is ${readiness.state === 'starting' ? 'starting (migrations)' : 'stopping'}; retry`,
        },
      });
  });
  const server = http.createServer(outer);
  // Over satcom our FIN reaches the aircraft 300 ms late: with Node's 5 s default an aircraft
  // reuses a connection we already closed. Stay open longer than any client keeps one idle.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve((server.address() as AddressInfo).port));
  });
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  options.onListening?.(url);
  const closeServer = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
    server.closeAllConnections();
  };
  try {
    ground = await openGround(config, log);
  } catch (error) {
    await closeServer();
    throw error;
  }
  const opened = ground;
  const cardKey = CardKey.loadOrCreate(config.cardKeyFile ?? path.join(config.dataDir, 'ground-card-key.pem'));
  const settlement = new Settlement({ db: opened.db, cardKey, gateway: new SandboxAcquirer(opened.db), log });
  const stopSettling = config.settleIntervalMs > 0 ? settlement.start(config.settleIntervalMs) : async () => {};
  // The relay URL may hold a password: it is never logged, only whether one is set.
  const receipts = new ReceiptMailer({
    db: opened.db,
    relay: config.smtpUrl ? smtpRelay(config.smtpUrl, config.receiptFrom) : undefined,
    domain: domainOf(config.receiptFrom),
    log,
  });
  if (!config.smtpUrl) log.info('no mail relay (GROUND_SMTP_URL unset): receipts are not e-mailed');
  const stopReceipts =
    config.smtpUrl && config.receiptIntervalMs > 0
      ? receipts.start(config.receiptIntervalMs)
      : async () => receipts.close();
  inner = createGroundApp({
    db: opened.db,
    signingKey: opened.signingKey,
    log,
    commerce: settlementRouter(opened.db, settlement, cardKey),
  });
  readiness.state = 'ready';
  const pruner =
    config.pruneIntervalMs > 0
      ? setInterval(() => {
          pruneRetained(opened.db).then(
            (r) => r.records && log.info(r, 'retention pruned'),
            (error) => log.warn({ err: error }, 'retention prune failed'),
          );
        }, config.pruneIntervalMs).unref()
      : undefined;
  log.info({ port, store: opened.db.kind, key: opened.keyFingerprint.slice(0, 16) }, 'ground sync ready');
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      readiness.state = 'stopping';
      clearInterval(pruner);
      await closeServer();
      await stopSettling();
      await stopReceipts();
      await opened.close();
    })());
  return { ...opened, settlement, receipts, cardKey, port, url, stop };
}

/** One `SELECT 1` at most every `maxAgeMs`, bounded in time, shared by concurrent probes. */
async function probe(db: Database, readiness: Readiness, maxAgeMs: number): Promise<boolean> {
  if (Date.now() - readiness.probedAt >= maxAgeMs) {
    readiness.probing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          db.query('SELECT 1'),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('probe timed out')), 2000);
          }),
        ]);
        readiness.reachable = true;
      } catch {
        readiness.reachable = false;
      } finally {
        clearTimeout(timer);
        readiness.probedAt = Date.now();
        readiness.probing = undefined;
      }
    })();
    await readiness.probing;
  }
  return readiness.reachable;
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
  let running: RunningGround;
  try {
    running = await startGround(config, log);
  } catch (error) {
    if (error instanceof SigningKeyError) {
      process.stderr.write(`ifec-ground: refused: ${error.code}: ${error.message}\n`);
      process.exit(3);
    }
    throw error;
  }
  process.stdout.write(
    `ground sync on ${running.url} (store: ${running.db.kind}); ground public key:\n${running.publicKeyPem}`,
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void running.stop().then(() => process.exit(0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
