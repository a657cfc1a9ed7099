/**
 * Appliance configuration: validated once at start from an optional JSON file and the
 * environment (IFEC_*), environment winning. An unknown key or a bad value stops start-up
 * with one line naming the key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IfecError } from '@ifec/protocol';
import { z } from 'zod';
import { parseSourceList } from './flight/sources.ts';

const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z
  .object({
    httpPort: port.default(8080),
    /** MQTT over TCP. 1883 in production; `npm start` sets 18830 so it never meets a local broker. */
    mqttPort: port.default(1883),
    host: z.string().min(1).default('0.0.0.0'),
    dataDir: z.string().min(1).default('/var/lib/ifec'),
    /** Aircraft layout to provision on first start: a built-in name (a320, b789, a380) or a file. */
    aircraft: z.string().min(1).default('a320'),
    tailNumber: z
      .string()
      .regex(/^[A-Z0-9-]{2,10}$/)
      .optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Provision demo crew and write the demo credentials file on first start. */
    demo: z.coerce.boolean().default(false),
    /** Group commit window for the journal: wait this long for more records before one fdatasync. */
    journalGroupCommitMs: z.coerce.number().min(0).max(100).default(2),
    /** A seat silent for longer than this is shown offline on the seat map. */
    seatOfflineAfterS: z.coerce.number().positive().default(30),
    /** Media: PEM files (comma-separated) of the keys a content load may be signed by. */
    contentTrustedKeys: z.string().default(''),
    /** Media: lifetime of a playback session's signed URLs; a player asks again after this. */
    playbackTokenTtlS: z.coerce.number().int().min(10).max(86400).default(900),
    /** Media: with a seat's parental lock on, titles rated for anyone older are refused. */
    parentalLockMaxAge: z.coerce.number().int().min(0).max(21).default(12),
    /** Flight: a fixed region (ISO 3166-1 alpha-2) that overrides the geo engine's live airspace; unset = the airspace below. */
    region: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
    /**
     * Flight: position sources, best first (comma-separated): nmea-udp:PORT, gdl90-udp:PORT, arinc429-udp:PORT,
     * nmea-file:PATH (serial device or file), replay:PATH[@SPEED], simulator:FROM-TO[@FACTOR]. Unset: none (the demo flies LHR-SIN at 60x).
     */
    flightSources: z
      .string()
      .max(2000)
      .default('')
      .superRefine((value, ctx) => {
        try {
          parseSourceList(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
    /** Flight: datagrams per second each UDP position source takes; more are dropped and counted (rate). */
    flightMaxDatagramsPerS: z.coerce.number().int().min(1).max(100_000).default(1000),
    /** Recommendations: personalisation before the passenger chooses (the airline's policy; GDPR wants it off). "false" is false. */
    recommendationsPersonalisedByDefault: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
      .default(false),
    /** Recommendations: the planned flight time, for "fits before landing" until the flight domain gives an ETA. */
    plannedFlightMinutes: z.coerce.number().int().min(1).max(1440).optional(),
    /** Media: RTMP ingest port for live channels. */
    rtmpPort: port.default(1935),
    /** Media: live channel ids (comma-separated). */
    liveChannels: z
      .string()
      .regex(/^([a-z0-9][a-z0-9-]{0,31})(,[a-z0-9][a-z0-9-]{0,31})*$/)
      .default('welcome,news'),
    /** Media: when set, live stream keys derive from this secret instead of the appliance's own. */
    livePublishSecret: z.string().min(16).optional(),
    /** Media: how long a dropped RTMP publisher may reconnect before its channel goes off air. */
    liveReconnectGraceS: z.coerce.number().min(0).max(300).default(5),
    /** Media: the ffmpeg binary that remuxes live channels. */
    ffmpegPath: z.string().min(1).default('ffmpeg'),
    /** Media: memory (MiB) for hot segments of the active load in the HLS origin; 0 = always from disk. */
    originCacheMb: z.coerce.number().int().min(0).max(65536).default(256),
    /**
     * Media: nginx in front of the load files (media/nginx-origin.ts): "auto" (nginx if on PATH), "off" (the Node
     * origin alone), or the nginx binary's path.
     */
    originNginx: z.string().min(1).default('auto'),
    /** Media: the port nginx serves load files on (media playlists name it); 0 = a free port at each start. */
    originNginxPort: port.default(0),
    /** Sync: the ground over a gate link (Wi-Fi/cellular, bulk allowed), e.g. https://ground.example/ ; unset = USB bundles only. */
    groundUrl: z
      .string()
      .url()
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /** Sync: the ground over satcom (critical records only, within the byte budget). */
    groundSatcomUrl: z
      .string()
      .url()
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /** Sync: the ground's Ed25519 public key (PEM text or a file) that publications and downlink bundles must be signed with. */
    groundPublicKey: z.string().min(1).optional(),
    /** Sync: bytes satcom may carry per flight (reset at the next gate contact). */
    syncSatcomBudgetBytes: z.coerce
      .number()
      .int()
      .nonnegative()
      .default(20 * 1024 * 1024),
    /** Sync: pause between passes when caught up. */
    syncIntervalMs: z.coerce.number().int().min(10).default(30_000),
    /** Sync: first backoff after a failure (doubles up to a minute, with jitter). */
    syncBackoffMs: z.coerce.number().int().min(1).default(1000),
    /** Sync: records per uplink batch on a gate link (satcom uses at most 2,000). */
    syncBatchRecords: z.coerce.number().int().min(1).max(50_000).default(5000),
    /** Access: hours the first-run credentials file (the only clear copy of PINs and seat secrets) is kept before it is deleted. */
    firstRunCredentialsTtlH: z.coerce.number().min(0).max(720).default(24),
    /** Sessions: how long a seat's pairing code stays valid (a passenger types it within minutes). */
    pairingCodeTtlS: z.coerce.number().min(1).max(900).default(180),
    /** Store: a checkpoint (store copy, journal compacted) once this many records were journalled since the last; bounds a restart's replay. */
    storeCheckpointRecords: z.coerce.number().int().min(100).max(10_000_000).default(5000),
    /** Store: …or once the oldest record not checkpointed is this old, in seconds (0: by records only). */
    storeCheckpointMaxAgeS: z.coerce.number().int().min(0).max(86_400).default(300),
    /** Store: how many directories of stores that would not open (pglite.broken-*) are kept for a post-mortem. */
    storeKeepBroken: z.coerce.number().int().min(0).max(100).default(2),
    /** Updates: the software repository's root.json this unit trusts first (installed when flashed); later roots come signed by it. */
    updatesTrustedRoot: z.string().min(1).optional(),
    /** Shop: orders one seat may place in a burst before it is slowed to one per 3 s. */
    shopOrderBurst: z.coerce.number().int().min(1).max(100_000).default(20),
  })
  .strict();

export type ApplianceConfig = z.infer<typeof configSchema>;

const ENV_KEYS: Record<string, keyof ApplianceConfig> = {
  IFEC_HTTP_PORT: 'httpPort',
  IFEC_MQTT_PORT: 'mqttPort',
  IFEC_HOST: 'host',
  IFEC_DATA_DIR: 'dataDir',
  IFEC_AIRCRAFT: 'aircraft',
  IFEC_TAIL_NUMBER: 'tailNumber',
  IFEC_LOG_LEVEL: 'logLevel',
  IFEC_DEMO: 'demo',
  IFEC_JOURNAL_GROUP_COMMIT_MS: 'journalGroupCommitMs',
  IFEC_SEAT_OFFLINE_AFTER_S: 'seatOfflineAfterS',
  IFEC_GROUND_URL: 'groundUrl',
  IFEC_GROUND_SATCOM_URL: 'groundSatcomUrl',
  IFEC_GROUND_PUBLIC_KEY: 'groundPublicKey',
  IFEC_SYNC_SATCOM_BUDGET_BYTES: 'syncSatcomBudgetBytes',
  IFEC_SYNC_INTERVAL_MS: 'syncIntervalMs',
  IFEC_SYNC_BACKOFF_MS: 'syncBackoffMs',
  IFEC_SYNC_BATCH_RECORDS: 'syncBatchRecords',
  IFEC_CONTENT_TRUSTED_KEYS: 'contentTrustedKeys',
  IFEC_PLAYBACK_TOKEN_TTL_S: 'playbackTokenTtlS',
  IFEC_PARENTAL_LOCK_MAX_AGE: 'parentalLockMaxAge',
  IFEC_REGION: 'region',
  IFEC_FLIGHT_SOURCES: 'flightSources',
  IFEC_FLIGHT_MAX_DATAGRAMS_PER_S: 'flightMaxDatagramsPerS',
  IFEC_RECOMMENDATIONS_PERSONALISED_BY_DEFAULT: 'recommendationsPersonalisedByDefault',
  IFEC_PLANNED_FLIGHT_MINUTES: 'plannedFlightMinutes',
  IFEC_RTMP_PORT: 'rtmpPort',
  IFEC_LIVE_CHANNELS: 'liveChannels',
  IFEC_LIVE_PUBLISH_SECRET: 'livePublishSecret',
  IFEC_LIVE_RECONNECT_GRACE_S: 'liveReconnectGraceS',
  IFEC_FFMPEG: 'ffmpegPath',
  IFEC_ORIGIN_CACHE_MB: 'originCacheMb',
  IFEC_ORIGIN_NGINX: 'originNginx',
  IFEC_ORIGIN_NGINX_PORT: 'originNginxPort',
  IFEC_PAIRING_CODE_TTL_S: 'pairingCodeTtlS',
  IFEC_FIRST_RUN_CREDENTIALS_TTL_H: 'firstRunCredentialsTtlH',
  IFEC_STORE_CHECKPOINT_RECORDS: 'storeCheckpointRecords',
  IFEC_STORE_CHECKPOINT_MAX_AGE_S: 'storeCheckpointMaxAgeS',
  IFEC_STORE_KEEP_BROKEN: 'storeKeepBroken',
  IFEC_UPDATES_TRUSTED_ROOT: 'updatesTrustedRoot',
  IFEC_SHOP_ORDER_BURST: 'shopOrderBurst',
};
/** Read by this module itself, not a setting. */
const CONFIG_FILE_KEY = 'IFEC_CONFIG';

export class ConfigError extends IfecError<'CONFIG_INVALID'> {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/** Builds the config from an environment (process.env in production, a plain object in tests). */
export function loadConfig(env: Record<string, string | undefined>): ApplianceConfig {
  const raw: Record<string, unknown> = {};
  const file = env[CONFIG_FILE_KEY];
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`config file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    try {
      Object.assign(raw, JSON.parse(text));
    } catch {
      throw new ConfigError(`config file ${file}: not valid JSON`);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('IFEC_') || name === CONFIG_FILE_KEY || value === undefined) continue;
    const key = ENV_KEYS[name];
    if (!key) throw new ConfigError(`unknown config key ${name} (known: ${Object.keys(ENV_KEYS).join(', ')})`);
    raw[key] = key === 'demo' ? value === '1' || value === 'true' : value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const envName = Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0];
    const where =
      issue.code === 'unrecognized_keys'
        ? `unknown config key ${issue.keys.join(', ')}`
        : `${envName ?? key}: ${issue.message}`;
    throw new ConfigError(`invalid config: ${where}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}
