/** Ground configuration from the environment, validated once; a bad value names its variable. */
import path from 'node:path';
import { IfecError } from '@ifec/protocol';
import { z } from 'zod';

const ms = (fallback: number) => z.coerce.number().int().min(0).max(3_600_000).default(fallback);

export const groundConfigSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(8090),
    host: z.string().min(1).default('0.0.0.0'),
    /** PGlite lives here when no DATABASE_URL is set; a generated signing key too. */
    dataDir: z.string().min(1).default('.data/ground'),
    databaseUrl: z.string().url().optional(),
    /** PEM Ed25519 private key that signs publications and downlink bundles (a mounted secret). */
    signingKeyFile: z.string().min(1).optional(),
    /** The same PEM key in the variable itself (a Kubernetes secret as env); wins over the file. */
    signingKeyPem: z
      .string()
      .min(1)
      .includes('PRIVATE KEY', { message: 'a PEM private key (-----BEGIN PRIVATE KEY-----...)' })
      .optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** PostgreSQL connections per process: processes × pool must stay below max_connections. */
    dbPoolMax: z.coerce.number().int().min(1).max(500).default(8),
    /** How long a request waits for a connection (pool full or database unreachable). */
    dbConnectTimeoutMs: ms(5_000),
    /** Longest statement; 0 = none. */
    dbStatementTimeoutMs: ms(30_000),
    /** Longest wait for a row lock (the publication counter, an aircraft's batch queue); 0 = bounded by the statement timeout only. */
    dbLockTimeoutMs: ms(0),
    /** A connection left idle inside a transaction (a hung process holding the publication counter) is cut after this; 0 = never. */
    dbIdleInTransactionTimeoutMs: ms(60_000),
    /** An idle pooled connection is closed after this. */
    dbIdleTimeoutMs: ms(10_000),
    /** /readyz answers from a probe at most this old. */
    readyProbeMs: ms(1_000),
    /** How often a process runs the retention prune (one process at a time fleet-wide); 0 = never. */
    pruneIntervalMs: ms(3_600_000),
    /** PEM RSA private key that opens card data from the aircraft (a mounted secret); made in dataDir when absent. */
    cardKeyFile: z.string().min(1).optional(),
    /** How often a process settles orders from the aircraft (charges, refunds); 0 = never. */
    settleIntervalMs: ms(2_000),
    /** The airline's mail relay for receipts (smtp://host:25, smtps://user:pass@host:465); unset = no receipt is mailed. */
    smtpUrl: z
      .string()
      .url()
      .refine((u) => /^smtps?:$/.test(new URL(u).protocol), 'an smtp:// or smtps:// URL')
      .optional(),
    /** The sender of receipts: an address, or `Name <address>`. */
    receiptFrom: z
      .string()
      .min(3)
      .max(200)
      .regex(/^[^\r\n]*@[^\r\n]*$/, 'an address such as receipts@airline.example, on one line')
      .default('Onboard shop <receipts@ifec.invalid>'),
    /** How often a process mails the receipts of settled orders; 0 = never. */
    receiptIntervalMs: ms(5_000),
  })
  .strict();

type Parsed = z.infer<typeof groundConfigSchema>;
export type GroundConfig = Omit<Parsed, 'signingKeyFile'> & {
  /** Where the key is read from, or created when nothing is configured. */
  signingKeyFile: string;
  /** True when the key comes from configuration (file or variable), false when generated in dataDir. */
  signingKeyConfigured: boolean;
};

const ENV: Record<string, keyof Parsed> = {
  GROUND_PORT: 'port',
  GROUND_HOST: 'host',
  GROUND_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  GROUND_SIGNING_KEY_FILE: 'signingKeyFile',
  GROUND_SIGNING_KEY: 'signingKeyPem',
  GROUND_LOG_LEVEL: 'logLevel',
  GROUND_DB_POOL_MAX: 'dbPoolMax',
  GROUND_DB_CONNECT_TIMEOUT_MS: 'dbConnectTimeoutMs',
  GROUND_DB_STATEMENT_TIMEOUT_MS: 'dbStatementTimeoutMs',
  GROUND_DB_LOCK_TIMEOUT_MS: 'dbLockTimeoutMs',
  GROUND_DB_IDLE_TIMEOUT_MS: 'dbIdleTimeoutMs',
  GROUND_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: 'dbIdleInTransactionTimeoutMs',
  GROUND_READY_PROBE_MS: 'readyProbeMs',
  GROUND_PRUNE_INTERVAL_MS: 'pruneIntervalMs',
  GROUND_CARD_KEY_FILE: 'cardKeyFile',
  GROUND_SETTLE_INTERVAL_MS: 'settleIntervalMs',
  GROUND_SMTP_URL: 'smtpUrl',
  GROUND_RECEIPT_FROM: 'receiptFrom',
  GROUND_RECEIPT_INTERVAL_MS: 'receiptIntervalMs',
};
/** The variables the ground reads, for the README and `ifec-ground config`. */
export const GROUND_ENV_VARS = Object.keys(ENV);

export class GroundConfigError extends IfecError<'CONFIG_INVALID'> {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

export function loadGroundConfig(env: Record<string, string | undefined>): GroundConfig {
  const raw: Record<string, string> = {};
  for (const [name, key] of Object.entries(ENV)) if (env[name] !== undefined && env[name] !== '') raw[key] = env[name]!;
  const parsed = groundConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = Object.entries(ENV).find(([, k]) => k === issue.path[0])?.[0] ?? String(issue.path[0]);
    throw new GroundConfigError(`invalid config: ${name}: ${issue.message}`);
  }
  const dataDir = path.resolve(parsed.data.dataDir);
  return {
    ...parsed.data,
    dataDir,
    signingKeyFile: path.resolve(parsed.data.signingKeyFile ?? path.join(dataDir, 'ground-signing-key.pem')),
    signingKeyConfigured: parsed.data.signingKeyFile !== undefined || parsed.data.signingKeyPem !== undefined,
  };
}
