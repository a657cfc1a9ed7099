/**
 * One appliance per data dir. PGlite has no lock of its own and two processes on one dir
 * corrupt it, so we take an exclusive lock file holding our pid. A lock left by a dead
 * process (kill -9, power cut) is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IfecError } from '@ifec/protocol';

export class DataDirInUseError extends IfecError<'DATA_DIR_IN_USE'> {
  constructor(message: string) {
    super('DATA_DIR_IN_USE', message);
  }
}

export interface DataDirLock {
  /** True when the previous owner died without releasing the lock. */
  readonly tookOverStaleLock: boolean;
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  // Secrets, PIN hashes and passengers' records live here: the appliance's user only.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
  const lockPath = path.join(dataDir, 'appliance.lock');
  let tookOverStaleLock = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    // Write our pid to a private file, then link it into place: link() fails if the lock exists.
    const mine = `${lockPath}.${process.pid}`;
    fs.writeFileSync(mine, String(process.pid));
    try {
      fs.linkSync(mine, lockPath);
      fs.unlinkSync(mine);
      return {
        tookOverStaleLock,
        release() {
          try {
            if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (error) {
      fs.unlinkSync(mine);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new DataDirInUseError(
        `data dir ${dataDir} is in use by another appliance (pid ${owner}); stop it or choose another IFEC_DATA_DIR`,
      );
    }
    fs.rmSync(lockPath, { force: true });
    tookOverStaleLock = true;
  }
  throw new DataDirInUseError(`could not lock data dir ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
