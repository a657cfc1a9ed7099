/**
 * The catalogue a seat or a phone shows, in one language (falling back to English, then to the
 * title's original language, then to any): the catalogue's one title shape (catalog/titles.ts)
 * with its name and synopsis picked.
 * Built once per load and language and kept: 850 seats asking at boarding read no disk.
 */
import { type LocalizedCatalogTitle, localizeTitle } from '@ifec/protocol';
import { projectTitle } from '../catalog/titles.ts';
import type { ActiveContentLoad } from './content-loads.ts';
import type { LiveChannelState } from './live-channels.ts';
import type { PlaybackDevice } from './playback-policy.ts';

export interface Catalog {
  loadId: string | null;
  cycle: string | null;
  language: string;
  titles: LocalizedCatalogTitle[];
  channels: Array<LiveChannelState & { kind: 'live' }>;
}

export class CatalogView {
  private cache = new Map<string, LocalizedCatalogTitle[]>();
  private cachedLoad: string | undefined;

  titles(active: ActiveContentLoad | undefined, lang: string, device: PlaybackDevice): LocalizedCatalogTitle[] {
    if (!active) return [];
    if (this.cachedLoad !== active.loadId) {
      this.cache = new Map();
      this.cachedLoad = active.loadId;
    }
    let all = this.cache.get(lang);
    if (!all) {
      all = active.titles.map((m) => localizeTitle(projectTitle(active.loadId, m), lang));
      if (this.cache.size < 64) this.cache.set(lang, all);
    }
    // A passenger's own device never sees early-window films it could not play.
    return device === 'phone' ? all.filter((t) => t.rights !== 'seatback-only') : all;
  }
}
