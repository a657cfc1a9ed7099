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
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { z } from 'zod';
import { canonicalJson, publicKeyFingerprint, type KeyInput } from './content-load.ts';
import { describeIssues } from './errors.ts';

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
const seqNumber = z.number().int().nonnegative();

export const outboxRecord = z.object({
  seq: z.number().int().positive(),
  kind: z.string().min(1).max(64),
  id: z.string().min(1).max(128),
  at: z.string().min(1),
  data: z.unknown(),
}).strict();
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
export const uplinkAck = z.object({
  aircraftId,
  acked: streamCheckpoint,
  /** Records of this batch that were new to the ground. */
  stored: z.number().int().nonnegative().optional(),
}).strict();
export type UplinkAck = z.infer<typeof uplinkAck>;

export class SyncFormatError extends Error {
  constructor(readonly code: 'batch-not-gzip' | 'batch-too-large' | 'batch-not-json' | 'batch-invalid', message: string) {
    super(message);
  }
}

// ---- columnar encoding -------------------------------------------------------------

const column = z.union([
  z.object({ n: z.array(z.number()) }).strict(), // integers, delta-encoded
  z.object({ d: z.array(z.string()), x: z.array(z.number().int().nonnegative()) }).strict(), // dictionary
  z.object({ r: z.array(z.unknown()) }).strict(), // raw values
]);
type Column = z.infer<typeof column>;

const encodedBatch = z.object({
  v: z.literal(1),
  a: aircraftId,
  s: outboxStream,
  f: seqNumber,
  t: seqNumber,
  p: z.number().int().nonnegative(),
  k: z.array(z.string().min(1).max(64)),
  ki: z.array(z.number().int().nonnegative()),
  q: z.array(z.number().int()),
  ts: z.array(z.number().int()),
  i: column,
  /** Per kind index: the data objects, one column per field; m lists rows lacking a field. */
  c: z.record(z.string(), z.object({ f: z.array(z.string()), v: z.array(column), m: z.record(z.string(), z.array(z.number().int())).optional() }).strict()),
}).strict();

function encodeColumn(values: unknown[]): Column {
  if (values.length > 0 && values.every((v) => Number.isSafeInteger(v))) {
    let previous = 0;
    return { n: (values as number[]).map((v) => { const d = v - previous; previous = v; return d; }) };
  }
  if (values.length > 0 && values.every((v) => typeof v === 'string')) {
    const dict = new Map<string, number>();
    const x = (values as string[]).map((v) => {
      let index = dict.get(v);
      if (index === undefined) dict.set(v, (index = dict.size));
      return index;
    });
    if (dict.size * 2 <= values.length) return { d: [...dict.keys()], x };
  }
  return { r: values };
}

function decodeColumn(col: Column, length: number, what: string): unknown[] {
  let values: unknown[];
  if ('n' in col) {
    let previous = 0;
    values = col.n.map((d) => (previous += d));
  } else if ('d' in col) {
    values = col.x.map((i) => {
      if (i >= col.d.length) throw new SyncFormatError('batch-invalid', `${what}: dictionary index ${i} out of range`);
      return col.d[i];
    });
  } else values = col.r;
  if (values.length !== length) throw new SyncFormatError('batch-invalid', `${what}: ${values.length} values for ${length} records`);
  return values;
}

/** The bytes that go on the wire (HTTP body or a bundle blob). */
export function encodeBatch(batch: UplinkBatch): Buffer {
  const kinds: string[] = [];
  const kindIndex = new Map<string, number>();
  const ki: number[] = [];
  const byKind = new Map<number, Record<string, unknown>[]>();
  for (const r of batch.records) {
    let k = kindIndex.get(r.kind);
    if (k === undefined) {
      kindIndex.set(r.kind, (k = kinds.length));
      kinds.push(r.kind);
      byKind.set(k, []);
    }
    ki.push(k);
    byKind.get(k)!.push(r.data as Record<string, unknown>);
  }
  const c: z.infer<typeof encodedBatch>['c'] = {};
  for (const [k, rows] of byKind) {
    const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const missing: Record<string, number[]> = {};
    const cols = fields.map((field, fi) => {
      const values = rows.map((row, ri) => {
        if (!(field in row)) (missing[fi] ??= []).push(ri);
        return row[field] ?? null;
      });
      return encodeColumn(values);
    });
    c[k] = { f: fields, v: cols, ...(Object.keys(missing).length ? { m: missing } : {}) };
  }
  let lastSeq = 0;
  let lastAt = 0;
  const encoded: z.infer<typeof encodedBatch> = {
    v: 1, a: batch.aircraftId, s: batch.stream, f: batch.after, t: batch.through, p: batch.pending,
    k: kinds, ki,
    q: batch.records.map((r) => { const d = r.seq - lastSeq; lastSeq = r.seq; return d; }),
    ts: batch.records.map((r) => { const ms = Date.parse(r.at); const d = ms - lastAt; lastAt = ms; return d; }),
    i: encodeColumn(batch.records.map((r) => r.id)),
    c,
  };
  return zlib.gzipSync(JSON.stringify(encoded), { level: 9 });
}

/** Reads and fully checks a wire batch; throws SyncFormatError with a precise reason. */
export function decodeBatch(bytes: Buffer): UplinkBatch {
  if (bytes.length > MAX_BATCH_BYTES) throw new SyncFormatError('batch-too-large', `batch of ${bytes.length} bytes exceeds ${MAX_BATCH_BYTES}`);
  let text: string;
  try {
    text = zlib.gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BATCH_BYTES }).toString('utf8');
  } catch (error) {
    const tooBig = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new SyncFormatError(tooBig ? 'batch-too-large' : 'batch-not-gzip', tooBig ? `batch inflates beyond ${MAX_INFLATED_BATCH_BYTES} bytes` : 'batch is not gzip data');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SyncFormatError('batch-not-json', 'batch is gzip but not JSON');
  }
  const parsed = encodedBatch.safeParse(raw);
  if (!parsed.success) throw new SyncFormatError('batch-invalid', describeIssues(parsed.error));
  const e = parsed.data;
  const n = e.ki.length;
  if (n > MAX_BATCH_RECORDS) throw new SyncFormatError('batch-too-large', `${n} records exceed ${MAX_BATCH_RECORDS}`);
  if (e.q.length !== n || e.ts.length !== n) throw new SyncFormatError('batch-invalid', 'columns of different lengths');
  const ids = decodeColumn(e.i, n, 'ids');
  const rowsOfKind = new Map<number, number>();
  const data: unknown[] = new Array(n);
  const positions = new Map<number, number[]>();
  e.ki.forEach((k, row) => {
    if (k >= e.k.length) throw new SyncFormatError('batch-invalid', `record ${row}: kind index ${k} out of range`);
    rowsOfKind.set(k, (rowsOfKind.get(k) ?? 0) + 1);
    (positions.get(k) ?? positions.set(k, []).get(k)!).push(row);
  });
  for (const [k, rows] of positions) {
    const block = e.c[String(k)];
    if (!block || block.f.length !== block.v.length) throw new SyncFormatError('batch-invalid', `kind ${e.k[k]}: data columns missing`);
    const columns = block.v.map((col, fi) => decodeColumn(col, rows.length, `kind ${e.k[k]} field ${block.f[fi]}`));
    rows.forEach((row, ri) => {
      const obj: Record<string, unknown> = {};
      block.f.forEach((field, fi) => {
        if (!block.m?.[fi]?.includes(ri)) obj[field] = columns[fi]![ri];
      });
      data[row] = obj;
    });
  }
  let seq = 0;
  let at = 0;
  const records: OutboxRecord[] = [];
  for (let row = 0; row < n; row++) {
    seq += e.q[row]!;
    at += e.ts[row]!;
    const id = ids[row];
    const kind = e.k[e.ki[row]!]!;
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) throw new SyncFormatError('batch-invalid', `record ${row}: bad id`);
    if (!(seq > (records.at(-1)?.seq ?? e.f)) || seq > e.t) throw new SyncFormatError('batch-invalid', `record ${row}: seq ${seq} is not increasing inside (${e.f}, ${e.t}]`);
    if (streamOfKind(kind) !== e.s) throw new SyncFormatError('batch-invalid', `record ${row}: kind ${kind} does not belong to the ${e.s} stream`);
    const date = new Date(at);
    if (Number.isNaN(date.getTime())) throw new SyncFormatError('batch-invalid', `record ${row}: bad time`);
    records.push({ seq, kind, id, at: date.toISOString(), data: data[row] });
  }
  if (e.t < e.f) throw new SyncFormatError('batch-invalid', `through ${e.t} is before after ${e.f}`);
  return { aircraftId: e.a, stream: e.s, after: e.f, through: e.t, pending: e.p, records };
}

// ---- aircraft request signing ---------------------------------------------------------

/** Aircraft -> ground requests carry `authorization: IFEC-Aircraft id=..,ts=..,sig=..`. */
export const AIRCRAFT_AUTH_SCHEME = 'IFEC-Aircraft';
export const AIRCRAFT_AUTH_MAX_SKEW_MS = 10 * 60 * 1000;

function requestDigest(method: string, path: string, ts: number, body: Buffer | undefined): Buffer {
  const bodyHash = crypto.createHash('sha256').update(body ?? Buffer.alloc(0)).digest('hex');
  return Buffer.from(`${method.toUpperCase()}\n${path}\n${ts}\n${bodyHash}`);
}

export function signAircraftRequest(aircraft: string, privateKey: crypto.KeyObject, method: string, path: string, body?: Buffer, now = Date.now()): string {
  const sig = crypto.sign(null, requestDigest(method, path, now, body), privateKey).toString('base64');
  return `${AIRCRAFT_AUTH_SCHEME} id=${aircraft},ts=${now},sig=${sig}`;
}

export function parseAircraftAuth(header: string | undefined): { aircraftId: string; ts: number; sig: Buffer } | undefined {
  const m = /^IFEC-Aircraft id=([A-Z0-9-]{2,10}),ts=(\d{1,16}),sig=([A-Za-z0-9+/=]{1,200})$/.exec(header ?? '');
  return m ? { aircraftId: m[1]!, ts: Number(m[2]), sig: Buffer.from(m[3]!, 'base64') } : undefined;
}

export function verifyAircraftRequest(auth: { ts: number; sig: Buffer }, publicKey: KeyInput, method: string, path: string, body: Buffer | undefined, now = Date.now()): 'ok' | 'stale' | 'bad-signature' {
  if (Math.abs(now - auth.ts) > AIRCRAFT_AUTH_MAX_SKEW_MS) return 'stale';
  const key = typeof publicKey === 'string' ? crypto.createPublicKey(publicKey) : publicKey;
  return crypto.verify(null, requestDigest(method, path, auth.ts, body), key, auth.sig) ? 'ok' : 'bad-signature';
}

// ---- downlink publications -------------------------------------------------------------

export const publicationKind = z.enum(['policy', 'price-list', 'deny-list', 'software', 'content-load']);
export type PublicationKind = z.infer<typeof publicationKind>;
/** Kinds a satcom link carries; software and content loads wait for the gate or a stick. */
export const SATCOM_PUBLICATION_KINDS: ReadonlySet<PublicationKind> = new Set(['policy', 'price-list', 'deny-list']);

export const publicationFile = z.object({
  path: z.string().min(1).max(512).refine((p) => !p.startsWith('/') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'a relative path with no ..'),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
}).strict();
export type PublicationFile = z.infer<typeof publicationFile>;

/** What an admin sends to publish (the ground adds seq, publishedAt and the signature). */
export const publicationRequest = z.object({
  kind: publicationKind,
  /** e.g. a policy id, a price list's currency, a load id. Newer versions of a name replace older ones. */
  name: z.string().min(1).max(128),
  version: z.number().int().positive(),
  /** One aircraft, or null (the default when absent) for the tenant's whole fleet. */
  aircraftId: aircraftId.nullable().default(null),
  payload: z.record(z.string(), z.unknown()),
  files: z.array(publicationFile).max(100_000).default([]),
}).strict();
export type PublicationRequest = z.infer<typeof publicationRequest>;

export const signatureBlock = z.object({ alg: z.literal('Ed25519'), keyId: z.string().regex(/^[0-9a-f]{64}$/), value: z.string().min(1) }).strict();
export type SignatureBlock = z.infer<typeof signatureBlock>;

export const publication = publicationRequest.extend({
  seq: z.number().int().positive(),
  tenantId: z.string().min(1),
  publishedAt: z.string().min(1),
  signature: signatureBlock,
}).strict();
export type Publication = z.infer<typeof publication>;

export function signBlock<T extends object>(value: T, privateKey: crypto.KeyObject): T & { signature: SignatureBlock } {
  const sig = crypto.sign(null, Buffer.from(canonicalJson(value)), privateKey).toString('base64');
  return { ...value, signature: { alg: 'Ed25519', keyId: publicKeyFingerprint(privateKey), value: sig } };
}

/** True when `signature` is a valid signature of the rest by this key. */
export function verifyBlock(value: { signature: SignatureBlock }, publicKey: KeyInput): boolean {
  const key = typeof publicKey === 'string' ? crypto.createPublicKey(publicKey) : publicKey;
  if (value.signature.keyId !== publicKeyFingerprint(key)) return false;
  const { signature, ...rest } = value;
  try {
    return crypto.verify(null, Buffer.from(canonicalJson(rest)), key, Buffer.from(signature.value, 'base64'));
  } catch {
    return false;
  }
}

/** The ground's answer to `GET /v1/aircraft/:id/downlink?after=n`. */
export const downlinkPage = z.object({
  aircraftId,
  acked: streamCheckpoint,
  publications: z.array(publication),
  /** The highest publication seq for this aircraft; the page is complete when the last item reaches it. */
  head: z.number().int().nonnegative(),
}).strict();
export type DownlinkPage = z.infer<typeof downlinkPage>;

// ---- sync status (MQTT sync/status, GET /api/crew/sync) --------------------------------

export const linkKind = z.enum(['gate', 'satcom', 'none']);
export type LinkKind = z.infer<typeof linkKind>;

export const syncStatus = z.object({
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
}).strict();
export type SyncStatus = z.infer<typeof syncStatus>;

/** GET /api/crew/sync: what the maintenance screen shows at the top. */
export const syncOverview = z.object({
  status: syncStatus,
  lastErrorInWords: z.string().nullable(),
  /** False when the aircraft has no ground URL configured: USB bundles only. */
  linksConfigured: z.boolean(),
  publications: z.array(z.object({ seq: z.number().int(), kind: z.string(), name: z.string(), version: z.number().int(), state: z.string() }).strict()),
  aircraftId: z.string(),
  /** To register on the ground (`ifec-ground aircraft register`); never the private key. */
  publicKey: z.string(),
  publicKeyFingerprint: z.string(),
}).strict();
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
