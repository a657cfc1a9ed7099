/**
 * The seat map drawn as the cabin: nose at the start edge, one column per seat row, the seat
 * groups of the layout file stacked across with an aisle between them, class dividers, exits
 * and galleys/lavatories/stairs where the layout file puts them. A call light is a filled
 * amber seat with a bell (a shape, not only a colour); DND a moon, a lock, a fault mark.
 * Offline seats are hatched, seats never seen are dotted: readable without colour.
 */
import type { CabinPlan, SeatMapEntry } from '@ifec/protocol';
import { h } from '../ui/dom.ts';
import { icon } from '../ui/icons.ts';
import type { CrewStrings } from './crew-strings.ts';
import { fill } from './crew-strings.ts';

export interface SeatMapView {
  plan: CabinPlan;
  deck: number;
  seats: ReadonlyMap<string, SeatMapEntry>;
  locked: (seatId: string) => boolean;
  selected: string | undefined;
  /** The console cannot reach the appliance: every seat's state is unknown. */
  stale: boolean;
  /** Online, offline, calling counts for the whole aircraft. */
  summary: string;
  t: CrewStrings;
  describe: (s: SeatMapEntry) => string;
  onSelect: (seatId: string) => void;
  onDeck: (deck: number) => void;
}

export function className(t: CrewStrings, cabinClass: string): string {
  return (t as Record<string, string>)[`class_${cabinClass}`] ?? cabinClass;
}

/** What one seat shows: the most urgent mark only (the full state is in its label). */
function mark(s: SeatMapEntry | undefined, locked: boolean): { kind: string; node: Node | string } | undefined {
  if (!s) return undefined;
  if (s.callLight) return { kind: 'call', node: icon('bell') };
  if (s.faults.length) return { kind: 'fault', node: '!' };
  if (locked) return { kind: 'locked', node: icon('lock') };
  if (s.dnd) return { kind: 'dnd', node: icon('moon') };
  if (s.playing) return { kind: 'playing', node: '▶' };
  return undefined;
}

export function seatMapView(v: SeatMapView): HTMLElement {
  const { t, plan } = v;
  const deck = plan.decks[v.deck] ?? plan.decks[0]!;
  // Columns of the grid: the letter labels, then seat rows and monuments in cabin order.
  type Slot =
    | { kind: 'row'; row: (typeof deck.rows)[number]; classStart: boolean }
    | { kind: 'monument'; label: string; what: string };
  const slots: Slot[] = [];
  const monumentsBefore = (row: number) =>
    deck.monuments
      .filter((m) => m.beforeRow === row)
      .map((m) => ({ kind: 'monument' as const, label: t[m.kind], what: m.kind }));
  let lastClass = '';
  for (const row of deck.rows) {
    slots.push(...monumentsBefore(row.row));
    slots.push({ kind: 'row', row, classStart: row.cabinClass !== lastClass });
    lastClass = row.cabinClass;
  }
  const lastRow = deck.rows.at(-1)?.row ?? 0;
  slots.push(
    ...deck.monuments
      .filter((m) => m.beforeRow > lastRow)
      .map((m) => ({ kind: 'monument' as const, label: t[m.kind], what: m.kind })),
  );

  // Rows of the grid: exits (top), row numbers, each group's letters with an aisle between, exits (bottom).
  const letterRows: { letter: string; group: number; line: number }[] = [];
  let line = 3;
  deck.columns.forEach((letters, group) => {
    if (group > 0) line++; // the aisle
    for (const letter of letters) letterRows.push({ letter, group, line: line++ });
  });
  const bottom = line;
  const aisleLines = deck.columns.slice(1).map((_, i) => letterRows.find((r) => r.group === i + 1)!.line - 1);

  const cells: HTMLElement[] = [];
  for (const r of letterRows)
    cells.push(h('span', { class: 'letter', 'aria-hidden': 'true', style: `grid-area: ${r.line} / 1` }, r.letter));
  slots.forEach((slot, i) => {
    const col = i + 2;
    if (slot.kind === 'monument') {
      cells.push(
        h(
          'span',
          {
            class: `monument ${slot.what}`,
            style: `grid-area: 2 / ${col} / ${bottom} / ${col + 1}`,
            title: slot.label,
          },
          h('span', {}, slot.label),
        ),
      );
      return;
    }
    const { row } = slot;
    const divider = slot.classStart ? ' class-start' : '';
    if (slot.classStart)
      cells.push(
        h('span', { class: 'class-name', style: `grid-area: 1 / ${col} / 2 / span 6` }, className(t, row.cabinClass)),
      );
    cells.push(
      h(
        'span',
        {
          class: `row-number${row.exit ? ' exit-row' : ''}${divider}`,
          'aria-hidden': 'true',
          style: `grid-area: 2 / ${col}`,
        },
        row.row,
      ),
    );
    if (row.exit)
      cells.push(
        h('span', { class: 'exit', title: t.exit, 'aria-hidden': 'true', style: `grid-area: ${bottom} / ${col}` }, '⇆'),
      );
    for (const a of aisleLines)
      cells.push(h('span', { class: `aisle${divider}`, 'aria-hidden': 'true', style: `grid-area: ${a} / ${col}` }));
    const placed = new Map(row.groups.flat().map((s) => [s.letter, s.seatId]));
    for (const lr of letterRows) {
      const seatId = placed.get(lr.letter);
      if (!seatId) {
        cells.push(
          h('span', { class: `no-seat${divider}`, 'aria-hidden': 'true', style: `grid-area: ${lr.line} / ${col}` }),
        );
        continue;
      }
      const s = v.seats.get(seatId);
      const locked = v.locked(seatId);
      const m = v.stale ? undefined : mark(s, locked);
      cells.push(
        h(
          'button',
          {
            type: 'button',
            class: `seat${divider}${m ? ` mark-${m.kind}` : ''}`,
            id: `seat-${seatId}`,
            style: `grid-area: ${lr.line} / ${col}`,
            'aria-label': s ? v.describe(s) : fill(t.seat, { seat: seatId }),
            title: s ? v.describe(s) : seatId,
            'aria-pressed': String(v.selected === seatId),
            'data-state': s?.state ?? 'never_seen',
            'data-locked': String(locked),
            'data-call': String(s?.callLight ?? false),
            'data-dnd': String(s?.dnd ?? false),
            onClick: () => v.onSelect(seatId),
          },
          m ? m.node : null,
        ),
      );
    }
  });

  const template = [
    '1.6em',
    ...slots.map((s) => (s.kind === 'monument' ? 'minmax(12px, 20px)' : 'minmax(14px, 40px)')),
  ].join(' ');
  const legendItem = (cls: string, label: string, content: Node | string | null = null) =>
    h('li', {}, h('span', { class: `seat sample ${cls}`, 'aria-hidden': 'true' }, content), label);
  return h(
    'section',
    { class: `seat-map${v.stale ? ' stale' : ''}`, 'aria-labelledby': 'map-heading', 'data-stale': String(v.stale) },
    h(
      'div',
      { class: 'map-head' },
      h('h2', { id: 'map-heading' }, `${t.seatMap} · ${plan.type} ${plan.tailNumber}`),
      h('p', { class: 'summary', id: 'crew-summary' }, v.summary),
      plan.decks.length > 1
        ? h(
            'div',
            { class: 'decks', role: 'group', 'aria-label': t.decks },
            plan.decks.map((d, i) => {
              // A call on the other deck shows on its button: nobody misses it behind a tab.
              const calls = d.rows
                .flatMap((r) => r.groups.flat())
                .filter((s) => s.seatId && v.seats.get(s.seatId)?.callLight).length;
              return h(
                'button',
                {
                  type: 'button',
                  class: `button small${calls && !v.stale ? ' has-calls' : ''}`,
                  id: `deck-${d.deck}`,
                  'aria-pressed': String(i === v.deck),
                  onClick: () => v.onDeck(i),
                },
                t[`deck_${d.deck}`],
                calls && !v.stale ? [' ', icon('bell'), h('span', { class: 'deck-calls' }, calls)] : null,
              );
            }),
          )
        : null,
      h(
        'ul',
        { class: 'legend' },
        legendItem('online', t.legendOnline),
        legendItem('offline-sample', t.legendOffline),
        legendItem('never-sample', t.legendNeverSeen),
        legendItem('mark-call', t.legendCall, icon('bell')),
        legendItem('', t.legendDnd, icon('moon')),
        legendItem('', t.legendLocked, icon('lock')),
        legendItem('', t.legendFault, '!'),
        legendItem('', t.legendPlaying, '▶'),
        h('li', {}, h('span', { class: 'exit sample', 'aria-hidden': 'true' }, '⇆'), t.exit),
      ),
    ),
    h(
      'div',
      { class: 'fuselage', 'data-deck': deck.deck },
      h('span', { class: 'nose', 'aria-hidden': 'true' }, t.nose),
      h('div', { class: 'cabin-grid', style: `grid-template-columns: ${template}` }, cells),
    ),
  );
}
