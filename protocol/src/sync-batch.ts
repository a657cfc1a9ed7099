/**
 * An uplink batch on the wire (HTTP body or bundle blob): gzip(JSON of a columnar form), seqs
 * and times delta-encoded, repeated strings dictionary-encoded, one column per field.
 * Node only (node:zlib): imported from `@ifec/protocol/node`.
 */
import zlib from 'node:zlib';
import { z } from 'zod';
import { describeIssues, IfecError } from './errors.ts';
import {
  aircraftId,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  MAX_INFLATED_BATCH_BYTES,
  type OutboxRecord,
  outboxStream,
  seqNumber,
  streamOfKind,
  type UplinkBatch,
} from './sync.ts';

export class SyncFormatError extends IfecError<
  'BATCH_NOT_GZIP' | 'BATCH_TOO_LARGE' | 'BATCH_NOT_JSON' | 'BATCH_INVALID'
> {}

// ---- columnar encoding -------------------------------------------------------------

const column = z.union([
  z.object({ n: z.array(z.number()) }).strict(), // integers, delta-encoded
  z.object({ d: z.array(z.string()), x: z.array(z.number().int().nonnegative()) }).strict(), // dictionary
  z.object({ r: z.array(z.unknown()) }).strict(), // raw values
]);
type Column = z.infer<typeof column>;

const encodedBatch = z
  .object({
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
    c: z.record(
      z.string(),
      z
        .object({
          f: z.array(z.string()),
          v: z.array(column),
          m: z.record(z.string(), z.array(z.number().int())).optional(),
        })
        .strict(),
    ),
  })
  .strict();

function encodeColumn(values: unknown[]): Column {
  if (values.length > 0 && values.every((v) => Number.isSafeInteger(v))) {
    let previous = 0;
    return {
      n: (values as number[]).map((v) => {
        const d = v - previous;
        previous = v;
        return d;
      }),
    };
  }
  if (values.length > 0 && values.every((v) => typeof v === 'string')) {
    const dict = new Map<string, number>();
    const x = (values as string[]).map((v) => {
      let index = dict.get(v);
      if (index === undefined) {
        index = dict.size;
        dict.set(v, index);
      }
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
      if (i >= col.d.length) throw new SyncFormatError('BATCH_INVALID', `${what}: dictionary index ${i} out of range`);
      return col.d[i];
    });
  } else values = col.r;
  if (values.length !== length)
    throw new SyncFormatError('BATCH_INVALID', `${what}: ${values.length} values for ${length} records`);
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
      k = kinds.length;
      kindIndex.set(r.kind, k);
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
        if (!(field in row)) {
          missing[fi] ??= [];
          missing[fi].push(ri);
        }
        return row[field] ?? null;
      });
      return encodeColumn(values);
    });
    c[k] = { f: fields, v: cols, ...(Object.keys(missing).length ? { m: missing } : {}) };
  }
  let lastSeq = 0;
  let lastAt = 0;
  const encoded: z.infer<typeof encodedBatch> = {
    v: 1,
    a: batch.aircraftId,
    s: batch.stream,
    f: batch.after,
    t: batch.through,
    p: batch.pending,
    k: kinds,
    ki,
    q: batch.records.map((r) => {
      const d = r.seq - lastSeq;
      lastSeq = r.seq;
      return d;
    }),
    ts: batch.records.map((r) => {
      const ms = Date.parse(r.at);
      const d = ms - lastAt;
      lastAt = ms;
      return d;
    }),
    i: encodeColumn(batch.records.map((r) => r.id)),
    c,
  };
  return zlib.gzipSync(JSON.stringify(encoded), { level: 9 });
}

/** Reads and fully checks a wire batch; throws SyncFormatError with a precise reason. */
export function decodeBatch(bytes: Buffer): UplinkBatch {
  if (bytes.length > MAX_BATCH_BYTES)
    throw new SyncFormatError('BATCH_TOO_LARGE', `batch of ${bytes.length} bytes exceeds ${MAX_BATCH_BYTES}`);
  let text: string;
  try {
    text = zlib.gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BATCH_BYTES }).toString('utf8');
  } catch (error) {
    const tooBig = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new SyncFormatError(
      tooBig ? 'BATCH_TOO_LARGE' : 'BATCH_NOT_GZIP',
      tooBig ? `batch inflates beyond ${MAX_INFLATED_BATCH_BYTES} bytes` : 'batch is not gzip data',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SyncFormatError('BATCH_NOT_JSON', 'batch is gzip but not JSON');
  }
  const parsed = encodedBatch.safeParse(raw);
  if (!parsed.success) throw new SyncFormatError('BATCH_INVALID', describeIssues(parsed.error));
  const e = parsed.data;
  const n = e.ki.length;
  if (n > MAX_BATCH_RECORDS) throw new SyncFormatError('BATCH_TOO_LARGE', `${n} records exceed ${MAX_BATCH_RECORDS}`);
  if (e.q.length !== n || e.ts.length !== n) throw new SyncFormatError('BATCH_INVALID', 'columns of different lengths');
  const ids = decodeColumn(e.i, n, 'ids');
  const rowsOfKind = new Map<number, number>();
  const data: unknown[] = new Array(n);
  const positions = new Map<number, number[]>();
  e.ki.forEach((k, row) => {
    if (k >= e.k.length) throw new SyncFormatError('BATCH_INVALID', `record ${row}: kind index ${k} out of range`);
    rowsOfKind.set(k, (rowsOfKind.get(k) ?? 0) + 1);
    (positions.get(k) ?? positions.set(k, []).get(k)!).push(row);
  });
  for (const [k, rows] of positions) {
    const block = e.c[String(k)];
    if (!block || block.f.length !== block.v.length)
      throw new SyncFormatError('BATCH_INVALID', `kind ${e.k[k]}: data columns missing`);
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
    if (typeof id !== 'string' || id.length === 0 || id.length > 128)
      throw new SyncFormatError('BATCH_INVALID', `record ${row}: bad id`);
    if (!(seq > (records.at(-1)?.seq ?? e.f)) || seq > e.t)
      throw new SyncFormatError('BATCH_INVALID', `record ${row}: seq ${seq} is not increasing inside (${e.f}, ${e.t}]`);
    if (streamOfKind(kind) !== e.s)
      throw new SyncFormatError('BATCH_INVALID', `record ${row}: kind ${kind} does not belong to the ${e.s} stream`);
    const date = new Date(at);
    if (Number.isNaN(date.getTime())) throw new SyncFormatError('BATCH_INVALID', `record ${row}: bad time`);
    records.push({ seq, kind, id, at: date.toISOString(), data: data[row] });
  }
  if (e.t < e.f) throw new SyncFormatError('BATCH_INVALID', `through ${e.t} is before after ${e.f}`);
  return { aircraftId: e.a, stream: e.s, after: e.f, through: e.t, pending: e.p, records };
}
