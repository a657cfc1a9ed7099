/**
 * The commerce domain: the onboard shop's catalogue (from the ground's publications, the
 * content load and the airspace policy's price zone), orders journalled before they are
 * acknowledged and sent to the ground, the entitlements the key server asks about, and the
 * crew's order queue. Card numbers never reach it: only ciphertext for the ground.
 */
import {
  AD_COUNTS_RECORD,
  AD_SET_PUBLICATION,
  AD_SWITCH_RECORD,
  AIRSPACE_POLICY_PUBLICATION,
  adSet,
  airspacePolicy,
  type Publication,
  type PublicationKind,
  SHOP_CATALOGUE_PUBLICATION,
  SHOP_DENY_LIST_PUBLICATION,
  type TitleManifest,
} from '@ifec/protocol';
import { Router } from 'express';
import type { Logger } from 'pino';
import type { AccessDirectory } from '../access/directory.ts';
import type { ApplianceDomain } from '../domain.ts';
import type { Viewer } from '../media/playback-policy.ts';
import type { SeatSessions } from '../seat-state/sessions.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';
import { groundOnly, toGround } from '../sync/outbox.ts';
import { AdDesk, applyAdSwitch } from './ads.ts';
import { adsRouter } from './ads-http.ts';
import { AnomalyWatch, type RulesInForce } from './anomalies.ts';
import { anomalyRouter } from './anomalies-http.ts';
import { buildCatalogue, type CatalogueProblem, type LiveCatalogue } from './catalogue.ts';
import { shopRouter } from './http.ts';
import { commerceRecords, OrderDesk } from './orders.ts';

/** A catalogue read from the store is reused this long (850 seats browsing do not each query it). */
const CATALOGUE_CACHE_MS = 500;

export interface CommerceDeps {
  store: Store;
  records: DurableRecords;
  directory: AccessDirectory;
  seatSessions: SeatSessions;
  aircraftId: string;
  sessionOf: (seatId: string) => string | undefined;
  pairedSeat: (deviceId: string) => string | undefined;
  /** The ground's publications (sync domain). */
  latestPublication: (kind: PublicationKind, name: string) => Promise<Publication | undefined>;
  /** The active content load's titles (media domain). */
  titles: () => readonly TitleManifest[];
  /** The airspace policy's price zone now, and the region below (flight domain). */
  priceZone: () => string | undefined;
  region: () => string | undefined;
  /** Orders per seat before the rate limit (tests and the bench raise it). */
  rate?: { burst: number; refillMs: number };
  /** A seat's cabin class (ad-free cabins) and the route and region now (regional ads). */
  cabinClassOf?: (seatId: string) => string | undefined;
  viewingContext?: () => { route?: string; region?: string };
  /** How often the anonymous ad counts are journalled for the ground. */
  adCountsEveryMs?: number;
  log: Logger;
}

export interface RunningCommerce {
  desk: OrderDesk;
  catalogue: () => Promise<LiveCatalogue | CatalogueProblem>;
  /** Seats flagged by the policy's anomaly rules. */
  anomalies: AnomalyWatch;
  ads: AdDesk;
  /** The key server's entitlement hook: a phone's purchase is its seat's. */
  purchased(viewer: Viewer, titleId: string): boolean;
}

/** A fixed zone until an airspace policy says otherwise. */
export const DEFAULT_PRICE_ZONE = 'default';

export const commerceDomain: ApplianceDomain<CommerceDeps, RunningCommerce> = {
  name: 'commerce',
  records: { ...commerceRecords, [AD_COUNTS_RECORD]: groundOnly, [AD_SWITCH_RECORD]: toGround(applyAdSwitch) },
  async open(deps) {
    let cached: { at: number; key: string; value: LiveCatalogue | CatalogueProblem } | undefined;
    const catalogue = async (): Promise<LiveCatalogue | CatalogueProblem> => {
      const zone = deps.priceZone() ?? DEFAULT_PRICE_ZONE;
      const titles = deps.titles();
      const key = `${zone}:${titles.length}`;
      if (cached && cached.key === key && Date.now() - cached.at < CATALOGUE_CACHE_MS) return cached.value;
      const [shop, denyList] = await Promise.all([
        deps.latestPublication('price-list', SHOP_CATALOGUE_PUBLICATION),
        deps.latestPublication('deny-list', SHOP_DENY_LIST_PUBLICATION),
      ]);
      const value = buildCatalogue({ shop, denyList, titles, priceZone: zone });
      if (!('items' in value) && shop) deps.log.warn({ reason: value.reason }, 'shop catalogue refused');
      cached = { at: Date.now(), key, value };
      return value;
    };
    let rulesCache: { at: number; value: RulesInForce | undefined } | undefined;
    const rules = async (): Promise<RulesInForce | undefined> => {
      if (rulesCache && Date.now() - rulesCache.at < CATALOGUE_CACHE_MS) return rulesCache.value;
      const published = await deps.latestPublication('policy', AIRSPACE_POLICY_PUBLICATION);
      const parsed = published ? airspacePolicy.safeParse(published.payload) : undefined;
      const value =
        parsed?.success && parsed.data.shopAnomalies
          ? { rules: parsed.data.shopAnomalies, policyId: parsed.data.id, policyVersion: parsed.data.version }
          : undefined;
      rulesCache = { at: Date.now(), value };
      return value;
    };
    const anomalies = new AnomalyWatch({
      records: deps.records,
      db: deps.store,
      aircraftId: deps.aircraftId,
      rules,
      sessionOf: deps.sessionOf,
    });
    const anomalyLog = deps.log.child({ area: 'shop-anomalies' });
    anomalies.onFlag((f) => anomalyLog.warn(f, 'seat flagged by the shop anomaly rules'));
    // A flag that cannot be journalled must not fail the order it follows (the order is durable already).
    const watch = {
      refused: (seatId: string, code: string, hash: string | undefined) =>
        anomalies.refused(seatId, code, hash).catch((error) => anomalyLog.error({ err: error }, 'flag not kept')),
      accepted: (order: Parameters<AnomalyWatch['accepted']>[0]) =>
        anomalies.accepted(order).catch((error) => anomalyLog.error({ err: error }, 'flag not kept')),
    };
    const desk = new OrderDesk({
      records: deps.records,
      db: deps.store,
      aircraftId: deps.aircraftId,
      catalogue,
      sessionOf: deps.sessionOf,
      region: () => deps.region() ?? null,
      rate: deps.rate,
      watch,
    });
    await desk.load();
    await anomalies.load(desk.queue());
    // Every seat asks on its home screen: the ad set is read from the store at most twice a second.
    let adSetCache: { at: number; value: unknown } | undefined;
    const adSetPayload = async () => {
      if (adSetCache && Date.now() - adSetCache.at < CATALOGUE_CACHE_MS) return adSetCache.value;
      const value = (await deps.latestPublication('policy', AD_SET_PUBLICATION))?.payload;
      adSetCache = { at: Date.now(), value };
      return value;
    };
    const ads = new AdDesk({
      records: deps.records,
      adSetPayload,
      titleOf: (id) => deps.titles().find((t) => t.id === id),
      cabinClassOf: deps.cabinClassOf ?? (() => undefined),
      viewingContext: deps.viewingContext ?? (() => ({})),
      sessionOf: deps.sessionOf,
    });
    await ads.load(deps.store);
    const flushAds = () =>
      ads.flush().catch((error) => deps.log.error({ err: error }, 'ad counts not journalled; kept for the next try'));
    const adTimer = setInterval(flushAds, deps.adCountsEveryMs ?? 60_000);
    adTimer.unref();
    const router = Router();
    router.use(
      adsRouter({
        directory: deps.directory,
        seatSessions: deps.seatSessions,
        pairedSeat: deps.pairedSeat,
        ads,
        placementOf: async (id) => {
          const set = adSet.safeParse(await adSetPayload());
          return set.success ? set.data.ads.find((a) => a.id === id)?.placement : undefined;
        },
      }),
    );
    router.use(anomalyRouter({ directory: deps.directory, anomalies }));
    router.use(
      shopRouter({
        directory: deps.directory,
        seatSessions: deps.seatSessions,
        pairedSeat: deps.pairedSeat,
        desk,
        catalogue,
      }),
    );
    const purchased = (viewer: Viewer, titleId: string): boolean => {
      const seatId =
        viewer.seatId ?? (viewer.subject.startsWith('phone:') ? deps.pairedSeat(viewer.subject.slice(6)) : undefined);
      return desk.purchased(seatId, titleId);
    };
    return {
      api: { desk, catalogue, anomalies, ads, purchased },
      router,
      async stop() {
        clearInterval(adTimer);
        await flushAds();
      },
    };
  },
};
