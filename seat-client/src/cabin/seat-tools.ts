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
import type { ChangeState } from './personal-changes.ts';

/** Marks for the status line (inline SVG: seat units have no emoji font). Decorative. */
const MARKS = {
  waiting: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v6l5 3 1-1.7-4-2.4V7z',
  done: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z',
} as const;

function mark(kind: keyof typeof MARKS): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `icon cabin-status-mark ${kind}`);
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', MARKS[kind]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

export interface SeatToolsActions {
  cabinState(): CabinStateView;
  /** Favourites waiting for the appliance, or just delivered. */
  personalChanges?(): ChangeState;
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
  const changes = actions.personalChanges?.() ?? 'none';
  const changeWords = changes === 'queued' ? t.saved_queued : changes === 'sent' ? t.saved_sent : null;
  // One line per request still travelling or just through: a queued call does not hide a queued favourite.
  const lines = [
    { kind: 'call', words: callWords, waiting: state.call === 'queued' || state.call === 'sending' },
    { kind: 'dnd', words: dndWords, waiting: true },
    { kind: 'changes', words: changeWords, waiting: changes === 'queued' },
  ].filter((l) => l.words !== null);
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
      // A short header keeps "Cancel call" in words (what the passenger looks for) and the rest as icons (shell.ts fit).
      h('span', { class: calling ? 'tool-label keep' : 'tool-label' }, calling ? t.cancelCall : t.callCrew),
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
      state.dnd.on
        ? [h('span', { class: 'tool-label' }, t.dndOn), h('span', { class: 'dnd-check', 'aria-hidden': 'true' }, ' ✓')]
        : h('span', { class: 'tool-label' }, t.dnd),
    ),
    // Always in the page (a live region must exist before it speaks); empty when all went through.
    h(
      'p',
      {
        class: `cabin-status${lines.length ? '' : ' empty'}`,
        id: 'call-status',
        role: 'status',
        'data-call': state.call,
        'data-dnd': state.dnd.state,
        'data-changes': changes,
      },
      lines.map((l) =>
        h('span', { class: 'cabin-status-line', 'data-kind': l.kind }, mark(l.waiting ? 'waiting' : 'done'), l.words),
      ),
    ),
  ];
}
