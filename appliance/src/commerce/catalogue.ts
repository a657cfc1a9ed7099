/**
 * The shop's catalogue as the cabin sees it now: the ground's `price-list`/`shop` publication,
 * the pay-per-view titles of the active content load (priced by their tier), Wi-Fi passes
 * priced by the airspace policy's price zone, and the deny list. Pure: the caller passes the
 * publications and the load; `CatalogueSource` below caches what it read.
 */
import {
  type Publication,
  type ShopCatalogue,
  type ShopItem,
  shopCatalogue,
  shopDenyList,
  type TitleManifest,
} from '@ifec/protocol';

export interface PricedItem extends ShopItem {
  /** The price now (Wi-Fi: in this price zone). */
  unitPriceMinor: number;
}

export interface LiveCatalogue {
  /** The publication's seq: stock is counted per catalogue (the ground publishes one per flight). */
  seq: number;
  catalogue: ShopCatalogue;
  items: Map<string, PricedItem>;
  priceZone: string;
  deniedHashes: ReadonlySet<string>;
}

/** The price of an item in a zone (Wi-Fi passes vary by airspace; everything else does not). */
export function priceIn(item: ShopItem, zone: string): number {
  return item.zonePrices?.[zone] ?? item.priceMinor;
}

/** Pay-per-view items for the load's priced titles, unless the catalogue already names them. */
export function titleItems(catalogue: ShopCatalogue, titles: readonly TitleManifest[]): ShopItem[] {
  const named = new Set(catalogue.items.flatMap((i) => (i.titleId ? [i.titleId] : [])));
  return titles.flatMap((t) => {
    const price = catalogue.titleTiers[t.priceTier];
    if (t.priceTier === 'included' || price === undefined || named.has(t.id)) return [];
    return [
      {
        sku: `title:${t.id}`.slice(0, 64),
        kind: 'title' as const,
        name: t.titles as ShopItem['name'],
        priceMinor: price,
        titleId: t.id,
        maxQty: 1,
      },
    ];
  });
}

export type CatalogueProblem = { reason: string };

/** The live catalogue, or why the shop is closed. */
export function buildCatalogue(input: {
  shop: Publication | undefined;
  denyList: Publication | undefined;
  titles: readonly TitleManifest[];
  priceZone: string;
}): LiveCatalogue | CatalogueProblem {
  if (!input.shop) return { reason: 'no shop catalogue has come from the ground yet' };
  const parsed = shopCatalogue.safeParse(input.shop.payload);
  if (!parsed.success)
    return {
      reason: `the shop catalogue (publication ${input.shop.seq}) is not valid: ${parsed.error.issues[0]?.message}`,
    };
  const catalogue = parsed.data;
  const items = new Map<string, PricedItem>();
  for (const item of [...catalogue.items, ...titleItems(catalogue, input.titles)])
    items.set(item.sku, { ...item, unitPriceMinor: priceIn(item, input.priceZone) });
  const deny = shopDenyList.safeParse(input.denyList?.payload ?? { cardHashes: [] });
  return {
    seq: input.shop.seq,
    catalogue,
    items,
    priceZone: input.priceZone,
    // A deny list that does not parse denies nothing new but must not close the shop: the floor limit still holds.
    deniedHashes: new Set(deny.success ? deny.data.cardHashes : []),
  };
}
