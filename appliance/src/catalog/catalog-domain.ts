/** The catalogue domain: the replicated catalogue, projected from the active content load; snapshot, pull and live stream for seats. */
import type { Logger } from 'pino';
import type { ApplianceDomain } from '../domain.ts';
import type { ContentLoads } from '../media/content-loads.ts';
import type { Store } from '../store/store.ts';
import { Catalog } from './catalog.ts';
import { catalogRouter } from './http.ts';
import { LiveStream } from './live-stream.ts';
import type { ReplicationClock } from './sequence.ts';

export interface CatalogDeps {
  store: Store;
  /** Shared with seat state: one forward-only sequence for every replicated document. */
  clock: ReplicationClock;
  loads: ContentLoads;
  log: Logger;
}

export const catalogDomain: ApplianceDomain<CatalogDeps, Catalog> = {
  name: 'catalog',
  async open({ store, clock, loads, log }) {
    const stream = new LiveStream({ name: 'catalog' });
    const catalog = new Catalog({ store, clock, stream, log });
    await catalog.load();
    // The catalogue follows the active content load.
    loads.onActivated((active) => {
      catalog
        .projectLoad(active)
        .catch((error: unknown) => log.error({ err: error, loadId: active.loadId }, 'catalogue projection failed'));
    });
    if (loads.active) await catalog.projectLoad(loads.active);
    return {
      api: catalog,
      router: catalogRouter(catalog, stream),
      // Open replication streams would hold the HTTP server's close up: end them, seats reconnect and resync.
      stop: async () => stream.close(),
    };
  },
};
