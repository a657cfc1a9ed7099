/**
 * What this aircraft trusts about software: the newest verified root, the last timestamp,
 * snapshot and targets it accepted (the versions a rollback is measured against), the keys
 * revoked on the way, and the releases it verified. tuf-js writes its metadata with a plain
 * writeFileSync, so it works on a scratch copy; only a fully verified set is committed here,
 * as a new generation folder (files fsync'd) named by a CURRENT file replaced atomically: a
 * `kill -9` or a power cut leaves the old generation or the new one, never a mix.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IfecError, type TrustedVersions, type VerifiedRelease } from '@ifec/protocol';

export const METADATA_FILES = ['root', 'timestamp', 'snapshot', 'targets'] as const;
export type MetadataName = (typeof METADATA_FILES)[number];

export interface TrustState {
  releases: VerifiedRelease[];
  /** Key ids listed by an earlier trusted root and dropped by a later one. */
  revokedKeys: string[];
}

export class TrustedStateError extends IfecError<'UPDATE_NO_TRUSTED_ROOT'> {}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeSynced(file: string, data: Buffer | string): void {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export class TrustedState {
  private readonly currentFile: string;

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.currentFile = path.join(dir, 'CURRENT');
  }

  /** Installs the first root (from flashing) when nothing is trusted yet; never replaces a trusted one. */
  provisionRoot(rootFile: string | undefined): void {
    if (this.generation() !== undefined || !rootFile) return;
    if (!fs.existsSync(rootFile))
      throw new TrustedStateError('UPDATE_NO_TRUSTED_ROOT', `the trusted root ${rootFile} does not exist`);
    this.commit({ root: fs.readFileSync(rootFile) }, { releases: [], revokedKeys: [] });
  }

  /** The folder of the current generation, or undefined before any root was trusted. */
  generationDir(): string | undefined {
    const gen = this.generation();
    return gen === undefined ? undefined : path.join(this.dir, `gen-${gen}`);
  }

  metadata(name: MetadataName): Buffer | undefined {
    const dir = this.generationDir();
    const file = dir && path.join(dir, `${name}.json`);
    return file && fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  }

  state(): TrustState {
    const dir = this.generationDir();
    if (!dir) return { releases: [], revokedKeys: [] };
    return JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
  }

  versions(): TrustedVersions | undefined {
    const read = (name: MetadataName) => {
      const bytes = this.metadata(name);
      return bytes
        ? (JSON.parse(bytes.toString()) as { signed: { version: number; expires: string } }).signed
        : undefined;
    };
    const root = read('root');
    if (!root) return undefined;
    const timestamp = read('timestamp');
    return {
      root: root.version,
      timestamp: timestamp?.version ?? 0,
      snapshot: read('snapshot')?.version ?? 0,
      targets: read('targets')?.version ?? 0,
      expires: timestamp?.expires ?? null,
    };
  }

  /** Writes a new generation and makes it current in one rename. */
  commit(files: Partial<Record<MetadataName, Buffer>>, state: TrustState): void {
    const next = (this.generation() ?? 0) + 1;
    const dir = path.join(this.dir, `gen-${next}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { mode: 0o700 });
    for (const name of METADATA_FILES) {
      const bytes = files[name];
      if (bytes) writeSynced(path.join(dir, `${name}.json`), bytes);
    }
    writeSynced(path.join(dir, 'state.json'), JSON.stringify(state));
    fsyncDir(dir);
    fsyncDir(this.dir);
    const tmp = `${this.currentFile}.tmp`;
    writeSynced(tmp, String(next));
    fs.renameSync(tmp, this.currentFile);
    fsyncDir(this.dir);
    // Older generations (and a half-written one from a crash) are no longer needed.
    for (const entry of fs.readdirSync(this.dir))
      if (/^gen-\d+$/.test(entry) && entry !== `gen-${next}`)
        fs.rmSync(path.join(this.dir, entry), { recursive: true, force: true });
  }

  private generation(): number | undefined {
    if (!fs.existsSync(this.currentFile)) return undefined;
    const n = Number(fs.readFileSync(this.currentFile, 'utf8').trim());
    return Number.isInteger(n) && n > 0 && fs.existsSync(path.join(this.dir, `gen-${n}`)) ? n : undefined;
  }
}
