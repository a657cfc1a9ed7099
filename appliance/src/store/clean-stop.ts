/**
 * A clean stop, remembered: after the journal is finished and the store closed, every file
 * of the store is fsync'd (PGlite never fsyncs) and a marker says "the store holds the
 * journal through seq N". The next start, if the lock was released (no crash), replays only
 * what is after N — nothing — instead of the whole journal. The marker is removed at start,
 * so a crash later in that run replays everything again.
 */
import fs from 'node:fs';
import path from 'node:path';

const MARKER = 'clean-stop.json';

/** fsyncs every file under `dir`, then the directories (so renames and new files are durable too). */
export function fsyncTree(dir: string): number {
  let files = 0;
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) {
        const fd = fs.openSync(p, 'r');
        try {
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        files++;
      }
    }
    const fd = fs.openSync(d, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return files;
}

/** Writes the marker atomically (tmp, fsync, rename, fsync the dir). Call after the store is closed and fsync'd. */
export function markCleanStop(dataDir: string, journalThrough: number): void {
  const file = path.join(dataDir, MARKER);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify({ journalThrough, at: new Date().toISOString() }));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dir = fs.openSync(dataDir, 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

/**
 * Reads and removes the marker: the journal seq the store is known to hold, or undefined
 * (first start, or the last run did not stop cleanly). `trusted` is false when the data-dir
 * lock had to be taken over (a crash): the marker is then ignored.
 */
export function takeCleanStop(dataDir: string, trusted: boolean): number | undefined {
  const file = path.join(dataDir, MARKER);
  let through: number | undefined;
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as { journalThrough?: unknown };
    if (trusted && Number.isSafeInteger(value.journalThrough)) through = value.journalThrough as number;
  } catch {
    return undefined;
  }
  fs.rmSync(file, { force: true });
  const dir = fs.openSync(dataDir, 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
  return through;
}
