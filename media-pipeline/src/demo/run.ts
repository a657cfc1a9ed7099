/** `npm run demo-content [-- <cacheDir>]`: builds (or confirms) the cached demo content load. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDemoContent } from './ensure.ts';

export const DEFAULT_DEMO_CACHE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../.cache/demo-content',
);

const cacheDir = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_DEMO_CACHE;
const started = Date.now();
const demo = await ensureDemoContent(cacheDir, (line) => console.log(line));
console.log(
  `${demo.rebuilt ? 'built' : 'up to date'}: ${demo.titles.length} titles in ${demo.loadDir} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
console.log(`trust key: ${demo.publicKeyFile}`);
