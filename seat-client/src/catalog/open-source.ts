/**
 * Picks the catalogue source. A seat unit opens the RxDB replica (IndexedDB, replicated with
 * the appliance); a phone — or a seat whose replica cannot open — uses HTTP with a kept copy.
 */
import type { Screen } from '../cabin/seat-identity.ts';
import { ReplicaCatalogSource } from './replica-source.ts';
import { type CatalogSource, HttpCatalogSource } from './source.ts';

/** `later`: the snapshot's full check and the replica wait for it (app/main.ts: after home has painted at a cold start). */
export function openCatalogSource(
  screen: Screen,
  storage: Storage,
  later: Promise<void> = Promise.resolve(),
): CatalogSource {
  const http = new HttpCatalogSource(screen.baseUrl, storage, later);
  const seat = screen.seat;
  const useReplica = seat !== undefined && 'indexedDB' in globalThis;
  const first = http.start(!useReplica);
  if (!useReplica || !seat) return http;
  const source = new ReplicaCatalogSource(http, screen.baseUrl);
  // The home screen paints from the snapshot (or the kept copy) first; RxDB opens right after.
  void Promise.all([first, later])
    .then(() => source.open(seat))
    .catch((error: unknown) => {
      console.warn('replica unavailable, using the HTTP catalogue', error);
      void http.start(true);
    });
  return source;
}
