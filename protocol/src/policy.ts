import { z } from 'zod';

/**
 * The rules in force now, retained on policy/current: what the appliance's policy engine
 * decided for the airspace, altitude and phase the aircraft is in. Seats read it to hide
 * restricted titles at once and to stop one that is playing; the key server enforces the
 * same decision (451 REGION_BLOCKED), so a seat that ignores this still cannot play.
 * (Seat-side minimum: the policy engine's author may add fields; keep them optional.)
 */
export const policyCurrent = z
  .object({
    /** ISO 3166-1 alpha-2 of the airspace below, or null over international waters / unknown. */
    region: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .nullable(),
    /** Titles that may not be shown now. */
    blockedTitleIds: z.array(z.string().min(1).max(120)).max(5000),
    /** Categories that may not be shown now: matched against a title's kind and genres, case-insensitively. */
    blockedTags: z.array(z.string().min(1).max(40)).max(200),
    wifi: z.boolean(),
    voip: z.boolean(),
    messaging: z.boolean(),
    priceZone: z.string().min(1).max(40),
    /** The rule that made this decision, for the log and the crew. */
    rule: z.string().max(200).optional(),
    at: z.string().datetime(),
  })
  .strict();
export type PolicyCurrent = z.infer<typeof policyCurrent>;

/** Whether a title (its id, kind and genres) is restricted by the policy in force. */
export function policyBlocks(
  policy: PolicyCurrent | null,
  title: { id: string; kind?: string; genres?: readonly string[] },
): boolean {
  if (!policy) return false;
  if (policy.blockedTitleIds.includes(title.id)) return true;
  if (policy.blockedTags.length === 0) return false;
  const tags = new Set(policy.blockedTags.map((t) => t.toLowerCase()));
  return (
    (title.kind !== undefined && tags.has(title.kind.toLowerCase())) ||
    (title.genres ?? []).some((g) => tags.has(g.toLowerCase()))
  );
}
