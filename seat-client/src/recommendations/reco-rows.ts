/**
 * The home screen's recommendation rows: For you, Because you watched …, Popular on this
 * route, Fits before landing; each card says why in the seat's language. Rows come from the
 * appliance; a card whose title this device does not hold (a stale replica) is left out. On
 * the seat, the switch for personalisation sits above them (off until the passenger says yes,
 * where the airline's policy says so).
 */
import type { RecoReason, RecoRow, RecoRows } from '@ifec/protocol';
import { titleCard } from '../catalog/cards.ts';
import type { TitleView } from '../catalog/model.ts';
import type { Locale } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import type { RecommendationsApi } from './reco-api.ts';

function fill(template: string, values: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''));
}

/** A region code named in the UI language ("JP" -> "Japon"), else the code. */
function placeName(place: string | undefined, locale: Locale): string | undefined {
  if (!place || !/^[A-Z]{2}$/.test(place)) return place;
  try {
    return new Intl.DisplayNames([locale.lang], { type: 'region' }).of(place) ?? place;
  } catch {
    return place;
  }
}

export function reasonText(reason: RecoReason, locale: Locale, titleName: (id: string) => string | undefined): string {
  const { t } = locale;
  const place = placeName(reason.place, locale);
  switch (reason.key) {
    case 'because-you-watched':
      return fill(t.recoBecauseYouWatched, { title: reason.title ? titleName(reason.title) : '' });
    case 'popular-route':
      return place ? fill(t.recoPopularRoute, { place }) : t.recoPopularThisRoute;
    case 'popular-region':
      return fill(t.recoPopularRegion, { place });
    case 'popular':
      return t.recoPopular;
    case 'fits-before-landing':
      return reason.episodes
        ? fill(t.recoEpisodesBeforeLanding, { episodes: reason.episodes })
        : fill(t.recoEndsBeforeLanding, { minutes: reason.minutes });
    case 'for-you':
      return t.recoForYou;
  }
}

function heading(r: RecoRow, locale: Locale, titleName: (id: string) => string | undefined): string {
  if (r.kind === 'for-you') return locale.t.recoForYou;
  if (r.kind === 'fits-before-landing') return locale.t.recoFitsBeforeLanding;
  return reasonText(r.reason, locale, titleName);
}

export function recoRowsView(
  rows: RecoRows,
  locale: Locale,
  title: (id: string) => TitleView | undefined,
): HTMLElement[] {
  const titleName = (id: string) => {
    const t = title(id);
    return t ? locale.pick(t.titles) : undefined;
  };
  return rows.rows.flatMap((r) => {
    const cards = r.items.flatMap((item) => {
      const t = title(item.titleId);
      if (!t) return [];
      const card = titleCard(t, locale);
      card.classList.add('reco-card');
      card.querySelector('a')?.append(h('span', { class: 'card-reason' }, reasonText(item.reason, locale, titleName)));
      return [card];
    });
    if (cards.length === 0) return [];
    const id = `row-reco-${r.kind}`;
    return [
      h(
        'section',
        { class: 'row reco-row', 'aria-labelledby': id, 'data-reco-row': r.kind },
        h('h2', { id }, heading(r, locale, titleName)),
        h('ul', { class: 'cards' }, cards),
      ),
    ];
  });
}

/** The container the home screen shows: fills itself, and redraws when the passenger flips the switch. */
export function recommendationsSection(opts: {
  api: RecommendationsApi;
  locale: Locale;
  title: (id: string) => TitleView | undefined;
  /** Only the seat shows the switch: the choice is made there. */
  onSeat: boolean;
}): HTMLElement {
  const { api, locale } = opts;
  const rowsEl = h('div', { class: 'reco-rows' });
  const toggle = h('input', { type: 'checkbox', id: 'reco-personalise', role: 'switch' }) as HTMLInputElement;
  const switchEl = opts.onSeat
    ? h(
        'div',
        { class: 'reco-consent' },
        h('label', { for: 'reco-personalise' }, toggle, ' ', locale.t.recoPersonalise),
        h('p', { class: 'reco-consent-help' }, locale.t.recoPersonaliseHelp),
      )
    : null;
  const el = h('div', { class: 'recommendations', 'aria-live': 'polite' }, switchEl, rowsEl);
  const load = async () => {
    try {
      const rows = await api.rows(locale.lang);
      toggle.checked = rows.personalised;
      replace(rowsEl, recoRowsView(rows, locale, opts.title));
      el.dataset.loaded = 'true';
    } catch {
      // Offline or refused: the home screen's own rows stay; nothing to say here.
      el.dataset.loaded = 'error';
    }
  };
  const held = api.last.get(locale.lang);
  if (held) {
    toggle.checked = held.personalised;
    replace(rowsEl, recoRowsView(held, locale, opts.title));
  }
  toggle.addEventListener('change', () => {
    toggle.disabled = true;
    api
      .setConsent(toggle.checked)
      .then(load, load)
      .finally(() => {
        toggle.disabled = false;
      });
  });
  void load();
  return el;
}
