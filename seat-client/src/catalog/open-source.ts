/**
 * Picks the catalogue source. A seat unit opens the RxDB replica (IndexedDB, replicated with
 * the appliance); a phone — or a seat whose replica cannot open — uses HTTP with a kept copy.
 */
import type { Screen } from '../cabin/seat-identity.ts';
import { ReplicaCatalogSource } from './replica-source.ts';
import { HttpCatalogSource, type CatalogSource } from './source.ts';

export async function openCatalogSource(screen: Screen, storage: Storage): Promise<CatalogSource> {
  const http = new HttpCatalogSource(screen.baseUrl, storage);
  const useReplica = screen.seat !== undefined && 'indexedDB' in globalThis;
  void http.start(!useReplica);
  if (!useReplica || !screen.seat) return http;
  try {
    return await ReplicaCatalogSource.open(screen.seat, screen.baseUrl, http);
  } catch (error) {
    console.warn('replica unavailable, using HTTP catalogue', error);
    void http.start(true);
    return http;
  }
}
