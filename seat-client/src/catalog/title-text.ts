/** How a title's facts read on screen: price, rating, genres, and which titles are like it. */
import type { Locale } from '../i18n/i18n.ts';
import { genreName, screenStrings } from '../i18n/screen-strings.ts';
import { PRICE_TIERS, type TitleView } from './model.ts';

/** The price in the cabin's currency, or undefined when the fare includes the title. */
export function priceOf(title: TitleView, locale: Locale): string | undefined {
  if (title.priceTier === 'included') return undefined;
  const tier = PRICE_TIERS[title.priceTier];
  return locale.money(tier.amount, tier.currency);
}

/** "12A (BBFC)", or "Not rated" (a content load says NR when a title has no rating). */
export function ratingText(rating: TitleView['rating'], locale: Locale): string {
  if (!rating.value || /^(NR|UR|unrated|not rated)$/i.test(rating.value) || rating.system === 'NR')
    return screenStrings[locale.lang].notRated;
  return `${rating.value} (${rating.system})`;
}

export function genresText(title: TitleView, locale: Locale): string {
  return title.genres
    .map((g) => genreName(g, locale.lang))
    .join(locale.lang === 'ja' || locale.lang === 'zh' ? '、' : ', ');
}

/** Titles of the same kind sharing the most genres, then the newest: "more like this". */
export function moreLikeThis(titles: TitleView[], current: TitleView, limit = 8): TitleView[] {
  const shared = (t: TitleView) => t.genres.filter((g) => current.genres.includes(g)).length;
  const seen = new Set<string>([current.id]);
  return titles
    .filter((t) => {
      if (seen.has(t.id)) return false;
      // One card per series and per album: the rest are its episodes and tracks.
      const group = t.series?.id ?? t.album?.id;
      if (group && (group === current.series?.id || group === current.album?.id)) return false;
      if (group) {
        if (seen.has(group)) return false;
        seen.add(group);
      }
      seen.add(t.id);
      // Music with music, and children's titles only after children's titles.
      if ((t.kind === 'audio') !== (current.kind === 'audio')) return false;
      return current.kind === 'kids' || t.kind !== 'kids';
    })
    .map((t) => ({ t, score: shared(t) * 10 + (t.kind === current.kind ? 5 : 0) }))
    .sort((a, b) => b.score - a.score || b.t.addedAt.localeCompare(a.t.addedAt) || a.t.id.localeCompare(b.t.id))
    .slice(0, limit)
    .map((x) => x.t);
}

/** The album's tracks in order (a music title's track list). */
export function albumTracks(titles: TitleView[], current: TitleView): TitleView[] {
  if (!current.album) return [current];
  return titles
    .filter((t) => t.album?.id === current.album!.id)
    .sort((a, b) => (a.album?.track ?? 0) - (b.album?.track ?? 0));
}
