/**
 * `ifec-media ingest`: one source file + title.json -> one title package (layout in
 * protocol/src/content.ts). Probes first and fails before writing anything when the source or
 * metadata is unusable; builds everything in a staging directory and renames it at the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CONTENT_SCHEMA_VERSION,
  keyUri,
  PACKAGE_MANIFEST_FILE,
  SEEK_PREVIEW_DIR,
  SEEK_PREVIEW_TRACK,
  seekPreviewTrack,
  type TitleManifest,
  type TitleMetadata,
  titleManifest,
} from '@ifec/protocol';
import { MediaError } from '../errors.ts';
import {
  assertOutputFree,
  commitStaging,
  describeFiles,
  discardStaging,
  stagingDirFor,
  walkFiles,
} from '../package/files.ts';
import { type Progress, silentProgress } from '../progress.ts';
import { Ffmpeg } from '../tools/ffmpeg.ts';
import {
  frameGrabArgs,
  INIT_FILE,
  MEDIA_PLAYLIST_FILE,
  subtitleToWebVttArgs,
  transcodeArgs,
} from '../tools/ffmpeg-commands.ts';
import { renderImages, svgToPng } from '../tools/images.ts';
import { imagePlan } from './artwork.ts';
import { avcCodecFromInit } from './codecs.ts';
import { type EncryptedRendition, encryptRendition, newContentKey } from './encrypt.ts';
import { LADDERS, type LadderName, rungsFor } from './ladder.ts';
import { readTitleMetadata } from './metadata.ts';
import { AAC_LC_CODEC, masterPlaylist, segmentBitrates, subtitlePlaylist } from './playlists.ts';
import { seekPreviewCues, seekPreviewEntry, seekPreviewLayout } from './seek-preview.ts';
import { audioRenditionName, describeSource, type SourceInfo } from './source.ts';
import { sidecarFormat, ttmlToWebVtt } from './subtitles.ts';
import { titleCardSvg } from './title-card.ts';

/** 0.3.0: seek preview sheets and track for titles with video. 0.2.0: one key tag per playlist with sequence-number IVs; no rung above the source. */
export const PIPELINE_VERSION = '0.3.0';
/** The package's own key directory; `load build` moves keys to `<load>/keys/`. */
export const PACKAGE_KEYS_DIR = 'keys';

export interface IngestOptions {
  source: string;
  /** title.json; or pass `metadata` (and `metadataDir` for relative sidecar paths). */
  metaFile?: string;
  metadata?: TitleMetadata;
  metadataDir?: string;
  out: string;
  ladder?: LadderName;
  /** Replace an existing package at `out`. */
  force?: boolean;
  ffmpeg?: Ffmpeg;
  progress?: Progress;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface IngestResult {
  dir: string;
  manifest: TitleManifest;
  keyFile: string;
  bytes: number;
  seconds: { total: number; transcode: number };
}

interface SubtitleJob {
  language: string;
  closedCaptions: boolean;
  file: string;
  dirName: string;
}

export async function ingestTitle(options: IngestOptions): Promise<IngestResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const progress = options.progress ?? silentProgress();
  const now = options.now ?? (() => new Date());
  const ladder = LADDERS[options.ladder ?? 'standard'];

  // 1. Everything that can be wrong with the inputs is found before anything is written.
  if (!options.metadata && !options.metaFile) throw new MediaError('USAGE', 'ingest needs --meta <title.json>');
  const meta = options.metadata ?? readTitleMetadata(options.metaFile!);
  const metaDir =
    options.metadataDir ?? (options.metaFile ? path.dirname(path.resolve(options.metaFile)) : process.cwd());
  if (!fs.existsSync(options.source) || !fs.statSync(options.source).isFile()) {
    throw new MediaError('SOURCE_MISSING', `source ${options.source} does not exist`);
  }
  assertOutputFree(options.out, options.force ?? false);
  const ffmpeg = options.ffmpeg ?? Ffmpeg.locate();
  // The version goes into the manifest; asked now, beside the probe, so that spawning
  // `ffmpeg -version` is not one more serial step after the transcode (bench/media.ts).
  const ffmpegVersion = ffmpeg.version();
  if (!options.ffmpeg) log(await ffmpeg.describe()); // a caller that passes one has said which it is
  const source = describeSource(await ffmpeg.probe(options.source), meta, options.source);
  const subtitles = planSubtitles(meta, metaDir);
  const artwork = meta.sources?.artwork ? path.resolve(metaDir, meta.sources.artwork) : null;
  if (artwork && !fs.existsSync(artwork)) throw new MediaError('SIDECAR_MISSING', `artwork ${artwork} does not exist`);

  const staging = stagingDirFor(options.out);
  try {
    const { keyId, key } = newContentKey();
    const hls = path.join(staging, 'hls');
    const rungs = source.video ? rungsFor(ladder, source.video) : [];
    const videoDirs = rungs.map((rung) => path.join(hls, 'video', rung.name));
    const audioDirs = source.audio.map((a) => path.join(hls, 'audio', audioRenditionName(a)));
    // Seek preview pictures come out of the transcode's own decode (ffmpeg-commands.ts).
    const preview = source.video ? seekPreviewLayout(source.durationS) : undefined;
    const previewDir = path.join(staging, SEEK_PREVIEW_DIR);
    for (const dir of [...videoDirs, ...audioDirs]) fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(staging, 'images'));
    if (preview) fs.mkdirSync(previewDir);

    // 2. The transcode is the long job; images and subtitles run beside it.
    const transcodeStarted = Date.now();
    const transcodeJob = progress.job('transcode', source.durationS, 's');
    const transcode = ffmpeg
      .run(
        transcodeArgs({
          source: options.source,
          ladder,
          video: videoDirs.map((dir, i) => ({ dir, rung: rungs[i]! })),
          audio: source.audio.map((a, i) => ({ audioIndex: a.audioIndex, dir: audioDirs[i]! })),
          fps: source.video?.fps ?? 25,
          ...(preview ? { seekPreview: { dir: previewDir, layout: preview } } : {}),
        }),
        { purpose: `transcoding ${options.source}`, onProgress: (s) => transcodeJob.update(s) },
      )
      .then(() => transcodeJob.finish(`${videoDirs.length} video + ${audioDirs.length} audio renditions`));
    const sideJobs = Promise.all([
      makeImages(ffmpeg, options.source, source, artwork, meta, staging, progress),
      makeSubtitles(ffmpeg, subtitles, source.durationS, hls, progress),
    ]);
    await Promise.all([transcode, sideJobs]);
    const transcodeSeconds = (Date.now() - transcodeStarted) / 1000;
    if (preview) {
      const missing = preview.sheets.filter((sheet) => !fs.existsSync(path.join(staging, sheet)));
      if (missing.length)
        throw new MediaError(
          'FFMPEG_FAILED',
          `ffmpeg wrote no seek preview sheet ${missing.join(', ')} for ${options.source}`,
        );
      fs.writeFileSync(
        path.join(staging, SEEK_PREVIEW_TRACK),
        seekPreviewTrack(seekPreviewCues(preview, source.durationS)),
      );
    }

    // 3. Encrypt media segments (init sections stay clear), then write the master playlist.
    const uri = keyUri(keyId);
    const renditionDirs = [...videoDirs, ...audioDirs];
    const encryptJob = progress.job('encrypt', renditionDirs.length, 'renditions');
    const encrypted = new Map<string, EncryptedRendition>();
    renditionDirs.forEach((dir, i) => {
      encrypted.set(dir, encryptRendition(dir, key, uri));
      encryptJob.update(i + 1);
    });
    encryptJob.finish();

    const audioRates = audioDirs.map((dir) => segmentBitrates(encrypted.get(dir)!.segments));
    const audioPeak = Math.max(0, ...audioRates.map((r) => r.peak));
    const audioAverage = Math.max(0, ...audioRates.map((r) => r.average));
    const rel = (dir: string) => path.relative(hls, dir).split(path.sep).join('/');
    const videoEntries = videoDirs.map((dir, i) => {
      const rung = rungs[i]!;
      const rates = segmentBitrates(encrypted.get(dir)!.segments);
      return {
        rung,
        uri: `${rel(dir)}/${MEDIA_PLAYLIST_FILE}`,
        codecs: avcCodecFromInit(fs.readFileSync(path.join(dir, INIT_FILE))),
        bandwidth: rates.peak + audioPeak,
        averageBandwidth: rates.average + audioAverage,
      };
    });
    const defaultAudio = source.audio.findIndex((a) => a.language === meta.originalLanguage && !a.audioDescription);
    const audioEntries = source.audio.map((a, i) => ({
      uri: `${rel(audioDirs[i]!)}/${MEDIA_PLAYLIST_FILE}`,
      language: a.language,
      audioDescription: a.audioDescription,
      isDefault: i === Math.max(0, defaultAudio),
    }));
    const subtitleEntries = subtitles.map((s) => ({
      uri: `subtitles/${s.dirName}/${MEDIA_PLAYLIST_FILE}`,
      language: s.language,
      closedCaptions: s.closedCaptions,
      isDefault: false,
    }));
    fs.writeFileSync(
      path.join(hls, 'master.m3u8'),
      masterPlaylist({
        video: videoEntries.map((v) => ({
          uri: v.uri,
          width: v.rung.width,
          height: v.rung.height,
          fps: source.video!.fps,
          codecs: v.codecs,
          bandwidth: v.bandwidth,
          averageBandwidth: v.averageBandwidth,
        })),
        audio: audioEntries,
        subtitles: subtitleEntries,
        audioOnly:
          source.video || audioEntries.length === 0
            ? undefined
            : {
                uri: audioEntries[Math.max(0, defaultAudio)]!.uri,
                bandwidth: audioPeak,
                averageBandwidth: audioAverage,
              },
      }),
    );

    // 4. The key goes beside the package tree, never inside hls/.
    fs.mkdirSync(path.join(staging, PACKAGE_KEYS_DIR), { mode: 0o700 });
    const keyRel = `${PACKAGE_KEYS_DIR}/${keyId}.key`;
    fs.writeFileSync(path.join(staging, keyRel), key, { mode: 0o600 });

    // 5. Manifest with every file's size and sha256.
    const checksumJob = progress.job('checksums', 1, 'package');
    const files = await describeFiles(
      staging,
      walkFiles(staging, (r) => r === PACKAGE_MANIFEST_FILE || r === PACKAGE_KEYS_DIR),
    );
    checksumJob.finish(`${files.length} files`);
    const { sources: _sources, ...editorial } = meta;
    const manifest = titleManifest.parse({
      schemaVersion: CONTENT_SCHEMA_VERSION,
      ...editorial,
      durationS: Math.round(source.durationS * 1000) / 1000,
      audioLanguages: audioEntries.map((a) => ({
        language: a.language,
        audioDescription: a.audioDescription,
        playlist: `hls/${a.uri}`,
      })),
      subtitleLanguages: subtitleEntries.map((s) => ({
        language: s.language,
        closedCaptions: s.closedCaptions,
        playlist: `hls/${s.uri}`,
      })),
      images: imagePlan(),
      ...(preview ? { seekPreview: seekPreviewEntry(preview) } : {}),
      hls: {
        master: 'hls/master.m3u8',
        segmentDurationS: ladder.segmentS,
        video: videoEntries.map((v) => ({
          name: v.rung.name,
          width: v.rung.width,
          height: v.rung.height,
          bandwidth: v.bandwidth,
          codecs: audioEntries.length ? `${v.codecs},${AAC_LC_CODEC}` : v.codecs,
          audience: v.rung.audience,
          playlist: `hls/${v.uri}`,
        })),
      },
      keyId,
      encryption: { method: 'AES-128', keyUri: uri },
      files,
      createdAt: now().toISOString(),
      pipeline: { version: PIPELINE_VERSION, ffmpeg: await ffmpegVersion },
    });
    fs.writeFileSync(path.join(staging, PACKAGE_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

    commitStaging(staging, options.out);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    return {
      dir: path.resolve(options.out),
      manifest,
      keyFile: path.join(path.resolve(options.out), keyRel),
      bytes,
      seconds: { total: (Date.now() - started) / 1000, transcode: transcodeSeconds },
    };
  } catch (error) {
    discardStaging(staging);
    throw error;
  }
}

function planSubtitles(meta: TitleMetadata, metaDir: string): SubtitleJob[] {
  const seen = new Set<string>();
  return (meta.sources?.subtitles ?? []).map((s) => {
    const file = path.resolve(metaDir, s.file);
    if (!fs.existsSync(file))
      throw new MediaError('SIDECAR_MISSING', `subtitle file ${file} (${s.language}) does not exist`);
    sidecarFormat(file);
    const dirName = `${s.language}${s.closedCaptions ? '-cc' : ''}`;
    if (seen.has(dirName)) throw new MediaError('METADATA_INVALID', `two subtitle files for ${dirName}`);
    seen.add(dirName);
    return { language: s.language, closedCaptions: s.closedCaptions, file, dirName };
  });
}

async function makeSubtitles(
  ffmpeg: Ffmpeg,
  jobs: SubtitleJob[],
  durationS: number,
  hls: string,
  progress: Progress,
): Promise<void> {
  if (jobs.length === 0) return;
  const job = progress.job('subtitles', jobs.length, 'files');
  let done = 0;
  for (const s of jobs) {
    const dir = path.join(hls, 'subtitles', s.dirName);
    fs.mkdirSync(dir, { recursive: true });
    const vtt = path.join(dir, 'subtitles.vtt');
    if (sidecarFormat(s.file) === 'ttml') fs.writeFileSync(vtt, ttmlToWebVtt(fs.readFileSync(s.file, 'utf8'), s.file));
    else {
      await ffmpeg
        .run(subtitleToWebVttArgs(s.file, vtt), { purpose: `converting subtitles ${s.file}` })
        .catch((error: unknown) => {
          throw new MediaError(
            'SIDECAR_INVALID',
            `subtitle file ${s.file} cannot be read: ${(error as Error).message}`,
          );
        });
    }
    fs.writeFileSync(path.join(dir, MEDIA_PLAYLIST_FILE), subtitlePlaylist('subtitles.vtt', durationS));
    job.update(++done);
  }
  job.finish();
}

async function makeImages(
  ffmpeg: Ffmpeg,
  sourceFile: string,
  source: SourceInfo,
  artwork: string | null,
  meta: TitleMetadata,
  staging: string,
  progress: Progress,
): Promise<void> {
  const job = progress.job('images', 1, 'set');
  let picture: string | Buffer;
  if (artwork) picture = artwork;
  else if (source.video) {
    picture = path.join(staging, '.frame.png');
    await ffmpeg.run(frameGrabArgs(sourceFile, Math.min(source.durationS * 0.2, 60), picture), {
      purpose: 'grabbing a poster frame',
    });
  } else {
    const title = meta.titles.en ?? Object.values(meta.titles)[0]!;
    picture = await svgToPng(titleCardSvg(title, meta.album?.artist ?? ''));
  }
  const plan = imagePlan();
  await renderImages(
    picture,
    plan.map((img) => ({
      width: img.width,
      height: img.height,
      format: img.format,
      out: path.join(staging, img.path),
    })),
  );
  if (typeof picture === 'string' && picture.endsWith('.frame.png')) fs.rmSync(picture);
  job.finish(`${plan.length} images`);
}
