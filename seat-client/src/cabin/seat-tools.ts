/**
 * The seat's call-crew and do-not-disturb buttons and the line that says what became of
 * them: queued while the cabin system is unreachable, sending, received, "crew is coming".
 * Call and DND differ by icon and words, not only colour: a bell and "Cancel call" for a
 * call, a moon and "Do not disturb: on" with a check for DND.
 */
import './cabin.css';
import { h } from '../ui/dom.ts';
import { icon } from '../ui/icons.ts';
import type { CabinStateView } from './cabin-state.ts';
import { cabinStringsFor } from './cabin-strings.ts';

export interface SeatToolsActions {
  cabinState(): CabinStateView;
  toggleCall(): void;
  toggleDnd(): void;
}

export function seatTools(lang: string, actions: SeatToolsActions): (HTMLElement | null)[] {
  const t = cabinStringsFor(lang);
  const state = actions.cabinState();
  const calling = state.call === 'queued' || state.call === 'sending' || state.call === 'received';
  const callWords =
    state.call === 'idle'
      ? null
      : t[`call_${state.call}` as 'call_queued' | 'call_sending' | 'call_received' | 'call_acknowledged'];
  const dndWords = state.dnd.state === 'saved' ? null : state.dnd.state === 'queued' ? t.dnd_queued : t.dnd_sending;
  const line = callWords ?? dndWords;
  return [
    h(
      'button',
      {
        type: 'button',
        class: 'button call',
        id: 'call-crew',
        'aria-pressed': String(calling),
        'data-call': state.call,
        onClick: () => actions.toggleCall(),
      },
      icon('bell'),
      calling ? t.cancelCall : t.callCrew,
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'button dnd',
        id: 'dnd',
        'aria-pressed': String(state.dnd.on),
        'data-dnd': state.dnd.state,
        onClick: () => actions.toggleDnd(),
      },
      icon('moon'),
      state.dnd.on ? [t.dndOn, h('span', { class: 'dnd-check', 'aria-hidden': 'true' }, ' ✓')] : t.dnd,
    ),
    // Always in the page (a live region must exist before it speaks); empty when all went through.
    h(
      'p',
      {
        class: `cabin-status${line ? '' : ' empty'}`,
        id: 'call-status',
        role: 'status',
        'data-call': state.call,
        'data-dnd': state.dnd.state,
      },
      line
        ? [
            state.call === 'queued' || (!callWords && state.dnd.state === 'queued')
              ? h('span', { class: 'cabin-status-mark', 'aria-hidden': 'true' }, '⏳ ')
              : state.call === 'acknowledged' || state.call === 'received'
                ? h('span', { class: 'cabin-status-mark', 'aria-hidden': 'true' }, '✓ ')
                : null,
            line,
          ]
        : null,
    ),
  ];
}
