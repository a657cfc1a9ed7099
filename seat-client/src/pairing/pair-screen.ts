/**
 * `#/pair`: on a seat, the pairing panel (QR code and 6-digit code); on a phone, the code form
 * until it is paired, then the remote. The seat's QR code opens `#/pair?code=…` on the phone.
 */
import type { AppContext, View } from '../app/context.ts';
import { h } from '../ui/dom.ts';
import { PhonePairing, SeatPairing } from './pairing-api.ts';
import { mountClaimForm, mountRemote } from './phone-remote.ts';
import { mountSeatPanel } from './seat-panel.ts';

export function pairScreen(ctx: AppContext, code: string | undefined): View {
  const { t } = ctx.locale();
  const seat = ctx.screen.seat;
  if (seat) {
    const panel = h('div', { class: 'pairing' });
    const el = h('section', { class: 'pair-screen' }, h('h1', {}, t.continueOnPhone), panel);
    // Phones reach the appliance on the cabin Wi-Fi at the same address the seat uses.
    const mounted = mountSeatPanel(panel, {
      api: new SeatPairing(ctx.screen.baseUrl, seat),
      publicBaseUrl: ctx.screen.baseUrl,
      locale: ctx.locale(),
    });
    return { el, title: t.continueOnPhone, dispose: mounted.destroy };
  }
  const el = h('section', { class: 'pair-screen phone' });
  const api = new PhonePairing(ctx.screen.baseUrl);
  let stop: (() => void) | undefined;
  const show = () => {
    stop?.();
    stop = undefined;
    if (ctx.resume.paired) {
      const inner = mountRemote(el, ctx, api);
      // The pairing may end while this screen shows (unpaired on the seat, new flight): back to the form.
      const watch = ctx.resume.subscribe(() => {
        if (!ctx.resume.paired) show();
      });
      stop = () => {
        inner();
        watch();
      };
    } else {
      mountClaimForm(el, ctx, api, code);
      code = undefined; // used once: a second showing of the form must not send it again
      stop = ctx.resume.subscribe(() => {
        if (ctx.resume.paired) show();
      });
    }
  };
  show();
  return { el, title: t.mySeat, dispose: () => stop?.() };
}
