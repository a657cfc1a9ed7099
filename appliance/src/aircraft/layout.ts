/**
 * An aircraft's cabin layout: classes, row ranges, seat letters, rows the airline skips,
 * exit rows and seats that do not exist. Pure: layout in, seat list out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cabinMonument, deckName, describeIssues, IfecError } from '@ifec/protocol';
import { z } from 'zod';

export const cabinLayout = z
  .object({
    type: z.string().min(1),
    tailNumber: z.string().regex(/^[A-Z0-9-]{2,10}$/),
    classes: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z_]+$/),
            rows: z.tuple([z.number().int().min(1).max(999), z.number().int().min(1).max(999)]),
            letters: z.string().regex(/^[A-K]+$/, 'seat letters A to K'),
            /** Seat groups between aisles, e.g. "ABC DEFG HJK" (a space is an aisle); derived from the letters when absent. */
            groups: z
              .string()
              .regex(/^[A-K]+( [A-K]+){0,3}$/, 'seat groups: letters with one space per aisle')
              .optional(),
            /** Double-deck aircraft (A380): the deck this class sits on. */
            deck: deckName.default('main'),
          })
          .strict(),
      )
      .min(1),
    skippedRows: z.array(z.number().int()).default([]),
    exitRows: z.array(z.number().int()).default([]),
    missingSeats: z.array(z.string()).default([]),
    /** Galleys, lavatories, closets, stairs: drawn on the crew's seat map. */
    monuments: z
      .array(cabinMonument.extend({ deck: deckName.default('main') }).strict())
      .max(100)
      .default([]),
  })
  .strict();
export type CabinLayout = z.infer<typeof cabinLayout>;

export interface Seat {
  seatId: string;
  cabinClass: string;
  row: number;
  letter: string;
  exitRow: boolean;
}

export class LayoutError extends IfecError<'LAYOUT_INVALID'> {
  constructor(message: string) {
    super('LAYOUT_INVALID', message);
  }
}

export function seatsOf(layout: CabinLayout): Seat[] {
  const missing = new Set(layout.missingSeats);
  const skipped = new Set(layout.skippedRows);
  const exits = new Set(layout.exitRows);
  const seats: Seat[] = [];
  const seen = new Set<string>();
  for (const cabinClass of layout.classes) {
    const [first, last] = cabinClass.rows;
    if (last < first) throw new LayoutError(`class ${cabinClass.name}: rows ${first}-${last} run backwards`);
    if (cabinClass.groups !== undefined && cabinClass.groups.replaceAll(' ', '') !== cabinClass.letters)
      throw new LayoutError(
        `class ${cabinClass.name}: groups "${cabinClass.groups}" are not the letters ${cabinClass.letters}`,
      );
    for (let row = first; row <= last; row++) {
      if (skipped.has(row)) continue;
      for (const letter of cabinClass.letters) {
        const seatId = `${row}${letter}`;
        if (missing.has(seatId)) continue;
        if (seen.has(seatId)) throw new LayoutError(`seat ${seatId} appears in two classes`);
        seen.add(seatId);
        seats.push({ seatId, cabinClass: cabinClass.name, row, letter, exitRow: exits.has(row) });
      }
    }
  }
  return seats;
}

const BUILT_IN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'layouts');
export const BUILT_IN_LAYOUTS = ['a320', 'b789', 'a380'] as const;

/** Loads a built-in layout by name (a320, b789, a380) or a layout file by path. */
export function loadLayout(nameOrFile: string): CabinLayout {
  const file = (BUILT_IN_LAYOUTS as readonly string[]).includes(nameOrFile)
    ? path.join(BUILT_IN_DIR, `${nameOrFile}.json`)
    : nameOrFile;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LayoutError(`aircraft layout ${nameOrFile}: ${(error as Error).message}`);
  }
  const parsed = cabinLayout.safeParse(raw);
  if (!parsed.success) throw new LayoutError(`aircraft layout ${nameOrFile}: ${describeIssues(parsed.error)}`);
  seatsOf(parsed.data);
  return parsed.data;
}
