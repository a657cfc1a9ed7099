/** Home: continue watching, the recommendation rows, favourites, new this month, kids, then one row per genre. */
import type { AppContext, View } from '../app/context.ts';
import { recommendationsApiOf } from '../recommendations/reco-api.ts';
import { recommendationsSection } from '../recommendations/reco-rows.ts';
import { h } from '../ui/dom.ts';
import { row } from './cards.ts';
import { isNewThisMonth, type TitleView } from './model.ts';

export function homeScreen(ctx: AppContext): View {
  const locale = ctx.locale();
  const { t } = locale;
  const titles = ctx.titles();
  const prefs = ctx.catalog.preferences();
  const byId = new Map(titles.map((x) => [x.id, x]));
  // Resume points of any of the passenger's devices (seat and paired phones), newest first.
  const continuing = ctx.resume
    .continuing()
    .filter((p) => byId.has(p.titleId) && p.positionS > 5 && p.positionS < byId.get(p.titleId)!.durationS - 30)
    .map((p) => byId.get(p.titleId)!);
  const favourites = prefs.favourites.map((id) => byId.get(id)).filter((x): x is TitleView => x !== undefined);
  const now = new Date();
  const fresh = titles.filter((x) => isNewThisMonth(x, now));
  const kids = titles.filter((x) => x.kind === 'kids' || x.genres.some((g) => /^(kids|family|animation)$/i.test(g)));
  const genres = [...new Set(titles.flatMap((x) => x.genres))].sort((a, b) => a.localeCompare(b, locale.lang));
  const el = h(
    'div',
    { class: 'home' },
    h('h1', { class: 'visually-hidden' }, t.home),
    ctx.flightStrip,
    titles.length === 0 ? h('p', { class: 'empty' }, t.loading) : null,
    row(t.continueWatching, continuing, locale, 'continue'),
    titles.length > 0
      ? recommendationsSection({
          api: recommendationsApiOf(ctx),
          locale,
          title: (id) => byId.get(id),
          onSeat: ctx.screen.device === 'seatback',
        })
      : null,
    row(t.favourites, favourites, locale, 'favourites'),
    row(t.newThisMonth, fresh, locale, 'new'),
    row(t.kids, kids, locale, 'kids'),
    genres.map((g) =>
      row(
        genreName(g),
        titles.filter((x) => x.genres.includes(g)),
        locale,
        `genre-${g}`,
      ),
    ),
  );
  return { el, title: t.home };
}

function genreName(g: string): string {
  return g.slice(0, 1).toLocaleUpperCase() + g.slice(1);
}
