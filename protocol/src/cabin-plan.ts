/**
 * The crew console's picture of the cabin: each deck as rows of seat groups between aisles,
 * with class dividers, exits, galleys and lavatories where the aircraft's layout file puts
 * them (GET /api/crew/cabin-plan). And the PA history (GET /api/crew/pa/history).
 */
import { z } from 'zod';

export const crewConsolePaths = {
  cabinPlan: '/api/crew/cabin-plan',
  paHistory: '/api/crew/pa/history',
} as const;

export const deckName = z.enum(['main', 'upper']);
export type DeckName = z.infer<typeof deckName>;

/** Something between two rows (or before the first, after the last): a galley, lavatories, a closet. */
export const cabinMonument = z
  .object({
    kind: z.enum(['galley', 'lavatory', 'closet', 'stairs']),
    /** The row it stands before (toward the nose); a row past the last puts it at the tail. */
    beforeRow: z.number().int().min(1).max(1000),
  })
  .strict();
export type CabinMonument = z.infer<typeof cabinMonument>;

export const planRow = z
  .object({
    row: z.number().int(),
    cabinClass: z.string(),
    exit: z.boolean(),
    /** Seat groups left to right as seen from the nose; an aisle runs between two groups. Null: no seat at that letter. */
    groups: z.array(z.array(z.object({ letter: z.string(), seatId: z.string().nullable() }).strict())),
  })
  .strict();
export type PlanRow = z.infer<typeof planRow>;

export const cabinPlan = z
  .object({
    type: z.string(),
    tailNumber: z.string(),
    decks: z.array(
      z
        .object({
          deck: deckName,
          /** Letters per group of the widest row: the rows line up on these columns. */
          columns: z.array(z.array(z.string())),
          rows: z.array(planRow),
          monuments: z.array(cabinMonument),
        })
        .strict(),
    ),
  })
  .strict();
export type CabinPlan = z.infer<typeof cabinPlan>;

export const paHistoryEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    by: z.string(),
    action: z.enum(['start', 'stop']),
    announcementId: z.string().nullable(),
    text: z.string().nullable(),
  })
  .strict();
export type PaHistoryEntry = z.infer<typeof paHistoryEntry>;
