/**
 * Home, in a deliberate order that does not change between loads: the month's highlight
 * (hero), continue watching (with progress), new this month, films, TV, live now, the
 * recommendation rows, favourites, music, then genre rows that add something (a row showing
 * only what a row above already showed is left out). Kids have their own space (the Kids
 * tab), reached from one tile here, not mixed into the grown-ups' rows.
 */
import { paths } from '@ifec/protocol';
import { ApiClient, isRefusal } from '../api/api-client.ts';
import type { AppContext, View } from '../app/context.ts';
import { fill, genreName, screenStrings } from '../i18n/screen-strings.ts';
import { recommendationsApiOf } from '../recommendations/reco-api.ts';
import { recommendationsSection } from '../recommendations/reco-rows.ts';
import { h, replace } from '../ui/dom.ts';
import { artwork, displayName, liveCard, row, titleCard } from './cards.ts';
import { isNewThisMonth, type TitleView } from './model.ts';
import { genresText, priceOf } from './title-text.ts';

/**
 * Newest first, then by id: the same catalogue always gives the same order. ISO times and ids
 * are ASCII, so code-unit order is enough (localeCompare cost home ~150 ms at 4x CPU throttling).
 */
function stable(a: TitleView, b: TitleView): number {
  return byCodeUnit(b.addedAt, a.addedAt) || byCodeUnit(a.id, b.id);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One collator for every genre row (a localeCompare with a locale builds one per comparison). */
let genreOrder: Intl.Collator | undefined;
function byGenreName(): Intl.Collator {
  genreOrder ??= new Intl.Collator('en');
  return genreOrder;
}

/** One card per series (its first episode) and per album (its first track). */
function onePerGroup(titles: TitleView[]): TitleView[] {
  const seen = new Set<string>();
  const order = (t: TitleView) => (t.series ? t.series.season * 10_000 + t.series.episode : (t.album?.track ?? 0));
  return [...titles]
    .sort((a, b) => order(a) - order(b))
    .filter((t) => {
      const key = t.series?.id ?? t.album?.id ?? t.id;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(stable);
}

/**
 * The content load's highlight: the title its editors marked first (`featured`), else its newest
 * film with artwork (else the newest title that is not for kids).
 */
export function featuredTitle(titles: TitleView[], now: Date): TitleView | undefined {
  const chosen = titles
    .filter((t) => t.featured !== undefined)
    .sort((a, b) => a.featured! - b.featured! || stable(a, b))[0];
  if (chosen) return chosen;
  // Included titles first: the highlight should be one every passenger can start at once.
  const grownUp = titles
    .filter((t) => t.kind !== 'kids' && t.kind !== 'audio')
    .sort((a, b) => Number(a.priceTier !== 'included') - Number(b.priceTier !== 'included') || stable(a, b));
  return (
    grownUp.find((t) => t.kind === 'movie' && (t.backdrop ?? t.poster) && isNewThisMonth(t, now)) ??
    grownUp.find((t) => t.kind === 'movie' && (t.backdrop ?? t.poster)) ??
    grownUp[0]
  );
}

export function homeScreen(ctx: AppContext): View {
  const locale = ctx.locale();
  const { t } = locale;
  const s = screenStrings[locale.lang];
  const titles = [...ctx.titles()].sort(stable);
  const prefs = ctx.catalog.preferences();
  const byId = new Map(titles.map((x) => [x.id, x]));
  const now = new Date();
  // Resume points of any of the passenger's devices (seat and paired phones), newest first.
  const progress = new Map<string, number>();
  const continuing = ctx.resume
    .continuing()
    .filter((p) => byId.has(p.titleId) && p.positionS > 5 && p.positionS < byId.get(p.titleId)!.durationS - 30)
    .map((p) => {
      const title = byId.get(p.titleId)!;
      progress.set(title.id, Math.min(1, p.positionS / Math.max(1, title.durationS)));
      return title;
    });
  const grownUp = titles.filter((x) => x.kind !== 'kids');
  const hero = featuredTitle(titles, now);
  const shown = new Set<string>(hero ? [hero.id] : []);
  // The top row's artwork is fetched with the hero's, not when layout finds it in view.
  let topRow = true;
  /** A row of titles not all shown already; it marks its titles as shown. */
  const freshRow = (heading: string, list: TitleView[], id: string) => {
    if (list.length === 0 || list.every((x) => shown.has(x.id))) return null;
    for (const x of list) shown.add(x.id);
    const first = topRow;
    topRow = false;
    return row(heading, list, locale, id, undefined, first);
  };
  const continueRow = continuing.length
    ? h(
        'section',
        { class: 'row', 'aria-labelledby': 'row-continue' },
        h('h2', { id: 'row-continue' }, t.continueWatching),
        h(
          'ul',
          { class: 'cards' },
          continuing.map((x, i) => {
            const card = titleCard(x, locale, undefined, i < 7);
            const share = progress.get(x.id) ?? 0;
            const percent = Math.round(share * 100);
            card.querySelector('a')?.append(
              h(
                'span',
                {
                  class: 'progress',
                  role: 'progressbar',
                  'aria-valuemin': 0,
                  'aria-valuemax': 100,
                  'aria-valuenow': percent,
                  'aria-label': fill(s.watched, { percent }),
                },
                h('span', { class: 'progress-done', style: `inline-size:${percent}%` }),
              ),
            );
            return card;
          }),
        ),
      )
    : null;
  if (continueRow) topRow = false;
  const fresh = onePerGroup(grownUp.filter((x) => isNewThisMonth(x, now) && x.kind !== 'audio'));
  const films = grownUp.filter((x) => x.kind === 'movie');
  const tv = onePerGroup(grownUp.filter((x) => x.kind === 'episode'));
  const music = onePerGroup(grownUp.filter((x) => x.kind === 'audio'));
  const favourites = prefs.favourites.map((id) => byId.get(id)).filter((x): x is TitleView => x !== undefined);
  const rows: (HTMLElement | null)[] = [
    continueRow,
    freshRow(t.newThisMonth, fresh, 'new'),
    freshRow(t.movies, films, 'films'),
    freshRow(t.tv, tv, 'tv'),
  ];
  const liveRow = liveNowRow(ctx);
  const reco =
    titles.length > 0
      ? recommendationsSection({
          api: recommendationsApiOf(ctx),
          locale,
          title: (id) => byId.get(id),
          onSeat: ctx.screen.device === 'seatback',
        })
      : null;
  const later: (HTMLElement | null)[] = [
    favourites.length ? row(t.favourites, favourites, locale, 'favourites') : null,
    freshRow(t.music, music, 'music'),
  ];
  const genres = [...new Set(grownUp.filter((x) => x.kind !== 'audio').flatMap((x) => x.genres))].sort(
    byGenreName().compare,
  );
  for (const g of genres)
    later.push(
      freshRow(
        genreName(g, locale.lang),
        onePerGroup(grownUp.filter((x) => x.kind !== 'audio' && x.genres.includes(g))),
        `genre-${g}`,
      ),
    );
  const kids = titles.filter((x) => x.kind === 'kids');
  const kidsTile = kids.length
    ? h(
        'a',
        { class: 'kids-tile', href: '#/browse/kids', id: 'kids-zone' },
        h(
          'span',
          { class: 'kids-tile-art', 'aria-hidden': 'true' },
          kids.slice(0, 3).map((k) => artwork(k, locale.pick(k.titles))),
        ),
        h('span', { class: 'kids-tile-text' }, h('strong', {}, s.kidsZone), h('span', {}, s.kidsZoneHelp)),
      )
    : null;
  const el = h(
    'div',
    { class: 'home' },
    h('h1', { class: 'visually-hidden' }, t.home),
    hero ? heroBanner(ctx, hero) : null,
    ctx.flightStrip,
    titles.length === 0 ? h('p', { class: 'empty' }, t.loading) : null,
    rows,
    liveRow,
    reco,
    later,
    kidsTile,
  );
  return { el, title: t.home };
}

function heroBanner(ctx: AppContext, title: TitleView): HTMLElement {
  const locale = ctx.locale();
  const s = screenStrings[locale.lang];
  const position = ctx.resume.positionOf(title.id)?.positionS ?? 0;
  const price = priceOf(title, locale);
  const playable = !(ctx.screen.device === 'phone' && title.rights === 'seatback-only');
  return h(
    'section',
    { class: 'hero', 'aria-labelledby': 'hero-title', 'data-title-id': title.id },
    h('div', { class: 'hero-art' }, artwork(title, locale.pick(title.titles), true)),
    h(
      'div',
      { class: 'hero-text' },
      h('p', { class: 'hero-kicker' }, s.featured),
      h('h2', { id: 'hero-title', class: 'hero-title' }, displayName(title, locale)),
      h(
        'p',
        { class: 'hero-meta' },
        [title.releaseYear, genresText(title, locale), locale.duration(title.durationS)].filter(Boolean).join(' · '),
      ),
      h('p', { class: 'hero-synopsis' }, locale.pick(title.synopses)),
      h(
        'div',
        { class: 'actions' },
        playable && price
          ? h(
              'a',
              { class: 'button primary', id: 'hero-buy', href: `#/shop/title/${encodeURIComponent(title.id)}` },
              fill(s.buy, { price }),
            )
          : playable
            ? h(
                'a',
                {
                  class: 'button primary',
                  id: 'hero-play',
                  href: `#/play/${encodeURIComponent(title.id)}?from=${Math.floor(position > 5 ? position : 0)}`,
                },
                s.playTitle,
              )
            : null,
        h(
          'a',
          {
            class: 'button secondary hero-more',
            id: 'hero-detail',
            href: `#/title/${encodeURIComponent(title.id)}`,
            'data-title-id': title.id,
          },
          s.details,
        ),
      ),
    ),
  );
}

type Channel = { id: string; state: string; playlistReady: boolean };
/** Home is rebuilt whenever the catalogue or the seat's state changes: one answer serves the rebuilds of a few seconds. */
const LIVE_KEEP_MS = 10_000;
const liveAsked = new WeakMap<AppContext, { at: number; channels: Promise<Channel[]> }>();

function channelsOnAir(ctx: AppContext): Promise<Channel[]> {
  const kept = liveAsked.get(ctx);
  if (kept && Date.now() - kept.at < LIVE_KEEP_MS) return kept.channels;
  const channels = new ApiClient(ctx.screen.baseUrl)
    .request<{ channels?: Channel[] }>(`${paths.catalog}?device=${ctx.screen.device === 'phone' ? 'phone' : 'seat'}`)
    .catch((error: unknown) => {
      if (isRefusal(error)) return { channels: [] };
      throw error;
    })
    .then((answer) => (answer.channels ?? []).filter((c) => c.state === 'on-air' && c.playlistReady));
  // A failed answer is not kept: the next rebuild asks again.
  channels.catch(() => liveAsked.delete(ctx));
  liveAsked.set(ctx, { at: Date.now(), channels });
  return channels;
}

/** Live channels on air now (from the appliance, not the replica); a calm line when none is. */
function liveNowRow(ctx: AppContext): HTMLElement {
  const locale = ctx.locale();
  const s = screenStrings[locale.lang];
  const body = h('div', { class: 'live-now', 'aria-live': 'polite' }, h('p', { class: 'empty' }, locale.t.loading));
  const section = h(
    'section',
    { class: 'row', 'aria-labelledby': 'row-live', id: 'live-now' },
    h('h2', { id: 'row-live' }, s.liveNow),
    body,
  );
  void channelsOnAir(ctx)
    .then((onAir) => {
      replace(
        body,
        onAir.length === 0
          ? h('p', { class: 'empty', id: 'nothing-live' }, s.nothingLiveNow)
          : h('ul', { class: 'cards' }, onAir.map(liveCard)),
      );
    })
    .catch(() => replace(body, h('p', { class: 'empty', id: 'nothing-live' }, s.nothingLiveNow)));
  return section;
}
