/** Title detail: synopsis, rating, languages, duration, included or price; play, resume, favourite. */
import type { AppContext, View } from '../app/context.ts';
import { fill, screenStrings } from '../i18n/screen-strings.ts';
import { h } from '../ui/dom.ts';
import { artwork, displayName } from './cards.ts';
import { entitlementStrings } from './entitlement-strings.ts';
import { genresText, priceOf, ratingText } from './title-text.ts';

export function detailScreen(ctx: AppContext, id: string): View {
  const locale = ctx.locale();
  const { t } = locale;
  const title = ctx.title(id);
  if (!title)
    return {
      el: h('div', { class: 'detail' }, h('h1', {}, t.noResults), h('a', { href: '#/', class: 'button' }, t.back)),
      title: t.noResults,
    };
  const prefs = ctx.catalog.preferences();
  const position = ctx.resume.positionOf(id)?.positionS ?? 0;
  const favourite = prefs.favourites.includes(id);
  const s = screenStrings[locale.lang];
  const price = priceOf(title, locale);
  // Already the passenger's (a pass, a bundle, a purchase): no Buy, the cover is named instead.
  const cover = price ? ctx.coverage?.of(id) : undefined;
  if (price) void ctx.coverage?.refresh(locale.lang);
  const e = entitlementStrings[locale.lang];
  const coveredText = cover
    ? cover.kind === 'bought'
      ? e.bought
      : fill(e.includedWith, { name: cover.name ?? e.yourPass })
    : undefined;
  const priced = cover ? undefined : price;
  const music = title.kind === 'audio';
  const audio = title.audioLanguages.filter((a) => !a.audioDescription).map((a) => locale.languageName(a.language));
  const hasAd = title.audioLanguages.some((a) => a.audioDescription);
  const subs = title.subtitleLanguages.map((s) => locale.languageName(s.language) + (s.closedCaptions ? ' (CC)' : ''));
  const name = displayName(title, locale);
  // Music has no rating, subtitles or audio description to speak of: only what applies is listed.
  const facts: [string, string][] = music
    ? [
        [t.duration, locale.duration(title.durationS)],
        [t.price, coveredText ?? priced ?? t.included],
      ]
    : [
        [t.rating, ratingText(title.rating, locale)],
        [t.duration, locale.duration(title.durationS)],
        [t.audioLanguages, audio.join(', ') || '—'],
        [t.subtitleLanguages, subs.join(', ') || t.off],
        [t.audioDescription, hasAd ? t.on : t.off],
        [t.price, coveredText ?? priced ?? t.included],
      ];
  const favButton = h(
    'button',
    {
      type: 'button',
      class: 'button secondary',
      'aria-pressed': String(favourite),
      id: 'favourite',
      onClick: async () => {
        await ctx.catalog.setFavourite(id, !favourite);
      },
    },
    favourite ? `★ ${t.unfavourite}` : `☆ ${t.favourite}`,
  );
  const el = h(
    'article',
    { class: 'detail' },
    h('div', { class: 'detail-art' }, artwork(title, locale.pick(title.titles), true)),
    h(
      'div',
      { class: 'detail-body' },
      h('h1', {}, name),
      h('p', { class: 'meta' }, [title.releaseYear, genresText(title, locale)].filter(Boolean).join(' · ')),
      h('p', { class: 'synopsis' }, locale.pick(title.synopses)),
      h(
        'dl',
        { class: 'facts' },
        facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
      ),
      h(
        'div',
        { class: 'actions' },
        ctx.screen.device === 'phone' && title.rights === 'seatback-only'
          ? h('p', { class: 'notice' }, t.notOnPhone)
          : [
              coveredText ? h('p', { class: 'included-with', id: 'included-with' }, `✓ ${coveredText}`) : null,
              // A priced title offers Buy first (the shop's screen); Play stays for a passenger who already bought it.
              priced
                ? h(
                    'a',
                    { class: 'button primary', href: `#/shop/title/${encodeURIComponent(id)}`, id: 'buy' },
                    fill(s.buy, { price: priced }),
                  )
                : null,
              h(
                'a',
                {
                  class: priced ? 'button secondary' : 'button primary',
                  href: `#/play/${encodeURIComponent(id)}?from=${Math.floor(position)}`,
                  id: 'play',
                },
                position > 5 ? `${t.resume} ${locale.clock(position)}` : s.playTitle,
              ),
              position > 5
                ? h('a', { class: 'button secondary', href: `#/play/${encodeURIComponent(id)}?from=0` }, t.startOver)
                : null,
            ],
        favButton,
      ),
    ),
  );
  return { el, title: name };
}
