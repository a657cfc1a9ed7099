/**
 * Package and load directories are written into a staging directory beside the destination and
 * renamed into place at the end, so a failed or killed run never leaves something that looks
 * like a valid package.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PackageFile } from '@ifec/protocol';
import { sha256File } from '@ifec/protocol/node';
import { MediaError } from '../errors.ts';

export function stagingDirFor(out: string): string {
  const abs = path.resolve(out);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const staging = path.join(
    path.dirname(abs),
    `.${path.basename(abs)}.partial-${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
  );
  fs.mkdirSync(staging);
  return staging;
}

export function assertOutputFree(out: string, replace: boolean): void {
  if (fs.existsSync(out) && !replace) {
    throw new MediaError('OUTPUT_EXISTS', `${out} already exists (pass --force to replace it)`);
  }
}

/** Moves the finished staging directory to `out`, replacing an older one only now. */
export function commitStaging(staging: string, out: string): void {
  const abs = path.resolve(out);
  if (fs.existsSync(abs)) {
    const old = `${staging}.old`;
    fs.renameSync(abs, old);
    fs.renameSync(staging, abs);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(staging, abs);
  }
}

export function discardStaging(staging: string): void {
  fs.rmSync(staging, { recursive: true, force: true });
}

/** Every regular file under `dir` (forward-slash relative paths), sorted, minus `skip`. */
export function walkFiles(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const visit = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (skip(rel)) continue;
      if (entry.isDirectory()) visit(rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  visit('');
  return out.sort();
}

export async function describeFiles(dir: string, rels: string[]): Promise<PackageFile[]> {
  return Promise.all(
    rels.map(async (rel) => {
      const file = path.join(dir, rel);
      return { path: rel, size: fs.statSync(file).size, sha256: await sha256File(file) };
    }),
  );
}
