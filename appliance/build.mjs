#!/usr/bin/env node
/**
 * Bundles the appliance (src/cli.ts with the workspaces it imports) into dist/cli.mjs, so a start
 * loads one plain JavaScript file instead of compiling some 200 TypeScript modules through tsx's
 * loader: a second off every start and restart (store.restart_ms.1m). Only when dist/ is older
 * than its sources. Third-party packages are bundled in too: resolving and compiling some 150
 * package files one by one cost another 350 ms of every start (store.restart_ms.1m). Those that
 * find files or workers next to themselves at run time stay external (EXTERNAL).
 * Plain JS: it runs before tsx is involved.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
export const BUNDLE = path.join(root, 'dist', 'cli.mjs');
// The workspaces bundled in: a change in any of them makes the bundle stale.
const INPUTS = ['src', '../protocol/src', '../http-kit/src', '../media-pipeline/src'].map((p) => path.join(root, p));

/** The newest modification time under `p` (tests excluded): a bundle older than it is stale. */
export function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) {
    if (entry.endsWith('.test.ts')) continue;
    max = Math.max(max, newest(path.join(p, entry)));
  }
  return max;
}

export function bundleIsFresh() {
  if (!fs.existsSync(BUNDLE)) return false;
  const builtAt = fs.statSync(BUNDLE).mtimeMs;
  return INPUTS.filter((p) => fs.existsSync(p)).every((p) => newest(p) <= builtAt);
}

/**
 * Code that finds files next to itself (layouts, the seat app, the PIN worker, package.json) reads
 * import.meta.url: each module gets its own source file's URL, made relative to the bundle, so it
 * finds what it found when run from source, wherever the tree is installed.
 */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const relative = path.relative(path.dirname(BUNDLE), args.path).split(path.sep).join('/');
      const url = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/**
 * Packages loaded from node_modules as installed: WASM or native binaries, worker files or
 * transports found by path, a CLI, and the TypeScript loader the fallback start uses.
 */
const EXTERNAL = [
  '@electric-sql/pglite',
  'sharp',
  'piscina',
  'esbuild',
  'tsx',
  'pino',
  'node-media-server',
  'ffmpeg-static',
  '@ffmpeg-installer/ffmpeg',
  '@ffprobe-installer/ffprobe',
];

const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      EXTERNAL.some((name) => args.path === name || args.path.startsWith(`${name}/`)) ? { external: true } : undefined,
    );
  },
};

export async function buildBundle() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    write: false,
    entryPoints: [path.join(root, 'src', 'cli.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    // Bundled classes keep their names: code (ours in updates/verify.ts, and libraries) tells errors apart
    // by constructor name, and esbuild renames a class whose name is taken (DownloadHTTPError2).
    keepNames: true,
    // CommonJS packages inlined from a workspace may call require(): give the ES module one.
    banner: {
      js: "import { createRequire as __ifecRequire } from 'node:module'; const require = __ifecRequire(import.meta.url);",
    },
    plugins: [ownUrl, externalPackages],
    logLevel: 'warning',
  });
  // Written aside and renamed: two starts at once never load a half-written bundle.
  fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
  for (const file of result.outputFiles) {
    const aside = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(aside, file.contents);
    fs.renameSync(aside, file.path);
  }
}

if (process.argv[1] && pathToFileURL(fs.realpathSync(process.argv[1])).href === import.meta.url) {
  if (bundleIsFresh() && !process.argv.includes('--force')) process.stdout.write('appliance: dist is up to date\n');
  else {
    process.stdout.write('appliance: bundling (esbuild)…\n');
    await buildBundle();
  }
}
