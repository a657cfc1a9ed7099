/** What other programs use from the media pipeline (the appliance: demo content). */
export { MediaError, type MediaErrorCode } from './errors.ts';
export { ingestTitle, PIPELINE_VERSION, type IngestOptions, type IngestResult } from './ingest/ingest.ts';
export { LADDERS, type Ladder, type LadderName, type VideoRung } from './ingest/ladder.ts';
export { decryptSegment } from './ingest/encrypt.ts';
export { buildContentLoad, type BuildLoadOptions } from './load/build.ts';
export { writeSigningKeys } from './load/signing-keys.ts';
export { Ffmpeg } from './tools/ffmpeg.ts';
export { findMediaBinaries } from './tools/binaries.ts';
export { logProgress, silentProgress, terminalProgress, type Progress } from './progress.ts';
export { ensureDemoContent, demoRecipeHash, type DemoContent, type DemoOptions } from './demo/ensure.ts';
export { DEMO_TITLES } from './demo/recipe.ts';
