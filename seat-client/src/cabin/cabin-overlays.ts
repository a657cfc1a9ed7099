/**
 * Full-screen cabin states over whatever screen is showing: a PA announcement (text in the
 * seat's language, or the crew's free text) and the crew lock. And the calm offline line.
 */

import type { PaState } from '@ifec/protocol';
import type { Locale } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import { icon } from '../ui/icons.ts';

export class CabinOverlays {
  readonly pa = h('div', {
    class: 'overlay pa',
    id: 'pa-notice',
    role: 'alertdialog',
    'aria-modal': 'true',
    'aria-labelledby': 'pa-heading',
    hidden: true,
  });
  readonly locked = h('div', {
    class: 'overlay locked',
    id: 'seat-locked',
    role: 'alertdialog',
    'aria-modal': 'true',
    'aria-labelledby': 'locked-heading',
    hidden: true,
  });
  readonly offline = h('p', { class: 'offline', id: 'offline-banner', role: 'status', hidden: true });
  private notice: PaState | null = null;
  private isLocked = false;

  render(locale: Locale): void {
    replace(this.offline, locale.t.offline);
    if (this.notice) {
      const text = this.notice.texts ? locale.pick(this.notice.texts) : (this.notice.text ?? '');
      replace(
        this.pa,
        h(
          'div',
          { class: 'overlay-box' },
          h('h2', { id: 'pa-heading' }, icon('megaphone'), ' ', locale.t.announcement),
          h('p', { class: 'pa-text', id: 'pa-text' }, text),
        ),
      );
    }
    replace(
      this.locked,
      h(
        'div',
        { class: 'overlay-box' },
        h('h2', { id: 'locked-heading' }, icon('lock'), ' ', locale.t.lockedByCrew),
        h('p', {}, locale.t.seatLocked),
      ),
    );
  }

  showPa(notice: PaState | null, locale: Locale): void {
    this.notice = notice;
    this.render(locale);
    this.pa.hidden = notice === null;
  }

  setLocked(locked: boolean): void {
    this.isLocked = locked;
    this.locked.hidden = !locked;
  }

  get lockedNow(): boolean {
    return this.isLocked;
  }

  setOffline(offline: boolean): void {
    this.offline.hidden = !offline;
  }
}
