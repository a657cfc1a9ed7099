/**
 * The notice a passenger sees when the title they watch may not be shown in this airspace:
 * playback stopped because the policy in force changed (policy/current), or the appliance
 * refused its playback or keys (451 REGION_BLOCKED). Same words for both.
 */
import type { Locale } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';

const SHOWN_FOR_MS = 20_000;

export class PolicyNotice {
  readonly el = h('div', { class: 'policy-notice', id: 'policy-notice', role: 'alert', hidden: true });
  private timer: ReturnType<typeof setTimeout> | undefined;

  show(locale: Locale, titleName: string, reason: 'policy' | 'refused'): void {
    const { t } = locale;
    clearTimeout(this.timer);
    this.el.dataset.reason = reason;
    replace(
      this.el,
      h('p', {}, t.titleBlockedHere.replace('{title}', titleName)),
      h('button', { type: 'button', class: 'button', id: 'policy-notice-close', onClick: () => this.hide() }, t.back),
    );
    this.el.hidden = false;
    this.timer = setTimeout(() => this.hide(), SHOWN_FOR_MS);
  }

  hide(): void {
    clearTimeout(this.timer);
    this.el.hidden = true;
  }
}
