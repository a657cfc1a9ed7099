/**
 * The picture above the seek bar: while a passenger hovers or drags the bar (mouse or finger)
 * or steps it with the arrow keys, the title's seek preview picture for that moment and the
 * time, centred over that point of the bar, kept inside the screen, on a bar that runs right to
 * left in Arabic. Nothing at all when the title has no track or the track cannot be read: the
 * bar works as before. Track format and lookup: protocol/src/seek-preview.ts.
 */
import { parseSeekPreviewTrack, type SeekPreviewCue, seekPreviewCueAt } from '@ifec/protocol';
import type { Locale } from '../i18n/i18n.ts';
import { h } from '../ui/dom.ts';
import './seek-preview.css';

/** Chromium's range thumb: the value maps onto the bar less half a thumb at each end. */
const THUMB_PX = 16;
/** Least distance from the screen's edges. */
const EDGE_PX = 8;
const GAP_PX = 12;
/** After an arrow key, the picture stays this long. */
const KEY_LINGER_MS = 1500;

export interface SeekPreview {
  el: HTMLElement;
  dispose(): void;
}

export function seekPreview(opts: {
  seek: HTMLInputElement;
  /** The player: the picture is placed in it (the control bar scrolls and would clip it). */
  stage: HTMLElement;
  trackUrl: string;
  locale: Locale;
}): SeekPreview {
  const { seek, stage, locale } = opts;
  const picture = h('div', { class: 'seek-preview-picture' });
  const time = h('span', { class: 'seek-preview-time' });
  const el = h(
    'div',
    { class: 'seek-preview', id: 'seek-preview', 'aria-hidden': 'true', hidden: true },
    picture,
    time,
  );
  stage.append(el);

  let cues: Array<SeekPreviewCue & { url: string }> = [];
  let disposed = false;
  let dragging = false;
  let hovering = false;
  let lingerTimer: ReturnType<typeof setTimeout> | undefined;
  const preloaded = new Set<string>();

  void fetch(opts.trackUrl)
    .then((res) => (res.ok ? res.text() : Promise.reject(new Error(`seek preview ${res.status}`))))
    .then((text) => {
      if (disposed) return;
      // Sheets are named relative to the track (and a seatback-only title's carry the token).
      cues = parseSeekPreviewTrack(text).map((c) => ({ ...c, url: new URL(c.image, opts.trackUrl).href }));
      el.dataset.cues = String(cues.length);
    })
    .catch(() => {
      cues = [];
    });

  const max = () => Math.max(1, Number(seek.max) || 1);
  const rtl = () => getComputedStyle(seek).direction === 'rtl';
  /** Where on screen (x) the thumb stands for `t`. */
  const xOf = (t: number) => {
    const r = seek.getBoundingClientRect();
    const travel = Math.max(0, r.width - THUMB_PX);
    const along = THUMB_PX / 2 + (Math.min(max(), Math.max(0, t)) / max()) * travel;
    return rtl() ? r.right - along : r.left + along;
  };
  /** The time a press at screen x would seek to. */
  const timeAt = (x: number) => {
    const r = seek.getBoundingClientRect();
    const travel = Math.max(1, r.width - THUMB_PX);
    const along = rtl() ? r.right - x : x - r.left;
    return Math.min(max(), Math.max(0, ((along - THUMB_PX / 2) / travel) * max()));
  };

  const preload = () => {
    for (const c of cues) {
      if (preloaded.has(c.url)) continue;
      preloaded.add(c.url);
      new Image().src = c.url;
    }
  };

  const show = (t: number, x: number) => {
    const cue = seekPreviewCueAt(cues, t);
    if (!cue) return hide();
    preload();
    picture.style.width = `${cue.width}px`;
    picture.style.height = `${cue.height}px`;
    picture.style.backgroundImage = `url("${cue.url}")`;
    picture.style.backgroundPosition = `${-cue.x}px ${-cue.y}px`;
    time.textContent = locale.clock(t);
    el.dataset.time = String(Math.round(t * 1000) / 1000);
    el.hidden = false;
    const area = stage.getBoundingClientRect();
    const bar = seek.getBoundingClientRect();
    const left = Math.min(Math.max(x - area.left - el.offsetWidth / 2, EDGE_PX), area.width - el.offsetWidth - EDGE_PX);
    el.style.left = `${Math.round(left)}px`;
    el.style.top = `${Math.round(Math.max(EDGE_PX, bar.top - area.top - el.offsetHeight - GAP_PX))}px`;
  };
  const hide = () => {
    el.hidden = true;
    delete el.dataset.time;
  };
  const showValue = () => show(Number(seek.value), xOf(Number(seek.value)));

  const onPointerMove = (e: PointerEvent) => {
    if (dragging) return; // the value follows the pointer; `input` shows it
    if (e.pointerType !== 'mouse') return;
    hovering = true;
    show(timeAt(e.clientX), e.clientX);
  };
  const onPointerDown = () => {
    dragging = true;
    clearTimeout(lingerTimer);
  };
  const onPointerEnd = (e: PointerEvent) => {
    dragging = false;
    // A finger leaves nothing hovering; a mouse still over the bar keeps showing where it is.
    if (e.pointerType !== 'mouse' || !hovering) hide();
  };
  const onPointerLeave = () => {
    hovering = false;
    if (!dragging) hide();
  };
  const onInput = () => {
    showValue();
    clearTimeout(lingerTimer);
    // Stepped from the keyboard (no pointer on the bar): the picture goes after a moment.
    if (!dragging && !hovering) lingerTimer = setTimeout(hide, KEY_LINGER_MS);
  };
  const onBlur = () => {
    if (!hovering && !dragging) hide();
  };
  seek.addEventListener('pointermove', onPointerMove);
  seek.addEventListener('pointerdown', onPointerDown);
  // Released outside the bar counts too (a drag often ends past its end).
  window.addEventListener('pointerup', onPointerEnd);
  window.addEventListener('pointercancel', onPointerEnd);
  seek.addEventListener('pointerleave', onPointerLeave);
  seek.addEventListener('input', onInput);
  seek.addEventListener('blur', onBlur);

  return {
    el,
    dispose() {
      disposed = true;
      clearTimeout(lingerTimer);
      window.removeEventListener('pointerup', onPointerEnd);
      window.removeEventListener('pointercancel', onPointerEnd);
      el.remove();
    },
  };
}
