/**
 * The search index (MiniSearch, loaded with the search screen only): every language's title,
 * series, album, artist, people and genre names (the content load's and each UI language's
 * word for it), with typo tolerance ("Nothern Lihgts") and prefixes while typing. Scripts
 * written without spaces (Japanese, Chinese) also match anywhere inside a name.
 */
import MiniSearch from 'minisearch';
import { screenStrings } from '../i18n/screen-strings.ts';
import type { TitleView } from './model.ts';
import { foldForSearch, searchTitles } from './title-search.ts';

interface Doc {
  id: string;
  names: string;
  people: string;
  genres: string;
}

/** Two edits from 6 letters, one from 4, none below: "lihgts" finds "lights", "tv" finds only "tv". */
function fuzziness(term: string): number {
  return term.length >= 6 ? 2 : term.length >= 4 ? 1 : 0;
}

export class SearchIndex {
  private readonly mini = new MiniSearch<Doc>({
    fields: ['names', 'people', 'genres'],
    processTerm: (term) => foldForSearch(term) || null,
    searchOptions: {
      boost: { names: 3, people: 1.5 },
      prefix: true,
      fuzzy: (term) => fuzziness(term) / Math.max(1, term.length),
    },
  });
  private readonly byId: Map<string, TitleView>;

  constructor(private readonly titles: TitleView[]) {
    this.byId = new Map(titles.map((t) => [t.id, t]));
    this.mini.addAll(
      titles.map((t) => ({
        id: t.id,
        names: [
          ...Object.values(t.titles),
          ...Object.values(t.series?.titles ?? {}),
          ...Object.values(t.album?.titles ?? {}),
          t.album?.artist ?? '',
        ].join(' \n '),
        people: t.cast.map((c) => c.name).join(' \n '),
        genres: t.genres
          .flatMap((g) => [
            g,
            ...Object.values(screenStrings).map((s) => (s.genres as Record<string, string>)[g] ?? ''),
          ])
          .join(' \n '),
      })),
    );
  }

  /** Best match first; every word must match, with typos. */
  search(query: string): TitleView[] {
    const q = query.trim();
    if (!q) return [];
    // Exact substring matches first (any script, no word boundaries needed), then the index's.
    const exact = searchTitles(this.titles, q);
    // Every word must match (a typo each allowed): a title matching only some words is not offered.
    const ranked = this.mini.search(q, { combineWith: 'AND' });
    const out = new Map<string, TitleView>(exact.map((t) => [t.id, t]));
    for (const r of ranked) {
      const t = this.byId.get(String(r.id));
      if (t) out.set(t.id, t);
    }
    return [...out.values()];
  }
}
