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

  constructor(private readonly actions: ShellActions) {}

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
  }
}
