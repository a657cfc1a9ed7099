/**
 * Regional ads: picks the ad a seat's session sees for a placement from the ground's ad set
 * (route, region and the seat's language), never before a kids' or a paid title, never in an
 * ad-free cabin or while the crew have ads off, at most the set's cap per session and
 * placement. Impressions and clicks are counted anonymously (per ad, placement, route and
 * region; no seat, no session) and journalled into the outbox for the airline's partners.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import {
  AD_COUNTS_RECORD,
  AD_SWITCH_RECORD,
  type AdCount,
  type AdCreative,
  type AdPlacement,
  type AdServed,
  type AdSet,
  type AdSwitchRecord,
  adSet,
  type TitleManifest,
} from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Sql } from '../store/store.ts';

/** The crew's switch in the cabin state (read back at start). */
export async function applyAdSwitch(tx: Transaction, record: JournalRecord): Promise<void> {
  await tx.query(
    `INSERT INTO cabin_state (key, value, updated_at) VALUES ('ads', $1, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [JSON.stringify(record.data)],
  );
}

export interface AdContext {
  placement: AdPlacement;
  lang: string;
  title?: Pick<TitleManifest, 'kind' | 'priceTier'>;
  cabinClass?: string;
  route?: string;
  region?: string;
  crewOn: boolean;
  /** Ads of this placement already served to the session, per ad. */
  served: ReadonlyMap<string, number>;
}

/** The ad for a seat now, or why none. Pure. */
export function chooseAd(set: AdSet | undefined, c: AdContext): { ad: AdCreative } | { reason: string } {
  if (!set) return { reason: 'no ad set has come from the ground' };
  if (!c.crewOn) return { reason: 'ads are switched off by the crew' };
  if (c.cabinClass && set.adFreeCabins.includes(c.cabinClass))
    return { reason: `the ${c.cabinClass} cabin is ad-free` };
  if (c.placement === 'pre-roll') {
    if (!c.title) return { reason: 'a pre-roll needs the free title it plays before' };
    if (c.title.kind === 'kids') return { reason: "never before a kids' title" };
    if (c.title.priceTier !== 'included') return { reason: 'never before a paid title' };
  }
  const shown = [...c.served.values()].reduce((a, b) => a + b, 0);
  if (shown >= set.frequencyCaps[c.placement]) return { reason: 'this session has seen its ads for this placement' };
  const lang = c.lang.slice(0, 2);
  const fits = set.ads.filter(
    (a) =>
      a.placement === c.placement &&
      (a.text[c.lang] !== undefined || a.text[lang] !== undefined) &&
      (!a.routes?.length || (c.route !== undefined && a.routes.includes(c.route))) &&
      (!a.regions?.length || (c.region !== undefined && a.regions.includes(c.region))),
  );
  if (!fits.length) return { reason: 'no ad fits this route, region and language' };
  // The one this session has seen least; the set's order breaks ties (the airline ranks them).
  const ad = fits.reduce((best, a) => ((c.served.get(a.id) ?? 0) < (c.served.get(best.id) ?? 0) ? a : best));
  return { ad };
}

export interface AdDeskDeps {
  records: Pick<DurableRecords, 'write'>;
  adSetPayload: () => Promise<unknown>;
  titleOf: (titleId: string) => TitleManifest | undefined;
  cabinClassOf: (seatId: string) => string | undefined;
  viewingContext: () => { route?: string; region?: string };
  sessionOf: (seatId: string) => string | undefined;
}

/** Sessions whose served ads are remembered at most (a flood cannot grow memory without end). */
const MAX_SESSIONS = 20_000;

export class AdDesk {
  private crewOn = true;
  /** `${sessionId}:${placement}` -> ad id -> times served. */
  private readonly served = new Map<string, Map<string, number>>();
  /** Counts not yet journalled, keyed by ad, placement, route and region. */
  private counts = new Map<string, AdCount>();
  /** Served to a session, for a click to be counted (a click on an ad never served is not). */
  private readonly shownTo = new Map<string, Set<string>>();

  constructor(private readonly deps: AdDeskDeps) {}

  /** The crew's last switch, if any. */
  async load(db: Sql): Promise<void> {
    const { rows } = await db.query<{ value: AdSwitchRecord }>("SELECT value FROM cabin_state WHERE key = 'ads'");
    if (rows[0]) this.crewOn = rows[0].value.enabled;
  }

  get enabled(): boolean {
    return this.crewOn;
  }

  /** Journalled before it takes effect and is answered. */
  async setEnabled(on: boolean, by: string): Promise<void> {
    const change: AdSwitchRecord = { enabled: on, by, at: new Date().toISOString() };
    await this.deps.records.write<AdSwitchRecord>(AD_SWITCH_RECORD, crypto.randomUUID(), change);
    this.crewOn = on;
  }

  async next(seatId: string, request: { placement: AdPlacement; lang: string; titleId?: string }): Promise<AdServed> {
    const sessionId = this.deps.sessionOf(seatId);
    if (!sessionId) return { ad: null, reason: 'no passenger session' };
    const parsed = adSet.safeParse(await this.deps.adSetPayload());
    const key = `${sessionId}:${request.placement}`;
    const served = this.served.get(key) ?? new Map<string, number>();
    const title = request.titleId ? this.deps.titleOf(request.titleId) : undefined;
    if (request.placement === 'pre-roll' && request.titleId && !title) return { ad: null, reason: 'unknown title' };
    const where = this.deps.viewingContext();
    const pick = chooseAd(parsed.success ? parsed.data : undefined, {
      placement: request.placement,
      lang: request.lang,
      title,
      cabinClass: this.deps.cabinClassOf(seatId),
      route: where.route,
      region: where.region,
      crewOn: this.crewOn,
      served,
    });
    if (!('ad' in pick)) return { ad: null, reason: pick.reason };
    if (!this.served.has(key) && this.served.size >= MAX_SESSIONS) return { ad: null, reason: 'ads are busy' };
    const { ad } = pick;
    served.set(ad.id, (served.get(ad.id) ?? 0) + 1);
    this.served.set(key, served);
    const shown = this.shownTo.get(sessionId) ?? new Set<string>();
    shown.add(ad.id);
    this.shownTo.set(sessionId, shown);
    this.count(ad.id, ad.placement, where, 'impressions');
    return {
      ad: {
        id: ad.id,
        placement: ad.placement,
        advertiser: ad.advertiser,
        text: ad.text[request.lang] ?? ad.text[request.lang.slice(0, 2)] ?? '',
        durationS: ad.durationS,
        skippableAfterS: Math.min(ad.skippableAfterS, ad.durationS),
      },
    };
  }

  /** A click on an ad this session was served; true if counted. */
  click(seatId: string, adIdClicked: string, placementOf: (id: string) => AdPlacement | undefined): boolean {
    const sessionId = this.deps.sessionOf(seatId);
    if (!sessionId || !this.shownTo.get(sessionId)?.has(adIdClicked)) return false;
    const placement = placementOf(adIdClicked);
    if (!placement) return false;
    this.count(adIdClicked, placement, this.deps.viewingContext(), 'clicks');
    return true;
  }

  private count(
    adId: string,
    placement: AdPlacement,
    where: { route?: string; region?: string },
    what: 'impressions' | 'clicks',
  ) {
    const route = where.route ?? null;
    const region = where.region ?? null;
    const key = `${adId}|${placement}|${route}|${region}`;
    const c = this.counts.get(key) ?? { adId, placement, route, region, impressions: 0, clicks: 0 };
    c[what]++;
    this.counts.set(key, c);
  }

  /** Journals the counts since the last flush as one outbox record (the ground sums them). */
  async flush(): Promise<number> {
    if (!this.counts.size) return 0;
    const lines = [...this.counts.values()];
    this.counts = new Map();
    try {
      await this.deps.records.write<{ counts: AdCount[] }>(AD_COUNTS_RECORD, crypto.randomUUID(), { counts: lines });
    } catch (error) {
      // Put them back: the next flush tries again.
      for (const l of lines) {
        const key = `${l.adId}|${l.placement}|${l.route}|${l.region}`;
        const c = this.counts.get(key);
        this.counts.set(key, c ? { ...c, impressions: c.impressions + l.impressions, clicks: c.clicks + l.clicks } : l);
      }
      throw error;
    }
    return lines.length;
  }
}
