/**
 * Screens whose code is fetched on first use, so a cold start evaluates only what home needs
 * (the player, the shop, search, settings, pairing and the detail pages are chunks of their own).
 * The app fetches them all once home is on screen (app/main.ts), so they are in the offline
 * cache and, from then on, a screen is built at once, as if it had never been apart.
 */
import { h } from '../ui/dom.ts';
import type { View } from './context.ts';

export interface LazyModule<M> {
  /** The module, fetched once. */
  load(): Promise<M>;
  /** The module if it has arrived. */
  now(): M | undefined;
}

export function lazyModule<M>(importer: () => Promise<M>): LazyModule<M> {
  let mod: M | undefined;
  let pending: Promise<M> | undefined;
  return {
    load: () =>
      (pending ??= importer().then(
        (m) => (mod = m),
        (error: unknown) => {
          pending = undefined; // offline before it was cached: ask again next time
          throw error;
        },
      )),
    now: () => mod,
  };
}

export interface LazyScreenText {
  loading: string;
  /** Said when the screen's code cannot be fetched (appliance unreachable before it was cached). */
  failed: string;
}

/**
 * The screen `make` builds from the module: at once if it has arrived, else a placeholder that
 * the screen replaces when it does (`mounted` lets the app set the title and give the focus back).
 */
export function lazyScreen<M>(
  mod: LazyModule<M>,
  make: (m: M) => View,
  text: LazyScreenText,
  mounted: (view: View) => void,
): View {
  const ready = mod.now();
  if (ready) return make(ready);
  const host = h('div', { class: 'screen-loading' }, h('p', { class: 'empty' }, text.loading));
  let inner: View | undefined;
  let disposed = false;
  void mod.load().then(
    (m) => {
      if (disposed) return;
      inner = make(m);
      host.replaceWith(inner.el);
      mounted(inner);
    },
    (error: Error) => {
      console.warn('screen unavailable', error);
      if (!disposed) host.replaceChildren(h('p', { class: 'notice', role: 'alert' }, text.failed));
    },
  );
  return {
    el: host,
    title: text.loading,
    dispose() {
      disposed = true;
      inner?.dispose?.();
    },
  };
}
