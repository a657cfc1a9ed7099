/**
 * Search: typo-tolerant over every language's metadata (MiniSearch, loaded with this screen),
 * suggestions while typing, recent and popular searches on the empty screen, and an
 * on-screen keyboard on the seat (a kiosk has no system keyboard).
 */
import type { AppContext, View } from '../app/context.ts';
import { genreName, screenStrings } from '../i18n/screen-strings.ts';
import { recommendationsApiOf, searchSignaller } from '../recommendations/reco-api.ts';
import { h, replace } from '../ui/dom.ts';
import { grid } from './cards.ts';
import type { SearchIndex } from './search-index.ts';
import { foldForSearch, searchTitles } from './title-search.ts';

const RECENT_KEY = 'ifec.search.recent.v1';
const RECENT_MAX = 6;

/** The passenger's last searches on this device (cleared with the seat's personal data). */
export function recentSearches(storage: Storage): string[] {
  try {
    const list = JSON.parse(storage.getItem(RECENT_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

function remember(storage: Storage, query: string): void {
  const q = query.trim();
  if (q.length < 2) return;
  const list = [q, ...recentSearches(storage).filter((x) => x.toLocaleLowerCase() !== q.toLocaleLowerCase())];
  storage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, RECENT_MAX)));
}

/** Keys of the on-screen keyboard: the UI language's letters where it has its own script, else Latin. */
const LAYOUTS: Record<string, string[]> = {
  latin: ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'],
  ar: ['١٢٣٤٥٦٧٨٩٠', 'ضصثقفغعهخحج', 'شسيبلاتنمكط', 'ئءؤرىةوزظد'],
  ja: ['あいうえおかきくけこ', 'さしすせそたちつてと', 'なにぬねのはひふへほ', 'まみむめもやゆよらりるれろわをんー'],
  ko: ['ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ', 'ㅁㄴㅇㄹㅎㅗㅓㅏㅣ', 'ㅋㅌㅊㅍㅠㅜㅡ'],
  hi: ['अआइईउऊएऐओऔ', 'कखगघचछजझटठ', 'डढणतथदधनपफ', 'बभमयरलवशसह'],
};

export function searchScreen(ctx: AppContext, initial: string): View {
  const locale = ctx.locale();
  const { t } = locale;
  const s = screenStrings[locale.lang];
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  const suggestions = h('div', { class: 'search-suggestions', id: 'search-suggestions' });
  const empty = h('div', { class: 'search-empty', id: 'search-empty' });
  // Kept by the appliance only if the passenger opted in to personalisation.
  const signalSearch = searchSignaller(recommendationsApiOf(ctx));
  let index: Pick<SearchIndex, 'search'> | undefined;
  let build: () => Pick<SearchIndex, 'search'> = () => ({ search: (q: string) => searchTitles(ctx.titles(), q) });
  // The index's chunk normally sits in the offline cache; if it cannot load, plain matching still answers.
  const loading: Promise<Pick<SearchIndex, 'search'>> = import('./search-index.ts').then(
    ({ SearchIndex }) => {
      build = () => new SearchIndex(ctx.titles());
      index = build();
      return index;
    },
    () => {
      index = build();
      return index;
    },
  );
  const chip = (text: string, cls = 'chip') =>
    h('button', { type: 'button', class: `button secondary ${cls}`, onClick: () => setQuery(text, true) }, text);
  const showEmpty = () => {
    const recent = recentSearches(localStorage);
    const popularRow = recommendationsApiOf(ctx)
      .last.get(locale.lang)
      ?.rows.find((r) => r.kind === 'popular' || r.kind === 'popular-route' || r.kind === 'popular-region');
    const popular = (popularRow?.items ?? [])
      .map((i) => ctx.title(i.titleId))
      .filter((x) => x !== undefined)
      .map((x) => locale.pick(x.series?.titles ?? x.album?.titles ?? x.titles));
    const genres = [...new Set(ctx.titles().flatMap((x) => x.genres))].map((g) => genreName(g, locale.lang));
    replace(
      empty,
      recent.length
        ? h(
            'section',
            { 'aria-labelledby': 'recent-searches' },
            h('h2', { id: 'recent-searches' }, s.recentSearches),
            h(
              'div',
              { class: 'chips' },
              recent.map((q) => chip(q, 'chip recent')),
              h(
                'button',
                {
                  type: 'button',
                  class: 'button secondary chip',
                  id: 'clear-recent',
                  onClick: () => {
                    localStorage.removeItem(RECENT_KEY);
                    showEmpty();
                  },
                },
                s.clearRecent,
              ),
            ),
          )
        : null,
      h(
        'section',
        { 'aria-labelledby': 'popular-searches' },
        // Popular on board when the appliance has said what is; else the catalogue's genres to start from.
        h('h2', { id: 'popular-searches' }, popular.length ? s.popularSearches : t.searchPlaceholder),
        h(
          'div',
          { class: 'chips' },
          [...new Set(popular.length ? popular : genres)].slice(0, 8).map((q) => chip(q, 'chip popular')),
        ),
      ),
    );
  };
  const show = (q: string) => {
    const query = q.trim();
    empty.hidden = query.length > 0;
    if (!query) {
      delete results.dataset.query;
      replace(results);
      replace(suggestions);
      showEmpty();
      return;
    }
    const draw = (ix: Pick<SearchIndex, 'search'>) => {
      if (input.value.trim() !== query) return;
      const found = ix.search(query);
      // "Did you mean": what a typo found, named in the passenger's language (series and albums by their own name).
      const folded = foldForSearch(query);
      const words = [...new Set(found.map((x) => locale.pick(x.series?.titles ?? x.album?.titles ?? x.titles)))]
        .filter((name) => !foldForSearch(name).includes(folded))
        .slice(0, 4);
      replace(
        suggestions,
        words.length
          ? [h('span', { class: 'suggestions-label' }, s.suggestions), words.map((w) => chip(w, 'chip suggestion'))]
          : null,
      );
      replace(results, grid(found, locale, t.noResults));
      // Which query the results answer: the index may arrive after the passenger typed (tests wait on it).
      results.dataset.query = query;
    };
    if (index) draw(index);
    else void loading.then(draw);
  };
  const setQuery = (q: string, save = false) => {
    input.value = q;
    history.replaceState(null, '', `#/search?q=${encodeURIComponent(q)}`);
    show(q);
    signalSearch(q);
    if (save) remember(localStorage, q);
  };
  const input = h('input', {
    type: 'search',
    id: 'search-input',
    class: 'search-input',
    placeholder: t.searchPlaceholder,
    value: initial,
    autocomplete: 'off',
    spellcheck: 'false',
    enterkeyhint: 'search',
    onInput: (e: Event) => setQuery((e.target as HTMLInputElement).value),
  });
  // Opening a result keeps the search among the recent ones.
  results.addEventListener('click', (e) => {
    if ((e.target as Element).closest('a.card-link')) remember(localStorage, input.value);
  });
  const keyboard =
    ctx.screen.device === 'seatback'
      ? onScreenKeyboard(locale.lang, s, (key) => {
          const v = input.value;
          setQuery(key === 'delete' ? v.slice(0, -1) : key === 'space' ? `${v} ` : v + key);
        })
      : null;
  show(initial);
  const el = h(
    'div',
    { class: 'search' },
    h('h1', {}, h('label', { for: 'search-input' }, t.search)),
    h(
      'form',
      {
        role: 'search',
        onSubmit: (e: Event) => {
          e.preventDefault();
          remember(localStorage, input.value);
        },
      },
      input,
    ),
    keyboard,
    suggestions,
    empty,
    results,
  );
  queueMicrotask(() => input.focus());
  // The catalogue may still be arriving (a cold start's replication, a new content load) or the
  // airspace may hide titles: the results follow what is on board now, the typed query stays.
  const follow = () => {
    if (index) index = build();
    show(input.value);
  };
  const stopCatalog = ctx.catalog.subscribe(follow);
  const stopFlight = ctx.flight.subscribe((change) => change === 'policy' && follow());
  return {
    el,
    title: t.search,
    dispose: () => {
      stopCatalog();
      stopFlight();
    },
  };
}

function onScreenKeyboard(lang: string, s: (typeof screenStrings)['en'], press: (key: string) => void): HTMLElement {
  const layout = LAYOUTS[lang] ?? LAYOUTS.latin!;
  const key = (k: string) => h('button', { type: 'button', class: 'key', 'data-key': k, onClick: () => press(k) }, k);
  return h(
    'div',
    {
      class: 'keyboard',
      role: 'group',
      'aria-label': s.keyboard,
      id: 'on-screen-keyboard',
      dir: lang === 'ar' ? 'rtl' : 'ltr',
    },
    layout.map((line) => h('div', { class: 'key-row' }, [...line].map(key))),
    h(
      'div',
      { class: 'key-row' },
      h('button', { type: 'button', class: 'key wide', 'data-key': 'space', onClick: () => press('space') }, s.space),
      h(
        'button',
        { type: 'button', class: 'key wide', 'data-key': 'delete', onClick: () => press('delete') },
        `⌫ ${s.deleteKey}`,
      ),
    ),
  );
}
