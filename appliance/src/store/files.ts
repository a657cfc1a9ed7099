/**
 * The file operations whose durability the appliance promises (journal, secrets, first-run
 * credentials), behind one small interface so a test can put a power-cut fault injector under
 * them (test/power-cut-files.ts). Everything else on disk is either rebuilt from these
 * (PGlite) or content that can be fetched again (media).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface AppendHandle {
  write(data: Buffer): Promise<void>;
  /** fdatasync: what was written is on disk when this resolves. */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export interface FileOps {
  /** Opens a file for appending, creating it (mode) and making its name durable if new. */
  openAppend(file: string, mode: number): Promise<AppendHandle>;
  /** Cuts the file to `length` bytes and makes that durable. */
  truncate(file: string, length: number): Promise<void>;
  /**
   * Replaces a whole file so that a power cut leaves either the old content or the new one,
   * never a torn or empty file: temp file, fsync, rename, fsync of the directory.
   */
  writeAtomic(file: string, data: Buffer | string, mode: number): void;
  /** Removes a file and makes the removal durable. */
  remove(file: string): void;
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export const nodeFileOps: FileOps = {
  async openAppend(file, mode) {
    const existed = fs.existsSync(file);
    const handle = await fs.promises.open(file, 'a', mode);
    if (!existed) {
      await handle.sync();
      fsyncDir(path.dirname(file));
    }
    return {
      write: async (data) => {
        await handle.write(data);
      },
      datasync: () => handle.datasync(),
      close: () => handle.close(),
    };
  },
  async truncate(file, length) {
    const handle = await fs.promises.open(file, 'r+');
    try {
      await handle.truncate(length);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  },
  writeAtomic(file, data, mode) {
    const temp = `${file}.tmp-${process.pid}`;
    const fd = fs.openSync(temp, 'w', mode);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
    fsyncDir(path.dirname(file));
  },
  remove(file) {
    if (!fs.existsSync(file)) return;
    fs.rmSync(file);
    fsyncDir(path.dirname(file));
  },
};
