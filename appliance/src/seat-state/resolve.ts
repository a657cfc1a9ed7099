/**
 * How the appliance settles a seat's push (RxDB's conflict handling, done on the appliance so
 * a seat and its paired phone end up with the same answer):
 *
 * - no conflict (the seat's assumed state is the appliance's): the new state is taken;
 * - settings: merged field by field, the seat's changed fields over the appliance's, so a
 *   language set on the phone and a text size set on the seat both survive;
 * - favourite: the write that reaches the appliance last wins;
 * - parental lock: the stricter lock wins (enabled over disabled, the lower age), so a child
 *   cannot undo a parent's lock by racing it from a stale replica.
 *
 * When the stored result is not what the seat sent, it is returned as a conflict and RxDB on
 * the seat adopts it.
 */
import type { SeatStateDoc } from '@ifec/protocol';
import { canonicalJson } from '../catalog/titles.ts';

export type SeatStateContent = Omit<SeatStateDoc, 'updatedAt'>;

export interface Resolution {
  /** What to store (without its updatedAt); undefined: the appliance keeps what it has. */
  store?: SeatStateContent;
  /** True when the seat must adopt the appliance's state. */
  conflict: boolean;
}

export function contentOf(doc: SeatStateDoc): SeatStateContent {
  const { updatedAt: _u, ...content } = doc;
  return content;
}

export function sameContent(
  a: SeatStateDoc | SeatStateContent | null | undefined,
  b: SeatStateDoc | SeatStateContent | null | undefined,
): boolean {
  if (!a || !b) return a === b;
  return canonicalJson(contentOf(a as SeatStateDoc)) === canonicalJson(contentOf(b as SeatStateDoc));
}

export function resolvePush(
  master: SeatStateDoc | undefined,
  assumed: SeatStateDoc | null | undefined,
  next: SeatStateDoc,
): Resolution {
  const wanted = contentOf(next);
  const winner = !master || sameContent(assumed, master) ? wanted : merge(master, assumed ?? undefined, next);
  if (master && sameContent(winner, master)) return { conflict: !sameContent(winner, wanted) };
  return { store: winner, conflict: !sameContent(winner, wanted) };
}

function merge(master: SeatStateDoc, assumed: SeatStateDoc | undefined, next: SeatStateDoc): SeatStateContent {
  if (master.kind === 'settings' && next.kind === 'settings' && !master._deleted && !next._deleted) {
    const before = (assumed?.kind === 'settings' && !assumed._deleted ? assumed.value : {}) as Record<string, unknown>;
    const mine = next.value as Record<string, unknown>;
    const value: Record<string, unknown> = { ...master.value };
    for (const key of new Set([...Object.keys(before), ...Object.keys(mine)])) {
      if (canonicalJson(mine[key]) === canonicalJson(before[key])) continue;
      if (mine[key] === undefined) delete value[key];
      else value[key] = mine[key];
    }
    return { ...contentOf(master), value } as SeatStateContent;
  }
  if (master.kind === 'parental-lock' && next.kind === 'parental-lock') {
    const strength = (d: SeatStateDoc & { kind: 'parental-lock' }) =>
      d._deleted || !d.value.enabled ? Infinity : d.value.maxAge;
    return strength(master) < strength(next) ? contentOf(master) : contentOf(next);
  }
  return contentOf(next);
}
