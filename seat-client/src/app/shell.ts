/** The frame around every screen: navigation, seat label, crew call and do-not-disturb. */

import { type SeatToolsActions, seatTools } from '../cabin/seat-tools.ts';
import type { Locale } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import { icon } from '../ui/icons.ts';

export interface ShellActions extends SeatToolsActions {
  seatLabel?: string;
}

export class Shell {
  readonly header = h('header', { class: 'top' });
  readonly main = h('main', { id: 'main', tabindex: '-1' });

  constructor(private readonly actions: ShellActions) {
    // On a change of width only: fit() may change the header's height, which must not call it again.
    let width = -1;
    if (typeof ResizeObserver !== 'undefined')
      new ResizeObserver(([entry]) => {
        if (entry && entry.contentRect.width !== width) {
          width = entry.contentRect.width;
          this.fit();
        }
      }).observe(this.header);
  }

  /**
   * Every link in one row, whatever the language and text size: when they would not fit, the
   * seat tools keep their icons (their words stay as accessible names) and a call's "Cancel call".
   * Measured without the compact form each time, so the two forms never take turns.
   */
  private fit(): void {
    const nav = this.header.querySelector<HTMLElement>('.nav');
    if (!nav) return;
    delete this.header.dataset.compact;
    // 1: the seat tools as icons; 2: the links' own icons go too and their pills tighten (styles.css).
    for (const level of ['1', '2']) {
      if (nav.scrollWidth <= nav.clientWidth + 1) return;
      this.header.dataset.compact = level;
    }
  }

  render(locale: Locale, route: string): void {
    const { t } = locale;
    const link = (href: string, label: string | (Node | string)[], key: string) =>
      h('a', { href, class: 'nav-link', 'aria-current': route === key ? 'page' : undefined, 'data-nav': key }, label);
    const seat = this.actions.seatLabel;
    replace(
      this.header,
      h('a', { href: '#main', class: 'skip' }, t.home),
      h(
        'nav',
        { 'aria-label': t.appName, class: 'nav' },
        link('#/', t.home, 'home'),
        link('#/browse/movies', t.movies, 'movies'),
        link('#/browse/tv', t.tv, 'tv'),
        link('#/browse/music', t.music, 'music'),
        link('#/browse/kids', t.kids, 'kids'),
        link('#/map', t.map, 'map'),
        link('#/shop', t.navShop, 'shop'),
        link('#/search', [icon('search'), t.search], 'search'),
        link('#/settings', [icon('gear'), t.settings], 'settings'),
        link('#/pair', seat ? t.pairPhone : t.mySeat, 'pair'),
      ),
      seat
        ? h(
            'div',
            { class: 'seat-tools' },
            h('span', { class: 'seat-label' }, h('span', { class: 'visually-hidden' }, `${t.seat} `), seat),
            // Call crew and DND with what became of them (queued offline, received, crew is coming).
            seatTools(locale.lang, this.actions),
          )
        : null,
    );
    this.fit();
  }
}
