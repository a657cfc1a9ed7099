/**
 * A power-cut fault injector for the appliance's durable file layer (src/store/files.ts).
 *
 * Approach: every operation is done for real (write-through, so the running appliance sees an
 * ordinary file system) and also applied to a model of what a disk would still hold after the
 * power went: a file's content survives only up to its last fsync/fdatasync, and a created,
 * renamed or removed name only once its directory was fsync'd. `cutAt` picks the operation at
 * which the power goes: it and every later one throw PowerCut (nothing after it is acknowledged).
 * `materialise()` then rewrites the data dir to the model's state: unsynced bytes dropped,
 * unsynced renames undone. PGlite's own loss cannot be injected in-process (it never fsyncs),
 * so we take the worst case a cut allows: its whole directory is discarded, and the appliance
 * must rebuild from the journal.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppendHandle, FileOps } from '../src/store/files.ts';

export class PowerCut extends Error {
  readonly code = 'POWER_CUT';
}

interface Inode {
  data: Buffer;
  synced: Buffer;
}

export class PowerCutFiles implements FileOps {
  /** Operations done so far; the power goes at operation number `cutAt` (0-based). */
  ops = 0;
  cutAt = Number.POSITIVE_INFINITY;
  private cut = false;
  private readonly current = new Map<string, Inode>();
  private readonly durable = new Map<string, Inode>();
  private readonly seen = new Set<string>();

  get isCut(): boolean {
    return this.cut;
  }

  /** Cuts the power `after` operations from now. */
  cutAfter(after: number): void {
    this.cutAt = this.ops + after;
  }

  async openAppend(file: string, mode: number): Promise<AppendHandle> {
    this.step();
    const inode = this.inode(file) ?? { data: Buffer.alloc(0), synced: Buffer.alloc(0) };
    const handle = await fs.promises.open(file, 'a', mode);
    this.current.set(file, inode);
    this.step(); // the new name reaches the disk (fsync of the directory)
    this.syncDir(path.dirname(file));
    return {
      write: async (data) => {
        this.step();
        inode.data = Buffer.concat([inode.data, data]);
        await handle.write(data);
      },
      datasync: async () => {
        this.step();
        await handle.datasync();
        inode.synced = inode.data;
      },
      close: () => handle.close(),
    };
  }

  async truncate(file: string, length: number): Promise<void> {
    this.step();
    await fs.promises.truncate(file, length);
    const inode = this.inode(file);
    if (inode) {
      inode.data = inode.data.subarray(0, length);
      inode.synced = inode.data;
    }
  }

  writeAtomic(file: string, data: Buffer | string, mode: number): void {
    const bytes = Buffer.from(data);
    const temp = `${file}.tmp-${process.pid}`;
    this.step(); // temp file created and written, not synced
    fs.writeFileSync(temp, bytes, { mode });
    const inode: Inode = { data: bytes, synced: Buffer.alloc(0) };
    this.current.set(temp, inode);
    this.seen.add(temp);
    this.step(); // fsync of the temp file
    inode.synced = bytes;
    this.step(); // rename over the old name
    fs.renameSync(temp, file);
    this.current.delete(temp);
    this.inode(file);
    this.current.set(file, inode);
    this.step(); // fsync of the directory: the new name is durable
    this.syncDir(path.dirname(file));
  }

  remove(file: string): void {
    this.inode(file);
    this.step();
    fs.rmSync(file, { force: true });
    this.current.delete(file);
    this.step();
    this.syncDir(path.dirname(file));
  }

  /** Rewrites `dataDir` to what the disk holds after the cut, and discards PGlite's directory. */
  materialise(dataDir: string): void {
    for (const file of this.seen) {
      const inode = this.durable.get(file);
      if (inode) fs.writeFileSync(file, inode.synced);
      else fs.rmSync(file, { force: true });
    }
    fs.rmSync(path.join(dataDir, 'pglite'), { recursive: true, force: true });
  }

  private step(): void {
    if (this.cut || this.ops++ >= this.cutAt) {
      this.cut = true;
      throw new PowerCut(`power cut at file operation ${this.cutAt}`);
    }
  }

  /** The model's inode for a file, loading one that existed before this injector as durable. */
  private inode(file: string): Inode | undefined {
    if (!this.seen.has(file)) {
      this.seen.add(file);
      if (fs.existsSync(file)) {
        const data = fs.readFileSync(file);
        const inode = { data, synced: data };
        this.current.set(file, inode);
        this.durable.set(file, inode);
      }
    }
    return this.current.get(file);
  }

  private syncDir(dir: string): void {
    for (const file of this.seen) {
      if (path.dirname(file) !== dir) continue;
      const inode = this.current.get(file);
      if (inode) this.durable.set(file, inode);
      else this.durable.delete(file);
    }
  }
}
