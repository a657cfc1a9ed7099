/**
 * The seat's "continue on your phone" panel: a QR code of the phone app's pairing route and the
 * 6-digit code for typing, a countdown to expiry (a fresh code when it runs out), the phones
 * paired with this seat and "Unpair phones".
 */

import { isRefusal } from '../api/api-client.ts';
import type { Locale } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import type { SeatPairing } from './pairing-api.ts';

export interface SeatPanelOptions {
  api: SeatPairing;
  /** The appliance's address as phones reach it, e.g. http://10.0.0.1:8080 — prefixes the QR URL. */
  publicBaseUrl: string;
  locale: Locale;
  now?: () => number;
}

/** The QR image (uqr: a small, dependency-free encoder; loaded with this screen only). */
async function qrImage(text: string, label: string): Promise<HTMLElement> {
  const { renderSVG } = await import('uqr');
  const figure = h('div', { class: 'pairing-qr', role: 'img', 'aria-label': label, 'data-url': text });
  figure.innerHTML = renderSVG(text, { border: 2 });
  return figure;
}

export function mountSeatPanel(root: HTMLElement, o: SeatPanelOptions): { refresh(): Promise<void>; destroy(): void } {
  const { t } = o.locale;
  const now = o.now ?? Date.now;
  let timer: ReturnType<typeof setInterval> | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  let destroyed = false;

  const show = async () => {
    clearInterval(timer);
    clearInterval(poll);
    try {
      const [code, paired] = await Promise.all([o.api.newCode(), o.api.phones()]);
      const url = `${o.publicBaseUrl}${code.url}`;
      const qr = await qrImage(url, `${t.pairingCode} ${code.code}`);
      if (destroyed) return;
      const left = h('p', { class: 'pairing-expiry', id: 'pairing-expiry' });
      const phones = h('p', { class: 'pairing-phones', id: 'pairing-phones', role: 'status' });
      const unpair = h(
        'button',
        {
          type: 'button',
          class: 'button secondary',
          id: 'unpair-phones',
          onClick: async () => {
            await o.api.unpairAll();
            await show();
          },
        },
        t.unpairPhones,
      );
      const showPhones = (n: number) => {
        phones.textContent = n ? `${t.phonesPaired}: ${n}` : t.noPhonePaired;
        unpair.hidden = n === 0;
      };
      const tick = () => {
        const s = Math.max(0, Math.round((Date.parse(code.expiresAt) - now()) / 1000));
        left.textContent = s > 0 ? `${t.codeValidFor} ${o.locale.clock(s)}` : t.codeExpired;
        if (s === 0) void show(); // an expired code is useless on screen: show a fresh one
      };
      tick();
      timer = setInterval(tick, 1000);
      showPhones(paired.phones.length);
      // A phone pairs on its own side: the count follows without a touch on the seat.
      poll = setInterval(
        () =>
          void o.api.phones().then(
            (p) => showPhones(p.phones.length),
            () => undefined,
          ),
        3000,
      );
      replace(
        root,
        h(
          'div',
          { class: 'pairing-card' },
          qr,
          h(
            'div',
            { class: 'pairing-text' },
            h('p', {}, t.pairingHelp),
            h('p', { class: 'pairing-code-label' }, t.pairingCode),
            h(
              'p',
              {
                class: 'pairing-code',
                'aria-label': `${t.pairingCode} ${code.code.split('').join(' ')}`,
                'data-testid': 'pairing-code',
              },
              code.code,
            ),
            left,
            phones,
            h(
              'div',
              { class: 'actions' },
              h(
                'button',
                { type: 'button', class: 'button primary', id: 'new-code', onClick: () => void show() },
                t.newCode,
              ),
              unpair,
            ),
          ),
        ),
      );
    } catch (error) {
      replace(
        root,
        h(
          'p',
          { role: 'alert', class: 'notice', 'data-code': isRefusal(error) ? error.code : '' },
          t.pairingUnavailable,
        ),
      );
    }
  };
  void show();
  return {
    refresh: show,
    destroy: () => {
      destroyed = true;
      clearInterval(timer);
      clearInterval(poll);
    },
  };
}
