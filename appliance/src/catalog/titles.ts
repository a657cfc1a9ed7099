/**
 * The one projection of a title package manifest to what a seat sees of it (protocol's `catalogTitle`): the editorial part, the languages
 * on offer, artwork and playlist URLs on the HLS origin, and the text search folds over.
 * Pure: the same manifest always gives the same document, so re-projecting an unchanged
 * load changes nothing and sends nothing to the seats.
 */
import { type CatalogTitle, foldForSearch, type TitleManifest } from '@ifec/protocol';

/** Where the HLS origin serves a title package's files. */
export function originUrl(titleId: string, pathInPackage: string): string {
  return `/hls/${titleId}/${pathInPackage}`;
}

export function projectTitle(loadId: string, m: TitleManifest): CatalogTitle {
  const images = m.images.map((i) => ({
    role: i.role,
    width: i.width,
    height: i.height,
    format: i.format,
    url: originUrl(m.id, i.path),
  }));
  const doc: CatalogTitle = {
    id: m.id,
    loadId,
    kind: m.kind,
    titles: m.titles,
    synopses: m.synopses,
    genres: m.genres,
    cast: m.cast.map((c) =>
      c.character ? { name: c.name, role: c.role, character: c.character } : { name: c.name, role: c.role },
    ),
    rating: m.rating,
    originalLanguage: m.originalLanguage,
    durationS: m.durationS,
    audioLanguages: m.audioLanguages.map((a) => ({ language: a.language, audioDescription: a.audioDescription })),
    subtitleLanguages: m.subtitleLanguages.map((s) => ({ language: s.language, closedCaptions: s.closedCaptions })),
    rights: m.rights,
    priceTier: m.priceTier,
    licence: { start: m.licence.start, end: m.licence.end },
    regions: { allowed: m.regions.allowed, blocked: m.regions.blocked },
    addedAt: m.licence.start,
    images,
    master: originUrl(m.id, m.hls.master),
    searchText: searchTextOf(m),
  };
  if (m.series) doc.series = m.series;
  if (m.album) doc.album = m.album;
  if (m.releaseYear !== undefined) doc.releaseYear = m.releaseYear;
  if (m.featured !== undefined) doc.featured = m.featured;
  const poster = preferred(images, 'poster');
  const backdrop = preferred(images, 'backdrop');
  if (poster) doc.poster = poster;
  if (backdrop) doc.backdrop = backdrop;
  return doc;
}

/** The largest webp of a role (seatback screens are the larger audience), else any format. */
function preferred(images: CatalogTitle['images'], role: 'poster' | 'backdrop'): string | undefined {
  const ofRole = images
    .filter((i) => i.role === role)
    .sort((a, b) => (a.format === b.format ? b.width - a.width : a.format === 'webp' ? -1 : 1));
  return ofRole[0]?.url;
}

function searchTextOf(m: TitleManifest): string {
  const parts = [
    ...Object.values(m.titles),
    ...Object.values(m.series?.titles ?? {}),
    ...Object.values(m.album?.titles ?? {}),
    m.album?.artist ?? '',
    ...m.cast.map((c) => c.name),
    ...m.genres,
  ];
  return foldForSearch([...new Set(parts.filter(Boolean))].join('\n'));
}

/** Stable JSON (keys sorted) so two documents with the same content compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
