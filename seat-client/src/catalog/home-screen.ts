/** Home: continue watching, favourites, new this month, kids, then one row per genre. */
import type { AppContext, View } from '../app/context.ts';
import { h } from '../ui/dom.ts';
import { row } from './cards.ts';
import { isNewThisMonth, type CatalogTitle } from './model.ts';

export function homeScreen(ctx: AppContext): View {
  const locale = ctx.locale();
  const { t } = locale;
  const titles = ctx.titles();
  const prefs = ctx.catalog.preferences();
  const byId = new Map(titles.map((x) => [x.id, x]));
  const continuing = Object.entries(prefs.positions)
    .filter(([id, p]) => byId.has(id) && p.at > 5 && p.at < byId.get(id)!.durationS - 30)
    .sort((a, b) => b[1].updatedAt.localeCompare(a[1].updatedAt))
    .map(([id]) => byId.get(id)!);
  const favourites = prefs.favourites.map((id) => byId.get(id)).filter((x): x is CatalogTitle => x !== undefined);
  const now = new Date();
  const fresh = titles.filter((x) => isNewThisMonth(x, now));
  const kids = titles.filter((x) => x.kind === 'kids' || x.genres.some((g) => /^(kids|family|animation)$/i.test(g)));
  const genres = [...new Set(titles.flatMap((x) => x.genres))].sort((a, b) => a.localeCompare(b, locale.lang));
  const el = h('div', { class: 'home' },
    h('h1', { class: 'visually-hidden' }, t.home),
    titles.length === 0 ? h('p', { class: 'empty' }, t.loading) : null,
    row(t.continueWatching, continuing, locale, 'continue'),
    row(t.favourites, favourites, locale, 'favourites'),
    row(t.newThisMonth, fresh, locale, 'new'),
    row(t.kids, kids, locale, 'kids'),
    genres.map((g) => row(genreName(g), titles.filter((x) => x.genres.includes(g)), locale, `genre-${g}`)),
  );
  return { el, title: t.home };
}

function genreName(g: string): string {
  return g.slice(0, 1).toLocaleUpperCase() + g.slice(1);
}
