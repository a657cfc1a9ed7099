/**
 * Reading and writing a passenger session's playback-state Y.Doc (layout and merge rule in
 * resume.ts). Shared by the appliance (anonymous counts at the end of a flight) and by the
 * devices (resume-client.ts). A device writes only entries under its own device tag.
 */
import type * as Y from 'yjs';
import {
  type EpisodeEntry,
  entryKey,
  type LanguageEntry,
  type LastTitleEntry,
  newest,
  type PositionEntry,
  RESUME_MAPS,
  type Stamped,
  splitEntryKey,
} from './resume-layout.ts';

function map<T>(doc: Y.Doc, name: string): Y.Map<T> {
  return doc.getMap<T>(name);
}

function pick<T extends Stamped>(
  doc: Y.Doc,
  name: string,
  subject: string | undefined,
): { device: string; entry: T } | undefined {
  const entries: { device: string; entry: T }[] = [];
  map<T>(doc, name).forEach((entry, key) => {
    if (subject === undefined) entries.push({ device: key, entry });
    else {
      const parts = splitEntryKey(key);
      if (parts?.subject === subject) entries.push({ device: parts.device, entry });
    }
  });
  return newest(entries as { device: string; entry: T & { positionS?: number } }[]);
}

export function writePosition(doc: Y.Doc, device: string, titleId: string, entry: PositionEntry): void {
  map<PositionEntry>(doc, RESUME_MAPS.positions).set(entryKey(titleId, device), entry);
}

/** Where to resume a title: the newest entry of any device (see `newest`). */
export function resumePoint(doc: Y.Doc, titleId: string): (PositionEntry & { device: string }) | undefined {
  const best = pick<PositionEntry>(doc, RESUME_MAPS.positions, titleId);
  return best && { ...best.entry, device: best.device };
}

/** Every device's entry for a title, e.g. to show "continue from the seat's position". */
export function positionsOf(doc: Y.Doc, titleId: string): Record<string, PositionEntry> {
  const out: Record<string, PositionEntry> = {};
  map<PositionEntry>(doc, RESUME_MAPS.positions).forEach((entry, key) => {
    const parts = splitEntryKey(key);
    if (parts?.subject === titleId) out[parts.device] = entry;
  });
  return out;
}

export function writeLastTitle(doc: Y.Doc, device: string, entry: LastTitleEntry): void {
  map<LastTitleEntry>(doc, RESUME_MAPS.lastTitle).set(device, entry);
}

export function lastTitle(doc: Y.Doc): LastTitleEntry | undefined {
  return pick<LastTitleEntry>(doc, RESUME_MAPS.lastTitle, undefined)?.entry;
}

export function writeLanguages(doc: Y.Doc, device: string, entry: LanguageEntry): void {
  map<LanguageEntry>(doc, RESUME_MAPS.languages).set(device, entry);
}

export function languages(doc: Y.Doc): LanguageEntry | undefined {
  return pick<LanguageEntry>(doc, RESUME_MAPS.languages, undefined)?.entry;
}

export function writeEpisode(doc: Y.Doc, device: string, seriesId: string, entry: EpisodeEntry): void {
  map<EpisodeEntry>(doc, RESUME_MAPS.episodes).set(entryKey(seriesId, device), entry);
}

export function episode(doc: Y.Doc, seriesId: string): EpisodeEntry | undefined {
  return pick<EpisodeEntry>(doc, RESUME_MAPS.episodes, seriesId)?.entry;
}

/** Titles the session played and the furthest position reached: the anonymous count at the end. */
export function titlesPlayed(doc: Y.Doc): Map<string, number> {
  const out = new Map<string, number>();
  map<PositionEntry>(doc, RESUME_MAPS.positions).forEach((entry, key) => {
    const parts = splitEntryKey(key);
    if (parts) out.set(parts.subject, Math.max(out.get(parts.subject) ?? 0, entry.positionS));
  });
  return out;
}
