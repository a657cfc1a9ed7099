/** What other programs use from the media pipeline (the appliance: demo content). */

export { type DemoContent, type DemoOptions, demoRecipeHash, ensureDemoContent } from './demo/ensure.ts';
export { DEMO_TITLES } from './demo/recipe.ts';
export { MediaError, type MediaErrorCode } from './errors.ts';
export { decryptSegment, encryptRendition, sequenceIv } from './ingest/encrypt.ts';
export { type IngestOptions, type IngestResult, ingestTitle, PIPELINE_VERSION } from './ingest/ingest.ts';
export { LADDERS, type Ladder, type LadderName, type VideoRung } from './ingest/ladder.ts';
export { withKeyTag } from './ingest/playlists.ts';
export {
  type SeekPreviewLayout,
  seekPreviewCues,
  seekPreviewEntry,
  seekPreviewLayout,
} from './ingest/seek-preview.ts';
export { type BuildLoadOptions, buildContentLoad } from './load/build.ts';
export { writeSigningKeys } from './load/signing-keys.ts';
export { logProgress, type Progress, silentProgress, terminalProgress } from './progress.ts';
export { findMediaBinaries } from './tools/binaries.ts';
export { Ffmpeg } from './tools/ffmpeg.ts';
export { seekPreviewFilter, seekPreviewOutputArgs } from './tools/ffmpeg-commands.ts';
