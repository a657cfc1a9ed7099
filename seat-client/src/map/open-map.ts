/**
 * The map route's view: a placeholder at once, then the map's chunk (d3-geo, Natural Earth,
 * city names, its strings) fetched on first use and mounted into it.
 */
import type { AppContext, View } from '../app/context.ts';
import type { FlightAwareness } from '../flight/flight-state.ts';
import { h } from '../ui/dom.ts';

export function mapView(ctx: AppContext, flight: FlightAwareness): View {
  const { t } = ctx.locale();
  const el = h('div', { class: 'map-host' }, h('p', { class: 'empty' }, t.loading));
  let disposed = false;
  let dispose: (() => void) | undefined;
  void import('./map-screen.ts')
    .then(({ movingMap }) => {
      if (disposed) return;
      const map = movingMap({
        flight,
        lang: ctx.locale().lang,
        storage: localStorage,
        deviceLanguage: navigator.language,
        device: ctx.screen.device,
        dir: ctx.locale().dir,
      });
      el.replaceChildren(map.el);
      dispose = map.dispose;
      document.body.dataset.mapReady = 'true';
    })
    .catch((error: Error) => {
      el.replaceChildren(h('p', { class: 'notice', role: 'alert' }, `${t.playError} (${error.message})`));
    });
  return {
    el,
    title: t.map,
    dispose() {
      disposed = true;
      dispose?.();
      delete document.body.dataset.mapReady;
    },
  };
}
