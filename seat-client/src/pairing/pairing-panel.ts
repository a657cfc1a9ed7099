/**
 * Framework-free pairing panels. Seat (kiosk): shows the 6-digit code and the QR payload URL,
 * counts down to expiry, lists paired phones, "Unpair phones". Phone: a 6-digit input that
 * claims the code and reports the appliance's reason when refused (expired, used, locked).
 * Neither draws the QR image: pass `renderQr` (any QR library) or leave the URL as text.
 */
import { h, replace } from '../ui/dom.ts';
import { PairingRefused, type PhoneIdentity, type PhonePairing, type SeatPairing } from './pairing-api.ts';
import type { PairingClaimed } from '@ifec/protocol';

export interface SeatPanelOptions {
  api: SeatPairing;
  /** The appliance's address as phones reach it, e.g. http://10.0.0.1:8080 — prefixes the QR URL. */
  publicBaseUrl: string;
  renderQr?: (text: string) => Node;
  now?: () => number;
}

export function mountSeatPairingPanel(root: HTMLElement, o: SeatPanelOptions): { refresh(): Promise<void>; destroy(): void } {
  const now = o.now ?? Date.now;
  let timer: ReturnType<typeof setInterval> | undefined;
  const status = h('p', { class: 'pairing-status', role: 'status' });

  const show = async () => {
    clearInterval(timer);
    try {
      const [code, paired] = await Promise.all([o.api.newCode(), o.api.phones()]);
      const url = `${o.publicBaseUrl}${code.url}`;
      const left = h('span', { class: 'pairing-expiry' });
      const tick = () => {
        const s = Math.max(0, Math.round((Date.parse(code.expiresAt) - now()) / 1000));
        left.textContent = s > 0 ? `Code valid for ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : 'Code expired';
        if (s === 0) clearInterval(timer);
      };
      tick();
      timer = setInterval(tick, 1000);
      replace(root,
        h('h2', {}, 'Continue on your phone'),
        o.renderQr ? o.renderQr(url) : h('code', { class: 'pairing-url' }, url),
        h('p', { class: 'pairing-code', 'aria-label': `Pairing code ${code.code.split('').join(' ')}`, 'data-testid': 'pairing-code' }, code.code),
        left,
        h('p', {}, paired.phones.length ? `${paired.phones.length} phone(s) paired` : 'No phone paired'),
        h('button', { type: 'button', onclick: () => void show() }, 'New code'),
        paired.phones.length ? h('button', { type: 'button', onclick: async () => { await o.api.unpairAll(); await show(); } }, 'Unpair phones') : null,
        status,
      );
    } catch (error) {
      replace(root, h('p', { role: 'alert' }, error instanceof PairingRefused ? error.message : 'Pairing is not available right now'));
    }
  };
  void show();
  return { refresh: show, destroy: () => { clearInterval(timer); replace(root); } };
}

export interface PhonePanelOptions {
  api: PhonePairing;
  /** The phone's identity for this flight (register once, keep it). */
  identity: () => Promise<PhoneIdentity>;
  /** A code from the QR URL (`/pair?code=…`), filled in for the passenger. */
  initialCode?: string;
  onPaired(claimed: PairingClaimed, identity: PhoneIdentity): void;
}

export function mountPhonePairingPanel(root: HTMLElement, o: PhonePanelOptions): void {
  const input = h('input', { inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, autocomplete: 'one-time-code', 'aria-label': 'Pairing code from the seat screen', value: o.initialCode ?? '' });
  const message = h('p', { role: 'alert', class: 'pairing-error' });
  const submit = async (event: Event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (!/^[0-9]{6}$/.test(code)) { message.textContent = 'Enter the 6 digits shown on the seat screen'; return; }
    message.textContent = '';
    try {
      const identity = await o.identity();
      o.onPaired(await o.api.claim(identity, code), identity);
    } catch (error) {
      message.textContent = error instanceof PairingRefused ? error.message : 'Could not reach the cabin system; check the Wi-Fi';
    }
  };
  replace(root, h('form', { onsubmit: submit }, h('label', {}, 'Seat code ', input), h('button', { type: 'submit' }, 'Pair with seat'), message));
  if (o.initialCode && /^[0-9]{6}$/.test(o.initialCode)) root.querySelector('form')!.requestSubmit();
}
