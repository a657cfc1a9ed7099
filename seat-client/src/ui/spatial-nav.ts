/**
 * D-pad and arrow keys move the focus to the nearest control in that direction (seatback
 * handsets and TV remotes have no pointer); Enter presses it (links and buttons do that
 * natively). Arrows keep their own meaning inside text fields, sliders and menus.
 */
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), [tabindex="0"]';

type Direction = 'left' | 'right' | 'up' | 'down';
const KEYS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

function visible(el: HTMLElement): boolean {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return false;
  return !el.closest('[hidden], [inert], .visually-hidden, .skip') && getComputedStyle(el).visibility !== 'hidden';
}

/** Which candidate is next: in the direction, close along it, and close across it (weighted more). */
export function nearest(from: DOMRect, candidates: { rect: DOMRect }[], dir: Direction): number {
  const cx = from.left + from.width / 2;
  const cy = from.top + from.height / 2;
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  candidates.forEach(({ rect }, i) => {
    const x = rect.left + rect.width / 2;
    const y = rect.top + rect.height / 2;
    const along = dir === 'left' ? cx - x : dir === 'right' ? x - cx : dir === 'up' ? cy - y : y - cy;
    const edge =
      dir === 'left'
        ? from.left - rect.right
        : dir === 'right'
          ? rect.left - from.right
          : dir === 'up'
            ? from.top - rect.bottom
            : rect.top - from.bottom;
    if (along <= 1 || edge < -Math.min(from.width, from.height) / 2) return;
    const across = dir === 'left' || dir === 'right' ? Math.abs(y - cy) : Math.abs(x - cx);
    const score = Math.max(0, edge) + across * 2;
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

export function installSpatialNavigation(doc: Document): () => void {
  const onKey = (e: KeyboardEvent) => {
    const dir = KEYS[e.key];
    if (!dir || e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
    const active = doc.activeElement as HTMLElement | null;
    if (active?.matches('input[type="range"], select, textarea')) return;
    if (active?.matches('input:not([type="checkbox"]):not([type="radio"])') && (dir === 'left' || dir === 'right'))
      return;
    const from = active && active !== doc.body ? active.getBoundingClientRect() : new DOMRect(0, 0, 0, 0);
    const scope = active?.closest('.overlay:not([hidden])') ?? doc;
    const candidates = [...scope.querySelectorAll<HTMLElement>(FOCUSABLE)]
      .filter((el) => el !== active && visible(el))
      .map((el) => ({ el, rect: el.getBoundingClientRect() }));
    // In a right-to-left page "left" on the remote still means the screen's left: geometry, not reading order.
    const i = active && active !== doc.body ? nearest(from, candidates, dir) : 0;
    const next = candidates[i]?.el;
    if (!next) return;
    e.preventDefault();
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  };
  doc.addEventListener('keydown', onKey);
  return () => doc.removeEventListener('keydown', onKey);
}
