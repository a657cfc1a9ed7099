import { z } from 'zod';

/**
 * The shop's anomaly (fraud) rules: data in the airspace policy publication, not code, so
 * the airline tunes them per fleet without a software update. A passenger session that
 * reaches a threshold is flagged once per rule: the crew see it on the console and the
 * ground keeps the case (record kind `shop.anomaly`, id `<sessionId>:<rule>`).
 */
export const shopAnomalyRules = z
  .object({
    /** Orders refused for card reasons (denied, expired, bad number, limits) in one session. */
    declinedAttempts: z.number().int().min(1).max(1000).optional(),
    /** Different cards tried from one seat in one session (accepted or refused). */
    distinctCards: z.number().int().min(1).max(100).optional(),
    /** What one session has ordered in all (minor units of the catalogue's currency). */
    sessionTotalMinor: z.number().int().min(1).max(100_000_000).optional(),
    /** One order's total. */
    orderTotalMinor: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict();
export type ShopAnomalyRules = z.infer<typeof shopAnomalyRules>;

export const shopAnomalyRule = z.enum(['declined-attempts', 'distinct-cards', 'session-total', 'order-total']);
export type ShopAnomalyRule = z.infer<typeof shopAnomalyRule>;

export const SHOP_ANOMALY_RECORD = 'shop.anomaly';

/** A flagged seat: what the crew console shows and the ground keeps. */
export const shopAnomaly = z
  .object({
    caseId: z.string().min(1).max(128),
    aircraftId: z.string().min(1).max(16),
    seatId: z.string().min(1).max(8),
    sessionId: z.string().min(1).max(64),
    rule: shopAnomalyRule,
    /** What was seen and the threshold it reached. */
    observed: z.number().int().nonnegative(),
    threshold: z.number().int().positive(),
    policyId: z.string().max(64),
    policyVersion: z.number().int().positive(),
    flaggedAt: z.string().datetime(),
  })
  .strict();
export type ShopAnomaly = z.infer<typeof shopAnomaly>;

export const shopAnomalyPaths = {
  crewAnomalies: '/api/crew/shop/anomalies',
  groundCases: '/admin/v1/shop/anomaly-cases',
} as const;
