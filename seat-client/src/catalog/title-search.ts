/**
 * Plain word search over the catalogue (search screen and index). Apart from model.ts: the folding
 * lives beside protocol's replication schemas, which a cold start does not load.
 */
import { foldForSearch } from '@ifec/protocol';
import type { TitleView } from './model.ts';

export { foldForSearch };

/** Matches every word of the query against the title in every language, its people and genres. */
export function searchTitles(titles: TitleView[], query: string): TitleView[] {
  const words = foldForSearch(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return titles.filter((t) => {
    const haystack = foldForSearch(
      [
        ...Object.values(t.titles),
        ...Object.values(t.series?.titles ?? {}),
        ...Object.values(t.album?.titles ?? {}),
        t.album?.artist ?? '',
        ...t.cast.map((c) => c.name),
        ...t.genres,
      ].join(' \u0000 '),
    );
    return words.every((w) => haystack.includes(w));
  });
}
