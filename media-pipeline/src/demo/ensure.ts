/**
 * ensureDemoContent: the appliance calls it at start (and `npm run demo-content` runs it) to
 * have a signed demo content load. Built once into `<cacheDir>/load`, reused while the recipe
 * hash (recipe + pipeline version) is unchanged, rebuilt when it changes.
 *
 *   <cacheDir>/load/                  the signed content load (layout in protocol/src/content.ts)
 *   <cacheDir>/trust/demo-signing.pub.pem   trust this key to verify the demo load
 *   <cacheDir>/trust/demo-signing.key.pem   the demo signing key (demo only; never a real key)
 *   <cacheDir>/recipe.json            {hash, builtAt, titles} of the load that is there
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MediaError } from '../errors.ts';
import { ingestTitle, PIPELINE_VERSION } from '../ingest/ingest.ts';
import { LADDERS } from '../ingest/ladder.ts';
import { titleCardSvg } from '../ingest/title-card.ts';
import { buildContentLoad } from '../load/build.ts';
import { writeSigningKeys } from '../load/signing-keys.ts';
import { logProgress } from '../progress.ts';
import { Ffmpeg } from '../tools/ffmpeg.ts';
import { svgToPng } from '../tools/images.ts';
import { DEMO_LOAD, DEMO_TITLES, type DemoTitle, demoMetadata } from './recipe.ts';
import { demoSourceArgs, demoSubtitles, findFont } from './sources.ts';

/** Bump when the way demo content is made changes in a way the recipe data does not show. */
const DEMO_GENERATOR_VERSION = 3;

export interface DemoContent {
  loadDir: string;
  publicKeyFile: string;
  publicKeyPem: string;
  /** True when this call built the load; false when the cached one was current. */
  rebuilt: boolean;
  titles: string[];
}

export function demoRecipeHash(titles: DemoTitle[] = DEMO_TITLES): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify({ titles, DEMO_LOAD, DEMO_GENERATOR_VERSION, PIPELINE_VERSION, ladder: LADDERS.compact }))
    .digest('hex');
}

export interface DemoOptions {
  /** A different catalogue (tests use two short titles); default the dozen of recipe.ts. */
  titles?: DemoTitle[];
  /** The ffmpeg to build with; default: located from the environment (system, else the npm fallback). */
  ffmpeg?: Ffmpeg;
}

export async function ensureDemoContent(
  cacheDir: string,
  log: (line: string) => void = () => {},
  options: DemoOptions = {},
): Promise<DemoContent> {
  const titles = options.titles ?? DEMO_TITLES;
  fs.mkdirSync(cacheDir, { recursive: true });
  const loadDir = path.join(cacheDir, 'load');
  const trustDir = path.join(cacheDir, 'trust');
  const recipeFile = path.join(cacheDir, 'recipe.json');
  const hash = demoRecipeHash(titles);
  const release = await takeLock(path.join(cacheDir, '.lock'), log);
  try {
    if (!fs.existsSync(path.join(trustDir, 'demo-signing.key.pem'))) writeSigningKeys(trustDir, 'demo-signing', true);
    const publicKeyFile = path.join(trustDir, 'demo-signing.pub.pem');
    const result = (rebuilt: boolean): DemoContent => ({
      loadDir,
      publicKeyFile,
      publicKeyPem: fs.readFileSync(publicKeyFile, 'utf8'),
      rebuilt,
      titles: titles.map((t) => t.meta.id),
    });
    const cached = readRecipe(recipeFile);
    if (cached?.hash === hash && fs.existsSync(path.join(loadDir, 'load.json'))) {
      log(`demo content: cached load at ${loadDir} is current (recipe ${hash.slice(0, 12)})`);
      return result(false);
    }
    log(
      `demo content: building ${titles.length} titles into ${loadDir} (recipe ${hash.slice(0, 12)}${cached ? `, was ${cached.hash.slice(0, 12)}` : ''})`,
    );
    await buildDemoLoad(
      titles,
      cacheDir,
      loadDir,
      path.join(trustDir, 'demo-signing.key.pem'),
      options.ffmpeg ?? Ffmpeg.locate(),
      log,
    );
    fs.writeFileSync(
      recipeFile,
      `${JSON.stringify({ hash, builtAt: new Date().toISOString(), titles: titles.map((t) => t.meta.id) }, null, 2)}\n`,
    );
    return result(true);
  } finally {
    release();
  }
}

async function buildDemoLoad(
  titles: DemoTitle[],
  cacheDir: string,
  loadDir: string,
  privateKeyFile: string,
  ffmpeg: Ffmpeg,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  const work = path.join(cacheDir, 'work');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'packages'), { recursive: true });
  log(`demo content: ${await ffmpeg.describe()}`);
  const font = (await ffmpeg.hasFilter('drawtext')) ? findFont() : null;
  if (!font)
    log(
      'demo content: no usable font or no drawtext filter in this ffmpeg: demo video shows a moving box instead of title and timecode (install fonts-dejavu-core)',
    );
  const packages: string[] = [];
  for (const [i, t] of titles.entries()) {
    const dir = path.join(work, t.meta.id);
    fs.mkdirSync(dir, { recursive: true });
    const titleFile = path.join(dir, 'title.txt');
    fs.writeFileSync(titleFile, t.titles.en);
    const source = path.join(dir, 'source.mp4');
    await ffmpeg.run(demoSourceArgs(t, titleFile, font, source), {
      purpose: `making the demo source for ${t.meta.id}`,
    });
    const subs = demoSubtitles(t.durationS);
    const sidecars = t.pattern
      ? [
          { language: 'en', file: 'en.srt', closedCaptions: true, text: subs.en },
          { language: 'fr', file: 'fr.vtt', closedCaptions: false, text: subs.fr },
          { language: 'de', file: 'de.ttml', closedCaptions: false, text: subs.de },
        ]
      : [];
    for (const s of sidecars) fs.writeFileSync(path.join(dir, s.file), s.text);
    const subtitle = t.meta.series
      ? `${t.meta.series.titles.en} · S${t.meta.series.season} E${t.meta.series.episode}`
      : t.meta.album
        ? t.meta.album.artist
        : t.meta.kind === 'kids'
          ? 'For young flyers'
          : 'An IFEC demo film';
    fs.writeFileSync(path.join(dir, 'poster.png'), await svgToPng(titleCardSvg(t.titles.en, subtitle)));
    const meta = demoMetadata(t);
    meta.sources = {
      ...meta.sources,
      subtitles: sidecars.map(({ language, file, closedCaptions }) => ({ language, file, closedCaptions })),
      artwork: 'poster.png',
    };
    const out = path.join(work, 'packages', t.meta.id);
    const result = await ingestTitle({
      source,
      metadata: meta,
      metadataDir: dir,
      out,
      ladder: 'compact',
      ffmpeg,
      progress: logProgress(() => {}),
      log,
    });
    packages.push(out);
    log(`demo content: ${i + 1}/${titles.length} ${t.meta.id} (${result.seconds.total.toFixed(1)} s)`);
  }
  await buildContentLoad({
    packages,
    out: loadDir,
    privateKeyPem: fs.readFileSync(privateKeyFile, 'utf8'),
    ...DEMO_LOAD,
    force: true,
  });
  fs.rmSync(work, { recursive: true, force: true });
  log(
    `demo content: signed load with ${packages.length} titles at ${loadDir} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

function readRecipe(file: string): { hash: string } | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { hash: string };
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One builder at a time per cache (the appliance and `npm run demo-content` may both ask). */
async function takeLock(lockFile: string, log: (line: string) => void): Promise<() => void> {
  const deadline = Date.now() + 15 * 60_000;
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(lockFile, 'utf8').trim());
      if (!holder || !alive(holder)) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new MediaError(
          'OUTPUT_EXISTS',
          `demo content is being built by process ${holder} for too long (${lockFile})`,
        );
      if (!told) log(`demo content: waiting for process ${holder}, which is building it`);
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
