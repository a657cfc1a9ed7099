#!/usr/bin/env node
/**
 * Builds the seat app (vite build) only when dist/ is missing or older than its sources, so
 * `npm start` and the tests pay for a build once. Plain JS: it runs before tsx is involved.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// The newest modification time under a path, as the appliance's bundle decides it is stale.
import { newest } from '../appliance/build.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
const stamp = path.join(root, 'dist', '.built-at');

// ../protocol/src: the app bundles the protocol's browser entry (topics, schemas, paths).
const inputs = ['src', 'public', 'index.html', 'crew', 'vite.config.ts', 'package.json', '../protocol/src']
  .map((p) => path.join(root, p))
  .filter((p) => fs.existsSync(p));
const sourcesAt = Math.max(...inputs.map(newest));
const builtAt = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
if (builtAt >= sourcesAt && !process.argv.includes('--force')) {
  process.stdout.write('seat app: dist is up to date\n');
} else {
  process.stdout.write('seat app: building (vite)…\n');
  const vite = path.join(path.dirname(fileURLToPath(import.meta.resolve('vite/package.json'))), 'bin', 'vite.js');
  // The seat app, then the crew console beside it (vite.config.ts says why apart).
  for (const mode of ['production', 'crew'])
    execFileSync(process.execPath, [vite, 'build', '--mode', mode, '--logLevel', 'warn'], {
      cwd: root,
      stdio: 'inherit',
    });
  fs.writeFileSync(stamp, new Date().toISOString());
}
