/** Title cards and rows, shared by home, browse and search. */
import type { Locale } from '../i18n/i18n.ts';
import { h } from '../ui/dom.ts';
import type { TitleView } from './model.ts';

/** A stable hue per title so cards without artwork still differ. */
function hue(id: string): number {
  let x = 0;
  for (const c of id) x = (x * 31 + c.charCodeAt(0)) % 360;
  return x;
}

export function displayName(t: TitleView, locale: Locale): string {
  const own = locale.pick(t.titles);
  if (t.series)
    return `${locale.pick(t.series.titles)} · ${locale.t.season} ${t.series.season}, ${locale.t.episode} ${t.series.episode}: ${own}`;
  if (t.album) return `${own} — ${t.album.artist}`;
  return own;
}

/** How wide artwork shows (styles.css: `.cards` columns, the hero's half of the page), for `srcset`. */
const CARD_SIZES = '(min-width: 2148px) 290px, (min-width: 1112px) 13.5vw, 150px';
const LARGE_SIZES = '(max-width: 600px) 100vw, 55vw';

/**
 * `first`: artwork on screen at start (the hero, the first row), fetched at once and first,
 * instead of waiting for layout to find it in view.
 */
export function artwork(t: TitleView, label: string, large = false, first = false): HTMLElement {
  const src = large ? (t.backdrop ?? t.poster) : t.poster;
  const srcset = large ? (t.backdrop ? t.backdropSet : t.posterSet) : t.posterSet;
  const placeholder = () =>
    h('div', { class: 'art art-none', style: `--h:${hue(t.id)}`, 'aria-hidden': 'true' }, label.slice(0, 1));
  if (!src) return placeholder();
  // Large artwork (the home's highlight, a detail page) is what the passenger looks at first: fetched at once.
  const img = h('img', {
    class: 'art',
    // srcset and sizes before src: the browser picks the size before it starts a fetch.
    sizes: srcset ? (large ? LARGE_SIZES : CARD_SIZES) : undefined,
    srcset,
    src,
    alt: '',
    loading: large || first ? 'eager' : 'lazy',
    fetchpriority: large || first ? 'high' : undefined,
    decoding: 'async',
    elementtiming: 'poster',
  });
  // Artwork the appliance cannot serve (a package without it, a cut link) shows the title's letter, never a broken image.
  img.addEventListener('error', () => img.replaceWith(placeholder()), { once: true });
  return img;
}

/** `label` overrides the card's text (an episode under its series and season heading shows "2. Turbulence"). */
export function titleCard(t: TitleView, locale: Locale, label?: (t: TitleView) => string, first = false): HTMLElement {
  const name = label ? label(t) : displayName(t, locale);
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { href: `#/title/${encodeURIComponent(t.id)}`, class: 'card-link', 'data-title-id': t.id },
      artwork(t, locale.pick(t.titles), false, first),
      h('span', { class: 'card-title' }, name),
    ),
  );
}

export function row(
  heading: string,
  titles: TitleView[],
  locale: Locale,
  id?: string,
  label?: (t: TitleView) => string,
  /** The row at the top of a screen: its first cards' artwork is fetched at once (see artwork). */
  first = false,
): HTMLElement | null {
  if (titles.length === 0) return null;
  const headingId = `row-${(id ?? heading).replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
  return h(
    'section',
    { class: 'row', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, heading),
    h(
      'ul',
      { class: 'cards' },
      titles.map((t, i) => titleCard(t, locale, label, first && i < FIRST_ROW_EAGER)),
    ),
  );
}

/** Cards of the top row a 1280-wide seat shows without scrolling. */
const FIRST_ROW_EAGER = 7;

export function grid(titles: TitleView[], locale: Locale, empty: string): HTMLElement {
  if (titles.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'ul',
    { class: 'cards grid' },
    titles.map((t) => titleCard(t, locale)),
  );
}

/** A live channel on air: a lettered tile that starts the channel (home's "Live now" row and the Live tab). */
export function liveCard(channel: { id: string }): HTMLElement {
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { href: `#/play/live:${encodeURIComponent(channel.id)}?from=0`, class: 'card-link', 'data-channel': channel.id },
      h(
        'div',
        { class: 'art art-none art-live', style: '--h:200', 'aria-hidden': 'true' },
        channel.id.slice(0, 2).toUpperCase(),
      ),
      h('span', { class: 'card-title' }, channel.id),
    ),
  );
}
