/**
 * The crew's picture of the cabin, from the layout file: per deck, each row's seat groups
 * between aisles lined up on common columns, exits, class changes and monuments. Pure.
 */
import type { CabinPlan, DeckName, PlanRow } from '@ifec/protocol';
import { type CabinLayout, seatsOf } from './layout.ts';

/** Usual seat groups when a layout file does not say: 2-2, 3-3, 2-3-2, 2-4-2, 3-3-3, 3-4-3. */
export function defaultGroups(letters: string): string[] {
  const split: Record<number, number[]> = {
    1: [1],
    2: [1, 1],
    3: [1, 2],
    4: [2, 2],
    5: [2, 3],
    6: [3, 3],
    7: [2, 3, 2],
    8: [2, 4, 2],
    9: [3, 3, 3],
    10: [3, 4, 3],
    11: [3, 5, 3],
  };
  const sizes = split[letters.length] ?? [letters.length];
  const out: string[] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(letters.slice(at, at + n));
    at += n;
  }
  return out;
}

function groupsOf(cabinClass: CabinLayout['classes'][number]): string[] {
  return cabinClass.groups ? cabinClass.groups.split(' ') : defaultGroups(cabinClass.letters);
}

/**
 * Columns of a deck: as many groups as its widest class has, each the union of the letters
 * that classes put there (so 1-2-1 business rows line up over 3-4-3 economy ones).
 */
function deckColumns(classes: CabinLayout['classes']): string[][] {
  const width = Math.max(...classes.map((c) => groupsOf(c).length));
  const columns: Set<string>[] = Array.from({ length: width }, () => new Set());
  for (const c of classes) {
    const groups = groupsOf(c);
    // Fewer groups than the widest class: the outer ones stay outer, the rest go to the middle.
    groups.forEach((g, i) => {
      const at = i === groups.length - 1 ? width - 1 : i === 0 ? 0 : Math.min(i, width - 2);
      for (const letter of g) columns[at]!.add(letter);
    });
  }
  return columns.map((set) => [...set].sort());
}

export function cabinPlanOf(layout: CabinLayout): CabinPlan {
  const seats = new Set(seatsOf(layout).map((s) => s.seatId));
  const exits = new Set(layout.exitRows);
  const skipped = new Set(layout.skippedRows);
  const decks = (['upper', 'main'] as DeckName[]).filter((d) => layout.classes.some((c) => c.deck === d));
  return {
    type: layout.type,
    tailNumber: layout.tailNumber,
    decks: decks.map((deck) => {
      const classes = layout.classes.filter((c) => c.deck === deck);
      const columns = deckColumns(classes);
      const rows: PlanRow[] = [];
      for (const c of [...classes].sort((a, b) => a.rows[0] - b.rows[0])) {
        const own = new Set(c.letters);
        for (let row = c.rows[0]; row <= c.rows[1]; row++) {
          if (skipped.has(row)) continue;
          rows.push({
            row,
            cabinClass: c.name,
            exit: exits.has(row),
            groups: columns.map((letters) =>
              letters
                .filter((l) => own.has(l))
                .map((letter) => ({ letter, seatId: seats.has(`${row}${letter}`) ? `${row}${letter}` : null })),
            ),
          });
        }
      }
      return {
        deck,
        columns,
        rows,
        monuments: layout.monuments.filter((m) => m.deck === deck).map(({ kind, beforeRow }) => ({ kind, beforeRow })),
      };
    }),
  };
}
