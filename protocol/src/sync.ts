/**
 * Appliance <-> ground sync: what both sides must agree on.
 *
 * Uplink: the appliance's outbox is a list of records numbered by the journal's sequence
 * (gaps are normal: not every journalled kind goes to the ground). Records travel in two
 * streams so small critical records (orders, audit, faults) never wait behind statistics;
 * a batch says "these are all the records of this stream with after < seq <= through".
 * The ground stores them once per (aircraft, seq) and acknowledges, per stream, the highest
 * `through` it holds without a gap. A batch on the wire is gzip(JSON of a columnar form):
 * seqs and times delta-encoded, repeated strings dictionary-encoded, one column per field.
 *
 * Downlink: publications (policies, price lists, deny lists, software, content loads), each
 * numbered by the ground and signed with the ground's Ed25519 key.
 *
 * This file holds the schemas only, so a browser may import them; the codec is sync-batch.ts
 * and the signatures sync-signing.ts (Node, on `@ifec/protocol/node`).
 */
import { z } from 'zod';

export const outboxStream = z.enum(['critical', 'bulk']);
export type OutboxStream = z.infer<typeof outboxStream>;
export const OUTBOX_STREAMS: readonly OutboxStream[] = ['critical', 'bulk'];

/** Kinds the ground must see first and that a satcom link carries. Everything else is bulk. */
export const CRITICAL_KINDS: ReadonlySet<string> = new Set(['order', 'cabin.pa', 'seat.fault', 'audit']);
export function streamOfKind(kind: string): OutboxStream {
  return CRITICAL_KINDS.has(kind) ? 'critical' : 'bulk';
}

/** Aircraft ids are tail numbers. */
export const aircraftId = z.string().regex(/^[A-Z0-9-]{2,10}$/, 'an aircraft id (tail number) such as F-HXYZ');
export const seqNumber = z.number().int().nonnegative();

export const outboxRecord = z
  .object({
    seq: z.number().int().positive(),
    kind: z.string().min(1).max(64),
    id: z.string().min(1).max(128),
    at: z.string().min(1),
    data: z.unknown(),
  })
  .strict();
export type OutboxRecord = z.infer<typeof outboxRecord>;

export const MAX_BATCH_RECORDS = 50_000;
/** Largest gzip batch and largest inflated batch either side accepts. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
export const MAX_INFLATED_BATCH_BYTES = 64 * 1024 * 1024;

export const streamCheckpoint = z.object({ critical: seqNumber, bulk: seqNumber }).strict();
export type StreamCheckpoint = z.infer<typeof streamCheckpoint>;

export interface UplinkBatch {
  aircraftId: string;
  stream: OutboxStream;
  after: number;
  through: number;
  /** Records still waiting on the aircraft after this batch (shown as backlog on the ground). */
  pending: number;
  records: OutboxRecord[];
}

/** What the ground answers to a batch and to `GET checkpoint`. */
export const uplinkAck = z
  .object({
    aircraftId,
    acked: streamCheckpoint,
    /** Records of this batch that were new to the ground. */
    stored: z.number().int().nonnegative().optional(),
  })
  .strict();
export type UplinkAck = z.infer<typeof uplinkAck>;

// ---- downlink publications -------------------------------------------------------------

export const publicationKind = z.enum(['policy', 'price-list', 'deny-list', 'software', 'content-load', 'flight-plan']);
export type PublicationKind = z.infer<typeof publicationKind>;
/** Kinds a satcom link carries; software and content loads wait for the gate or a stick. */
export const SATCOM_PUBLICATION_KINDS: ReadonlySet<PublicationKind> = new Set([
  'policy',
  'price-list',
  'deny-list',
  'flight-plan',
]);

export const publicationFile = z
  .object({
    path: z
      .string()
      .min(1)
      .max(512)
      .refine(
        (p) => !p.startsWith('/') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
        'a relative path with no ..',
      ),
    size: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type PublicationFile = z.infer<typeof publicationFile>;

/** What an admin sends to publish (the ground adds seq, publishedAt and the signature). */
export const publicationRequest = z
  .object({
    kind: publicationKind,
    /** e.g. a policy id, a price list's currency, a load id. Newer versions of a name replace older ones. */
    name: z.string().min(1).max(128),
    version: z.number().int().positive(),
    /** One aircraft, or null (the default when absent) for the tenant's whole fleet. */
    aircraftId: aircraftId.nullable().default(null),
    payload: z.record(z.string(), z.unknown()),
    files: z.array(publicationFile).max(100_000).default([]),
  })
  .strict();
export type PublicationRequest = z.infer<typeof publicationRequest>;

export const signatureBlock = z
  .object({ alg: z.literal('Ed25519'), keyId: z.string().regex(/^[0-9a-f]{64}$/), value: z.string().min(1) })
  .strict();
export type SignatureBlock = z.infer<typeof signatureBlock>;

export const publication = publicationRequest
  .extend({
    seq: z.number().int().positive(),
    tenantId: z.string().min(1),
    publishedAt: z.string().min(1),
    signature: signatureBlock,
  })
  .strict();
export type Publication = z.infer<typeof publication>;

/** The ground's answer to `GET /v1/aircraft/:id/downlink?after=n`. */
export const downlinkPage = z
  .object({
    aircraftId,
    acked: streamCheckpoint,
    publications: z.array(publication),
    /** The highest publication seq for this aircraft; the page is complete when the last item reaches it. */
    head: z.number().int().nonnegative(),
  })
  .strict();
export type DownlinkPage = z.infer<typeof downlinkPage>;

// ---- sync status (MQTT sync/status, GET /api/crew/sync) --------------------------------

export const linkKind = z.enum(['gate', 'satcom', 'none']);
export type LinkKind = z.infer<typeof linkKind>;

export const syncStatus = z
  .object({
    aircraftId,
    link: linkKind,
    state: z.enum(['offline', 'uploading', 'downloading', 'idle', 'backing-off', 'budget-exhausted']),
    outboxHead: z.number().int().nonnegative(),
    acked: streamCheckpoint,
    backlog: streamCheckpoint,
    downlinkApplied: z.number().int().nonnegative(),
    satcomBytesUsed: z.number().int().nonnegative(),
    satcomBudgetBytes: z.number().int().nonnegative(),
    lastContactAt: z.string().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    at: z.string(),
  })
  .strict();
export type SyncStatus = z.infer<typeof syncStatus>;

/** GET /api/crew/sync: what the maintenance screen shows at the top. */
export const syncOverview = z
  .object({
    status: syncStatus,
    lastErrorInWords: z.string().nullable(),
    /** False when the aircraft has no ground URL configured: USB bundles only. */
    linksConfigured: z.boolean(),
    publications: z.array(
      z
        .object({
          seq: z.number().int(),
          kind: z.string(),
          name: z.string(),
          version: z.number().int(),
          state: z.string(),
        })
        .strict(),
    ),
    aircraftId: z.string(),
    /** To register on the ground (`ifec-ground aircraft register`); never the private key. */
    publicKey: z.string(),
    publicKeyFingerprint: z.string(),
  })
  .strict();
export type SyncOverview = z.infer<typeof syncOverview>;

// ---- maintenance at the gate (GET /api/crew/sync/history, USB bundle summaries) ----------

const seqCount = z.number().int().nonnegative();
const seqRange = z.object({ after: seqCount, through: seqCount, records: seqCount }).strict();

/** What an uplink bundle (aircraft -> ground) carries. */
export const uplinkExportSummary = z
  .object({
    aircraftId: z.string(),
    sequence: z.number().int().positive(),
    file: z.string(),
    bytes: seqCount,
    records: seqCount,
    batches: seqCount,
    critical: seqRange,
    bulk: seqRange,
    /** The highest ground publication the aircraft applied: the ground's next downlink bundle starts after it. */
    publicationsAcknowledged: seqCount,
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .strict();
export type UplinkExportSummary = z.infer<typeof uplinkExportSummary>;

/** What importing a downlink bundle (ground -> aircraft) applied. */
export const downlinkImportSummary = z
  .object({
    aircraftId: z.string(),
    sequence: z.number().int().positive(),
    bytes: seqCount,
    /** True when this very bundle was imported before: nothing was applied, and that is not an error. */
    alreadyImported: z.boolean(),
    publications: seqCount,
    /** Publications new to the aircraft (the rest it had already). */
    applied: seqCount,
    files: seqCount,
    acked: z.object({ critical: seqCount, bulk: seqCount }).strict(),
    activated: z.array(
      z
        .object({
          seq: seqCount,
          kind: z.string(),
          name: z.string(),
          version: z.number().int(),
          state: z.string(),
          reason: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type DownlinkImportSummary = z.infer<typeof downlinkImportSummary>;

export const syncHistoryEntry = z
  .object({
    at: z.string(),
    kind: z.enum(['sync', 'bundle-export', 'bundle-import']),
    ok: z.boolean(),
    /** gate, satcom, usb. */
    link: z.string(),
    /** One line in words: what moved, or why it failed. */
    summary: z.string(),
    /** For failures: the code (see SYNC_ERROR_WORDS). */
    code: z.string().optional(),
    /** Identical failures in a row are one entry. */
    repeated: z.number().int().positive().optional(),
  })
  .strict();
export type SyncHistoryEntry = z.infer<typeof syncHistoryEntry>;

export const syncHistory = z.object({ history: z.array(syncHistoryEntry) }).strict();
