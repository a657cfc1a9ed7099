import { z } from 'zod';
import { languageCode } from './cabin.ts';
import { policyRegion } from './policy.ts';

/**
 * Regional ads: the ad set the airline publishes (a `policy` publication named `ad-set`),
 * the placements, what a seat is served and the anonymous counts sent to the ground for the
 * airline's partners (no seat, no session: per ad, placement, route and region).
 */
export const AD_SET_PUBLICATION = 'ad-set';
export const AD_COUNTS_RECORD = 'ad.counts';
/** The crew's switch: journalled, kept across restarts, and sent to the ground (partners' reports). */
export const AD_SWITCH_RECORD = 'ads.switch';

export const adPlacement = z.enum(['home-banner', 'pre-roll']);
export type AdPlacement = z.infer<typeof adPlacement>;

const adId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an ad id such as summer-duty-free');
const route = z.string().regex(/^[A-Z0-9]{3,4}-[A-Z0-9]{3,4}$/, 'a route such as CDG-JFK');

export const adCreative = z
  .object({
    id: adId,
    placement: adPlacement,
    advertiser: z.string().min(1).max(80),
    /** The ad's text per language; a seat is served only an ad in its language. */
    text: z.record(languageCode, z.string().min(1).max(200)),
    /** Empty or absent = every route / region. */
    routes: z.array(route).max(200).optional(),
    regions: z.array(policyRegion).max(300).optional(),
    /** A pre-roll's length and when the passenger may skip it. */
    durationS: z.number().int().min(1).max(60).default(10),
    skippableAfterS: z.number().int().min(0).max(60).default(5),
  })
  .strict();
export type AdCreative = z.infer<typeof adCreative>;

export const adSet = z
  .object({
    id: z.string().min(1).max(64),
    /** Ads a session sees at most, per placement. */
    frequencyCaps: z
      .object({ 'home-banner': z.number().int().min(0).max(100), 'pre-roll': z.number().int().min(0).max(100) })
      .strict(),
    /** Cabin classes that never see ads (premium cabins), by the cabin plan's class names. */
    adFreeCabins: z.array(z.string().min(1).max(32)).max(20).default([]),
    ads: z.array(adCreative).max(500),
  })
  .strict();
export type AdSet = z.infer<typeof adSet>;

export const adRequest = z
  .object({
    placement: adPlacement,
    lang: languageCode,
    /** The title about to play (pre-roll only). */
    titleId: z.string().min(1).max(64).optional(),
  })
  .strict();

export const adServed = z
  .object({
    ad: z
      .object({
        id: adId,
        placement: adPlacement,
        advertiser: z.string(),
        text: z.string(),
        durationS: z.number().int(),
        skippableAfterS: z.number().int(),
      })
      .strict()
      .nullable(),
    /** Why none was served (off by crew, ad-free cabin, kids' or paid title, cap reached, none matches). */
    reason: z.string().optional(),
  })
  .strict();
export type AdServed = z.infer<typeof adServed>;

export const adClick = z.object({ adId }).strict();
export const adSwitch = z.object({ enabled: z.boolean() }).strict();
export const adSwitchRecord = z.object({ enabled: z.boolean(), by: z.string().max(64), at: z.string() }).strict();
export type AdSwitchRecord = z.infer<typeof adSwitchRecord>;

/** One anonymous count line: what the ground sums for the partner. */
export const adCount = z
  .object({
    adId,
    placement: adPlacement,
    route: z.string().max(16).nullable(),
    region: z.string().max(8).nullable(),
    impressions: z.number().int().nonnegative(),
    clicks: z.number().int().nonnegative(),
  })
  .strict();
export type AdCount = z.infer<typeof adCount>;

export const adPaths = {
  next: '/api/ads/next',
  click: '/api/ads/click',
  crewSwitch: '/api/crew/ads',
} as const;
