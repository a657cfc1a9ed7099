/**
 * The append-only journal: records whose loss costs money or breaks a law are written here
 * and fdatasync'd before the appliance acknowledges them (PGlite never fsyncs; see
 * ../shared/FIELD-NOTES.md). Appends arriving while one flush is in progress are batched
 * into the next flush: one fdatasync for many records (group commit).
 *
 * Line format: `<crc32 hex> <json>\n`. A crash can only tear the last line; it is cut off
 * at open, which is safe because a torn line was never acknowledged.
 */
import fs from 'node:fs';
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
  line: Buffer;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class JournalClosedError extends IfecError<'JOURNAL_CLOSED'> {
  constructor(message: string) {
    super('JOURNAL_CLOSED', message);
  }
}

export class Journal {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly handle: AppendHandle,
    private nextSeq: number,
    private readonly groupCommitMs: number,
  ) {}

  static async open(file: string, options: { groupCommitMs?: number; files?: FileOps } = {}): Promise<Journal> {
    const files = options.files ?? nodeFileOps;
    const { lastSeq, validBytes, totalBytes } = await scan(file);
    if (validBytes < totalBytes) await files.truncate(file, validBytes);
    const handle = await files.openAppend(file, JOURNAL_MODE);
    if (fs.existsSync(file)) fs.chmodSync(file, JOURNAL_MODE); // journals written before modes were enforced
    return new Journal(file, handle, lastSeq + 1, options.groupCommitMs ?? 2);
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Resolves once the record is on disk (fdatasync'd). */
  append<T>(kind: string, id: string, data: T, at = new Date().toISOString()): Promise<JournalRecord<T>> {
    if (this.closed) return Promise.reject(new JournalClosedError('journal is closed'));
    const record: JournalRecord<T> = { seq: this.nextSeq++, kind, id, at, data };
    const json = JSON.stringify(record);
    const line = Buffer.from(`${crc32(json).toString(16).padStart(8, '0')} ${json}\n`);
    return new Promise<JournalRecord<T>>((resolve, reject) => {
      this.pending.push({ line, resolve: () => resolve(record), reject });
      this.schedule();
    });
  }

  /** Every record from the start, in order. */
  static async *read(file: string): AsyncGenerator<JournalRecord> {
    if (!fs.existsSync(file)) return;
    const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
      const record = decode(line);
      if (!record) return;
      yield record;
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
