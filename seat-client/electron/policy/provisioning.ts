/**
 * The seat unit's provisioning file (written at install by scripts/flash, mode 0600):
 * which seat this unit is, its bus secret, and where the appliance is. Parsed once at start;
 * a bad file stops the kiosk with a message naming the key.
 */
import { aircraftId, seatId } from '@ifec/protocol';
import { z } from 'zod';

export const DEFAULT_PROVISIONING_PATH = '/etc/ifec/seat-unit.json';

export const seatProvisioning = z
  .object({
    seatId,
    secret: z.string().min(8).max(200),
    applianceUrl: z
      .string()
      .url()
      .refine((u) => /^https?:$/.test(new URL(u).protocol), 'http or https'),
    tailNumber: aircraftId.optional(),
    unitSerial: z.string().max(64).optional(),
  })
  .strict();
export type SeatProvisioning = z.infer<typeof seatProvisioning>;

export class ProvisioningError extends Error {
  readonly code = 'PROVISIONING_INVALID';
}

export function parseProvisioning(text: string, file = 'provisioning file'): SeatProvisioning {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ProvisioningError(`${file}: not valid JSON`);
  }
  const parsed = seatProvisioning.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where =
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.join(', ')}`
        : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new ProvisioningError(`${file}: ${where}`);
  }
  return { ...parsed.data, applianceUrl: new URL(parsed.data.applianceUrl).origin };
}

/** What the preload hands the page: identity only, never anything else from the file. */
export function identityForRenderer(p: SeatProvisioning): { seatId: string; secret: string; applianceUrl: string } {
  return { seatId: p.seatId, secret: p.secret, applianceUrl: p.applianceUrl };
}
