/**
 * Full-screen cabin states over whatever screen is showing: a PA announcement (text in the
 * seat's language, or the crew's free text) and the crew lock. And the calm offline line.
 */

import type { PaState } from '@ifec/protocol';
import type { Locale } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import { icon } from '../ui/icons.ts';
import { cabinStringsFor } from './cabin-strings.ts';

/** A passenger under a PA or a crew lock can still call crew: the overlays carry the button. */
export interface OverlayCall {
  calling(): boolean;
  toggle(): void;
}

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

  constructor(private readonly call?: OverlayCall) {}

  private callButton(locale: Locale, where: string): HTMLElement | null {
    if (!this.call) return null;
    const t = cabinStringsFor(locale.lang);
    const calling = this.call.calling();
    return h(
      'button',
      {
        type: 'button',
        class: 'button call overlay-call',
        id: `${where}-call-crew`,
        'aria-pressed': String(calling),
        onClick: () => this.call?.toggle(),
      },
      icon('bell'),
      calling ? t.cancelCall : t.callCrew,
    );
  }

  render(locale: Locale): void {
    const focused = document.activeElement?.id;
    this.draw(locale);
    // Redrawn when the call state changes: the call button just pressed keeps the focus.
    if (focused && document.activeElement === document.body) document.getElementById(focused)?.focus();
  }

  private draw(locale: Locale): void {
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
          this.callButton(locale, 'pa'),
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
        this.callButton(locale, 'locked'),
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
