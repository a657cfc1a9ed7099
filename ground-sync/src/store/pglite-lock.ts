/**
 * PGlite has no lock and two processes on one data dir corrupt it, so the embedded ground
 * takes one (PostgreSQL needs none: any number of ground processes may share it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { IfecError } from '@ifec/protocol';

export class StoreInUseError extends IfecError<'STORE_IN_USE'> {
  constructor(message: string) {
    super('STORE_IN_USE', message);
  }
}

export function lockPgliteDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'ground.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (owner && owner !== process.pid && alive(owner))
        throw new StoreInUseError(
          `${dataDir} is in use by ground process ${owner}; stop it, or use the admin API, or set DATABASE_URL`,
        );
      fs.rmSync(file, { force: true });
    }
  }
  throw new StoreInUseError(`could not lock ${dataDir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
