/**
 * The phone's side of pairing: the code form (filled in and sent at once when the phone came
 * from the seat's QR code), then the remote — what plays on the seat, play/pause, ±10 s,
 * volume, subtitles, next episode — "Continue on this phone" from the merged resume point,
 * and "Unpair".
 */

import { isRefusal } from '../api/api-client.ts';
import type { AppContext } from '../app/context.ts';
import { displayName } from '../catalog/cards.ts';
import { nextEpisode } from '../catalog/model.ts';
import type { UiStrings } from '../i18n/strings.ts';
import { h, replace } from '../ui/dom.ts';
import { type PhonePairing, phoneIdentity } from './pairing-api.ts';

/** The appliance's refusal in the passenger's language (its own message is English). */
function refusal(error: unknown, t: UiStrings): string {
  if (!isRefusal(error)) return t.pairingUnavailable;
  const byCode: Record<string, string> = {
    CODE_UNKNOWN: t.codeWrong,
    CODE_USED: t.codeUsed,
    CODE_EXPIRED: t.codeExpiredAsk,
    PAIRING_LOCKED: t.codeLocked,
    SEAT_FULL: t.seatFull,
  };
  // Never the appliance's own (English, technical) message on screen.
  return byCode[error.code] ?? t.pairingUnavailable;
}

export function mountClaimForm(
  root: HTMLElement,
  ctx: AppContext,
  api: PhonePairing,
  initialCode: string | undefined,
): void {
  const { t } = ctx.locale();
  const input = h('input', {
    id: 'pairing-input',
    inputmode: 'numeric',
    maxlength: 6,
    autocomplete: 'one-time-code',
    value: initialCode ?? '',
  });
  const message = h('p', { role: 'alert', class: 'field-message', id: 'pairing-message' });
  const submit = async (event?: Event) => {
    event?.preventDefault();
    const code = input.value.trim();
    if (!/^[0-9]{6}$/.test(code)) {
      message.textContent = t.enterSeatCode;
      return;
    }
    message.textContent = '';
    try {
      const credentials = await ctx.credentials();
      if (!credentials) throw new Error('no phone identity');
      ctx.resume.pairedWith(await api.claim(phoneIdentity(credentials), code));
      ctx.navigate('#/pair'); // drop the used code from the address
    } catch (error) {
      message.textContent = refusal(error, t);
      message.dataset.code = isRefusal(error) ? error.code : '';
    }
  };
  replace(
    root,
    h(
      'form',
      { class: 'pairing-form', novalidate: true, onSubmit: submit },
      h('h1', {}, t.pairWithSeat),
      h('div', { class: 'field' }, h('label', { for: 'pairing-input' }, t.seatCode), input),
      h('button', { type: 'submit', class: 'button primary', id: 'pair-submit' }, t.pairWithSeat),
      message,
    ),
  );
  if (initialCode && /^[0-9]{6}$/.test(initialCode)) void submit();
}

export function mountRemote(root: HTMLElement, ctx: AppContext, api: PhonePairing): () => void {
  const locale = ctx.locale();
  const { t } = locale;
  const paired = ctx.resume.paired!;
  const send = (command: object) =>
    void ctx.resume.sendRemote(command).catch(() => {
      status.textContent = t.pairingUnavailable;
    });
  const status = h('p', { role: 'status', class: 'remote-status', id: 'remote-status' });
  const body = h('div', { class: 'remote-body' });

  const render = () => {
    // Not under a finger: a slider being dragged or a list being chosen from waits for its blur.
    const active = document.activeElement;
    if (active && body.contains(active) && (active.id === 'remote-volume' || active.id === 'remote-subtitles')) {
      active.addEventListener('blur', render, { once: true });
      return;
    }
    const playback = ctx.resume.seatPlayback;
    const title = playback?.titleId ? ctx.title(playback.titleId) : undefined;
    if (!playback?.titleId) {
      // Nothing on the seat: offer what the passenger watched last, from where any device left it.
      const lastId = ctx.resume.lastTitle();
      const last = lastId ? ctx.title(lastId) : undefined;
      const at = lastId ? (ctx.resume.positionOf(lastId)?.positionS ?? 0) : 0;
      replace(
        body,
        h('p', { class: 'notice', id: 'remote-nothing' }, t.nothingPlaying),
        last && last.rights !== 'seatback-only'
          ? h(
              'a',
              {
                class: 'button primary wide',
                id: 'continue-here',
                href: `#/play/${encodeURIComponent(last.id)}?from=${Math.round(at * 10) / 10}`,
              },
              `${t.continueHere}: ${displayName(last, locale)} (${locale.clock(at)})`,
            )
          : null,
      );
      return;
    }
    const name = title ? displayName(title, locale) : playback.titleId;
    const resumeAt = ctx.resume.positionOf(playback.titleId)?.positionS ?? playback.positionS;
    const next = title && nextEpisode(ctx.titles(), title);
    const volume = h('input', {
      type: 'range',
      id: 'remote-volume',
      min: 0,
      max: 100,
      step: 5,
      value: playback.volume,
      'aria-label': t.volume,
      onChange: () => send({ action: 'volume', level: Number(volume.value) }),
    });
    const subtitles = h(
      'select',
      { id: 'remote-subtitles', onChange: () => send({ action: 'subtitles', language: subtitles.value || null }) },
      h('option', { value: '', selected: playback.subtitles === null }, t.off),
      (title?.subtitleLanguages ?? []).map((s) =>
        h(
          'option',
          { value: s.language, selected: s.language === playback.subtitles },
          locale.languageName(s.language),
        ),
      ),
    );
    replace(
      body,
      h(
        'p',
        {
          class: 'remote-now',
          id: 'remote-now',
          'data-title-id': playback.titleId,
          'data-playing': String(playback.playing),
        },
        h('span', { class: 'remote-state' }, playback.playing ? t.playingOnSeat : t.pausedOnSeat),
        ' ',
        h('strong', {}, name),
        ' · ',
        h('span', { id: 'remote-position' }, locale.clock(playback.positionS)),
      ),
      h(
        'div',
        { class: 'remote-buttons' },
        h(
          'button',
          {
            type: 'button',
            class: 'button secondary',
            id: 'remote-back',
            'aria-label': t.back10,
            onClick: () => send({ action: 'seek', positionS: Math.max(0, playback.positionS - 10) }),
          },
          '−10 s',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button primary',
            id: 'remote-toggle',
            onClick: () => send({ action: playback.playing ? 'pause' : 'play' }),
          },
          playback.playing ? t.pause : t.play,
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button secondary',
            id: 'remote-forward',
            'aria-label': t.forward10,
            onClick: () => send({ action: 'seek', positionS: playback.positionS + 10 }),
          },
          '+10 s',
        ),
        next
          ? h(
              'button',
              {
                type: 'button',
                class: 'button secondary',
                id: 'remote-next',
                onClick: () => send({ action: 'next_episode' }),
              },
              t.nextEpisode,
            )
          : null,
      ),
      h('div', { class: 'field' }, h('label', { for: 'remote-volume' }, t.volume), volume),
      h('div', { class: 'field' }, h('label', { for: 'remote-subtitles' }, t.subtitleLanguages), subtitles),
      title && !(title.rights === 'seatback-only')
        ? h(
            'button',
            {
              type: 'button',
              class: 'button primary wide',
              id: 'continue-here',
              onClick: () => {
                // The seat stops where it is; the phone starts from the newest resume point of any device.
                if (playback.playing) send({ action: 'pause' });
                const from = ctx.resume.positionOf(playback.titleId!)?.positionS ?? resumeAt;
                ctx.navigate(`#/play/${encodeURIComponent(playback.titleId!)}?from=${Math.round(from * 10) / 10}`);
              },
            },
            `${t.continueHere} (${locale.clock(resumeAt)})`,
          )
        : h('p', { class: 'notice' }, t.notOnPhone),
    );
  };

  replace(
    root,
    h('h1', {}, t.remote),
    h('p', { class: 'remote-seat' }, `${t.pairedWith} ${paired.seatId}`),
    body,
    status,
    h(
      'button',
      {
        type: 'button',
        class: 'button secondary',
        id: 'unpair',
        onClick: async () => {
          const credentials = await ctx.credentials();
          if (credentials) await api.unpair(phoneIdentity(credentials)).catch(() => undefined);
          ctx.resume.forgetPairing();
        },
      },
      t.unpair,
    ),
  );
  render();
  return ctx.resume.subscribe(render);
}
