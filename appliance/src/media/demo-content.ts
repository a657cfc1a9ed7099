/**
 * Demo mode only: synthetic titles from the media pipeline, built in the background after
 * the appliance is up (ffmpeg takes minutes the first time; /healthz must answer at once),
 * then installed through the same verification as any load. The demo signing key is trusted
 * in demo mode only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ContentLoads } from './content-loads.ts';

/** `<repo>/.cache/demo-content`: shared by every data dir, so the demo is built once per checkout. */
export const DEMO_CACHE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../.cache/demo-content',
);

/** The demo public key left by an earlier build, so a restart can re-verify the demo load. */
export function cachedDemoKey(cacheDir = DEMO_CACHE_DIR): string | undefined {
  try {
    return fs.readFileSync(path.join(cacheDir, 'trust', 'demo-signing.pub.pem'), 'utf8');
  } catch {
    return undefined;
  }
}

export async function installDemoContent(deps: {
  loads: ContentLoads;
  trust(publicKeyPem: string): void;
  log: Logger;
  cacheDir?: string;
}): Promise<void> {
  const cacheDir = deps.cacheDir ?? DEMO_CACHE_DIR;
  try {
    // Loaded on demand: a production appliance never loads the pipeline (sharp, ffmpeg probing).
    const { ensureDemoContent } = await import('@ifec/media-pipeline');
    deps.log.info({ cacheDir }, 'demo content: preparing in the background (the first build takes a few minutes)');
    const demo = await ensureDemoContent(cacheDir, (line) => deps.log.info({ demo: line }, 'demo content'));
    deps.trust(demo.publicKeyPem);
    const loadId = (JSON.parse(fs.readFileSync(path.join(demo.loadDir, 'load.json'), 'utf8')) as { id: string }).id;
    if (deps.loads.active?.loadId === loadId && !demo.rebuilt) return;
    const active = await deps.loads.install(demo.loadDir);
    deps.log.info({ loadId: active.loadId, titles: active.titles.length }, 'demo content installed');
  } catch (error) {
    deps.log.error({ err: error }, 'demo content could not be prepared; the appliance runs without content');
  }
}
