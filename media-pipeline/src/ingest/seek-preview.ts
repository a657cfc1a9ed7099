/**
 * How a title's seek preview is laid out: one 160x90 picture every few seconds, tiled ten
 * across and up to ten down into JPEG sheets, and the thumbnails track that says which cell
 * shows which moment (format in protocol/src/seek-preview.ts). Pure: ffmpeg-commands.ts builds
 * the filter from it and ingest.ts writes the track from it.
 */
import { type PackageSeekPreview, SEEK_PREVIEW_DIR, SEEK_PREVIEW_TRACK, type SeekPreviewCue } from '@ifec/protocol';

export const SEEK_PREVIEW_WIDTH = 160;
export const SEEK_PREVIEW_HEIGHT = 90;
export const SEEK_PREVIEW_COLUMNS = 10;
export const SEEK_PREVIEW_MAX_ROWS = 10;
/** ffmpeg's image2 pattern for the sheets (numbered from 1). */
export const SEEK_PREVIEW_SHEET_PATTERN = 'sheet-%03d.jpg';
/** Longest gap between two pictures: a 2-hour film gets 720 pictures in 8 sheets (about 1 MB). */
export const SEEK_PREVIEW_MAX_INTERVAL_S = 10;

export interface SeekPreviewLayout {
  intervalS: number;
  width: number;
  height: number;
  columns: number;
  /** Rows of every sheet (all sheets are the same size; the last one may have empty cells). */
  rows: number;
  /** Pictures, at 0, intervalS, 2·intervalS … before the end. */
  count: number;
  /** Sheet paths inside the package, in order. */
  sheets: string[];
}

/**
 * One picture a second for a short title, one every 10 s from 10 minutes up: a scrub across
 * a clip still moves through pictures, and a long film stays small.
 */
export function seekPreviewInterval(durationS: number): number {
  return Math.min(SEEK_PREVIEW_MAX_INTERVAL_S, Math.max(1, Math.ceil(durationS / 60)));
}

export function seekPreviewLayout(durationS: number): SeekPreviewLayout {
  const intervalS = seekPreviewInterval(durationS);
  const count = Math.max(1, Math.ceil(durationS / intervalS - 1e-9));
  const perSheetMax = SEEK_PREVIEW_COLUMNS * SEEK_PREVIEW_MAX_ROWS;
  const rows = count >= perSheetMax ? SEEK_PREVIEW_MAX_ROWS : Math.ceil(count / SEEK_PREVIEW_COLUMNS);
  const sheetCount = Math.ceil(count / (SEEK_PREVIEW_COLUMNS * rows));
  return {
    intervalS,
    width: SEEK_PREVIEW_WIDTH,
    height: SEEK_PREVIEW_HEIGHT,
    columns: SEEK_PREVIEW_COLUMNS,
    rows,
    count,
    sheets: Array.from(
      { length: sheetCount },
      (_, i) => `${SEEK_PREVIEW_DIR}/${SEEK_PREVIEW_SHEET_PATTERN.replace('%03d', String(i + 1).padStart(3, '0'))}`,
    ),
  };
}

/** The track's cues: picture k covers [k·interval, (k+1)·interval), the last one ends with the title. */
export function seekPreviewCues(layout: SeekPreviewLayout, durationS: number): SeekPreviewCue[] {
  const perSheet = layout.columns * layout.rows;
  return Array.from({ length: layout.count }, (_, k) => {
    const cell = k % perSheet;
    const sheet = layout.sheets[Math.floor(k / perSheet)]!;
    return {
      startS: k * layout.intervalS,
      endS: Math.min((k + 1) * layout.intervalS, Math.max(durationS, k * layout.intervalS + 0.001)),
      // Relative to the track, which sits beside the sheets.
      image: sheet.slice(SEEK_PREVIEW_DIR.length + 1),
      x: (cell % layout.columns) * layout.width,
      y: Math.floor(cell / layout.columns) * layout.height,
      width: layout.width,
      height: layout.height,
    };
  });
}

/** The manifest's record of it. */
export function seekPreviewEntry(layout: SeekPreviewLayout): PackageSeekPreview {
  return {
    track: SEEK_PREVIEW_TRACK,
    intervalS: layout.intervalS,
    width: layout.width,
    height: layout.height,
    count: layout.count,
    sheets: layout.sheets,
  };
}
