/**
 * The append-only journal: records whose loss costs money or breaks a law are written here
 * and fdatasync'd before the appliance acknowledges them (PGlite never fsyncs; see
 * ../shared/FIELD-NOTES.md). Appends arriving while one flush is in progress are batched
 * into the next flush: one fdatasync for many records (group commit).
 *
 * Line format: `<crc32 hex> <json>\n`. A crash can only tear the last line; it is cut off
 * at open, which is safe because a torn line was never acknowledged.
 *
 * Segments: `journal.log` holds the records from seq 1; `rotate()` starts a new segment,
 * `journal.log.<first seq>`, so a checkpoint (store/checkpoint.ts) can drop whole segments the
 * store is known to hold and a start reads only the tail. Only the last segment is written to.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { crc32 } from 'node:zlib';
import { IfecError } from '@ifec/protocol';
import { type AppendHandle, type FileOps, nodeFileOps } from './files.ts';

/** The journal holds PIN hashes and passengers' records: readable by the appliance only. */
const JOURNAL_MODE = 0o600;

export interface JournalRecord<T = unknown> {
  seq: number;
  kind: string;
  /** Chosen at the origin, so a replayed or re-sent record is applied once. */
  id: string;
  at: string;
  data: T;
}

interface Pending {
  seq: number;
  line: Buffer;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class JournalClosedError extends IfecError<'JOURNAL_CLOSED'> {
  constructor(message: string) {
    super('JOURNAL_CLOSED', message);
  }
}

/** One file of the journal: it holds records from `firstSeq` up to the next segment's first seq. */
export interface JournalSegment {
  path: string;
  firstSeq: number;
}

/** The segments of the journal at `file`, oldest first (the first may be gone: dropped by a checkpoint). */
export function journalSegments(file: string): JournalSegment[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const segments: JournalSegment[] = [];
  if (fs.existsSync(file)) segments.push({ path: file, firstSeq: 1 });
  if (!fs.existsSync(dir)) return segments;
  for (const name of fs.readdirSync(dir)) {
    const match = name.startsWith(`${base}.`) ? /^(\d{16})$/.exec(name.slice(base.length + 1)) : null;
    if (match) segments.push({ path: path.join(dir, name), firstSeq: Number(match[1]) });
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}

const segmentPath = (file: string, firstSeq: number) => `${file}.${String(firstSeq).padStart(16, '0')}`;

export class Journal {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    readonly file: string,
    private handle: AppendHandle,
    private readonly segments: JournalSegment[],
    private nextSeq: number,
    private readonly groupCommitMs: number,
    private readonly files: FileOps,
  ) {}

  static async open(file: string, options: { groupCommitMs?: number; files?: FileOps } = {}): Promise<Journal> {
    const files = options.files ?? nodeFileOps;
    const segments = journalSegments(file);
    if (segments.length === 0) segments.push({ path: file, firstSeq: 1 });
    const active = segments[segments.length - 1]!;
    const { lastSeq, validBytes, totalBytes } = await scan(active.path);
    if (validBytes < totalBytes) await files.truncate(active.path, validBytes);
    const handle = await files.openAppend(active.path, JOURNAL_MODE);
    // journals written before modes were enforced
    if (fs.existsSync(active.path)) fs.chmodSync(active.path, JOURNAL_MODE);
    const nextSeq = Math.max(lastSeq, active.firstSeq - 1) + 1;
    return new Journal(file, handle, segments, nextSeq, options.groupCommitMs ?? 2, files);
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** The journal's files, oldest first; the last is the one written to. */
  get segmentList(): readonly JournalSegment[] {
    return this.segments;
  }

  /**
   * Starts a new segment: records from the next one written go there. Waits for the flush in
   * progress; appends made meanwhile wait for the new segment. A segment with nothing in it is
   * not rotated.
   */
  async rotate(): Promise<void> {
    if (this.closed) throw new JournalClosedError('journal is closed');
    while (this.flushing) await this.flushing;
    const firstSeq = this.pending[0]?.seq ?? this.nextSeq;
    const active = this.segments[this.segments.length - 1]!;
    if (firstSeq === active.firstSeq) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushing = (async () => {
      try {
        const next = segmentPath(this.file, firstSeq);
        const handle = await this.files.openAppend(next, JOURNAL_MODE);
        const old = this.handle;
        this.handle = handle;
        this.segments.push({ path: next, firstSeq });
        await old.close();
      } finally {
        this.flushing = null;
        if (this.pending.length && !this.closed) this.schedule();
      }
    })();
    await this.flushing;
  }

  /**
   * Removes the segments whose every record has a seq up to `seq` (the store is known to hold
   * them). The segment written to is never removed. Returns how many went.
   */
  dropThrough(seq: number): number {
    let dropped = 0;
    while (this.segments.length > 1 && this.segments[1]!.firstSeq - 1 <= seq) {
      this.files.remove(this.segments[0]!.path);
      this.segments.shift();
      dropped++;
    }
    return dropped;
  }

  /** Resolves once the record is on disk (fdatasync'd). */
  append<T>(kind: string, id: string, data: T, at = new Date().toISOString()): Promise<JournalRecord<T>> {
    if (this.closed) return Promise.reject(new JournalClosedError('journal is closed'));
    const record: JournalRecord<T> = { seq: this.nextSeq++, kind, id, at, data };
    const json = JSON.stringify(record);
    const line = Buffer.from(`${crc32(json).toString(16).padStart(8, '0')} ${json}\n`);
    return new Promise<JournalRecord<T>>((resolve, reject) => {
      this.pending.push({ seq: record.seq, line, resolve: () => resolve(record), reject });
      this.schedule();
    });
  }

  /**
   * Every record still in the journal after `afterSeq`, in order (segments wholly at or before it
   * are not read). A segment's readable part ends at its first bad line; the next segment goes on.
   */
  static async *read(file: string, afterSeq = 0): AsyncGenerator<JournalRecord> {
    const segments = journalSegments(file);
    for (let i = 0; i < segments.length; i++) {
      const next = segments[i + 1];
      if (next && next.firstSeq - 1 <= afterSeq) continue;
      const input = fs.createReadStream(segments[i]!.path);
      try {
        for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
          const record = decode(line);
          if (!record) break;
          if (record.seq > afterSeq) yield record;
        }
      } finally {
        input.destroy();
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flushing || this.pending.length) await (this.flushing ?? this.flush());
    await this.handle.close();
  }

  private schedule(): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.groupCommitMs);
  }

  private flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return Promise.resolve();
    this.flushing = (async () => {
      try {
        await this.handle.write(Buffer.concat(batch.map((p) => p.line)));
        await this.handle.datasync();
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error as Error);
      } finally {
        this.flushing = null;
        if (this.pending.length && !this.closed) this.schedule();
      }
    })();
    return this.flushing;
  }
}

function decode(line: string): JournalRecord | undefined {
  const space = line.indexOf(' ');
  if (space !== 8) return undefined;
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined;
  try {
    return JSON.parse(json) as JournalRecord;
  } catch {
    return undefined;
  }
}

/** Finds the last intact record and how many bytes of the file are intact. */
async function scan(file: string): Promise<{ lastSeq: number; validBytes: number; totalBytes: number }> {
  if (!fs.existsSync(file)) return { lastSeq: 0, validBytes: 0, totalBytes: 0 };
  const content = await fs.promises.readFile(file);
  let offset = 0;
  let lastSeq = 0;
  while (offset < content.length) {
    const end = content.indexOf(10, offset);
    if (end < 0) break;
    const record = decode(content.subarray(offset, end).toString('utf8'));
    if (!record) break;
    lastSeq = record.seq;
    offset = end + 1;
  }
  return { lastSeq, validBytes: offset, totalBytes: content.length };
}
