/**
 * Which priced titles the passenger already has, from the shop (GET entitlements, the seat's
 * orders and the shop catalogue's names): a flight-long pass covers every priced title, a
 * bundle or a single purchase covers its titles. The detail page says "Included with <pass>"
 * and offers Play instead of Buy. The appliance still decides at playback; this only words it.
 */
import { shopPaths } from '@ifec/protocol';
import { ApiClient } from '../api/api-client.ts';

/** What covers a title: a pass or bundle by its name in the passenger's language, or a purchase of the title alone. */
export type Cover = { kind: 'pass' | 'bundle'; name: string | undefined } | { kind: 'bought' };

interface Entitlements {
  titles: string[];
  pass: boolean;
}
interface CatalogueItem {
  sku: string;
  kind: string;
  name: string;
  titleId?: string;
}
interface Receipt {
  status: string;
  lines: { sku: string }[];
}

/** A shop answer is a reply from another team's code: only what we read is checked, the rest ignored. */
const MAX_ITEMS = 2000;

export class Coverage {
  private covers = new Map<string, Cover>();
  private pass: Cover | undefined;
  private loadedFor = '';
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly baseUrl: string,
    private readonly auth: () => Promise<Record<string, string>>,
  ) {}

  /** What covers `titleId` as last known (undefined: nothing, or not loaded yet). */
  of(titleId: string): Cover | undefined {
    return this.covers.get(titleId) ?? this.pass;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the shop again; listeners hear only when the answer changed what is covered. */
  async refresh(lang: string): Promise<void> {
    const api = new ApiClient(this.baseUrl);
    let ent: Entitlements;
    let items: CatalogueItem[];
    let orders: Receipt[];
    try {
      const headers = await this.auth();
      const [e, c, o] = await Promise.all([
        api.request<Entitlements>(shopPaths.entitlements, { headers }),
        api.request<{ items?: CatalogueItem[] }>(`${shopPaths.catalogue}?lang=${encodeURIComponent(lang)}`),
        api.request<{ orders?: Receipt[] }>(shopPaths.orders, { headers }),
      ]);
      ent = {
        titles: Array.isArray(e.titles) ? e.titles.filter((x) => typeof x === 'string') : [],
        pass: e.pass === true,
      };
      items = Array.isArray(c.items) ? c.items.slice(0, MAX_ITEMS) : [];
      orders = Array.isArray(o.orders) ? o.orders.slice(0, MAX_ITEMS) : [];
    } catch {
      return; // No shop, not reachable, or a seat without a session: Buy stays, the shop says the rest.
    }
    const bySku = new Map(items.filter((i) => i && typeof i.sku === 'string').map((i) => [i.sku, i]));
    const bought = orders
      .filter((o) => o && Array.isArray(o.lines) && o.status !== 'cancelled' && o.status !== 'refunded')
      .flatMap((o) => o.lines.map((l) => bySku.get(l?.sku)))
      .filter((i): i is CatalogueItem => !!i);
    const named = (i: CatalogueItem | undefined) => (i && typeof i.name === 'string' ? i.name : undefined);
    const covers = new Map<string, Cover>();
    const bundle = [...bought].reverse().find((i) => i.kind === 'bundle');
    for (const id of ent.titles) {
      const alone = bought.some((i) => i.kind === 'title' && i.titleId === id);
      covers.set(id, alone ? { kind: 'bought' } : { kind: 'bundle', name: named(bundle) });
    }
    const pass = ent.pass
      ? ({
          kind: 'pass',
          name: named(
            [...bought].reverse().find((i) => i.kind === 'pass') ?? bundle ?? items.find((i) => i.kind === 'pass'),
          ),
        } satisfies Cover)
      : undefined;
    const key = JSON.stringify([lang, [...covers], pass]);
    this.covers = covers;
    this.pass = pass;
    if (key === this.loadedFor) return;
    this.loadedFor = key;
    for (const l of this.listeners) l();
  }
}
