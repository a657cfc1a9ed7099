/**
 * Maintenance at the gate: what the crew console's maintenance screen and the `ifec-sync`
 * CLI read from the appliance (GET /api/crew/sync, its history, USB bundle summaries), and
 * the words an engineer sees for each sync error code. Neither Node modules nor zod: the crew
 * console imports it from `@ifec/protocol`; the schemas are in sync.ts, the paths in paths.ts.
 */
import { paths } from './paths.ts';

export const maintenancePaths = {
  sync: paths.crew.sync,
  syncNow: paths.crew.syncNow,
  history: paths.crew.syncHistory,
  exportBundle: paths.crew.bundleExport,
  importBundle: paths.crew.bundleImport,
} as const;

/** Response header of an export: the summary below, as JSON. */
export const BUNDLE_SUMMARY_HEADER = 'x-ifec-bundle-summary';

export type { DownlinkImportSummary, SyncHistoryEntry, UplinkExportSummary } from './sync.ts';

/** Largest bundle the appliance accepts over HTTP. */
export const MAX_BUNDLE_UPLOAD_BYTES = 1024 * 1024 * 1024;

/**
 * What each error means for the engineer at the gate, and what to do, in English (the CLI,
 * the appliance's `lastErrorInWords`, and the crew console's English table). Keys are the
 * codes in `lastError` (`CODE: message`), bundle refusals (HTTP 422) and the CLI's
 * `refused: code`. The crew console holds the other languages, one key per code.
 */
export const SYNC_ERROR_WORDS = {
  NO_LINK:
    'No ground link answers (gate Wi-Fi or satcom down, or IFEC_GROUND_URL wrong). Records wait on board; use a USB bundle.',
  LINK_FAILED: 'The link to the ground was cut during the sync. It resumes by itself from where it stopped.',
  AIRCRAFT_UNKNOWN:
    'The ground does not know this aircraft: register its public key on the ground (ifec-ground aircraft register).',
  BAD_SIGNATURE:
    "The ground refused this aircraft's signature: the key registered on the ground is not this aircraft's. Register the public key shown here.",
  REQUEST_STALE: "The aircraft's clock is more than 10 minutes off the ground's. Set the clock, then sync.",
  PUBLICATION_SIGNATURE:
    "Something from the ground is not signed by the ground key this aircraft trusts: IFEC_GROUND_PUBLIC_KEY is not this ground's key (ifec-ground public-key prints the right one).",
  PUBLICATION_WRONG_AIRCRAFT: 'The ground sent a publication meant for another aircraft; it was refused.',
  PUBLICATION_INVALID: 'A publication or file from the ground is damaged; it is fetched again at the next sync.',
  BUNDLE_SIGNATURE:
    "The bundle's signature does not verify: it was altered, or signed by another key than the one trusted (IFEC_GROUND_PUBLIC_KEY on the aircraft, the registered aircraft key on the ground).",
  BUNDLE_WRONG_AIRCRAFT:
    'The bundle is for another aircraft (or the aircraft is not registered on the ground). Export one for this tail number.',
  BUNDLE_WRONG_DIRECTION:
    'This is the wrong kind of bundle: the aircraft imports what the ground exported for it, and the ground imports what the aircraft exported.',
  BUNDLE_REPLAYED: 'An older bundle than the last one imported: nothing to do. Export a fresh one.',
  BUNDLE_EXPIRED: 'The bundle is older than 30 days. Export a fresh one.',
  BUNDLE_BLOB_CHECKSUM: 'The bundle is damaged (a checksum does not match): copy it again.',
  BUNDLE_MALFORMED: 'This file is not a complete IFEC bundle (truncated copy?). Copy it again.',
  BUNDLE_MISSING: 'No file was sent.',
  NO_GROUND_KEY: 'No ground public key is configured (IFEC_GROUND_PUBLIC_KEY): nothing from the ground can be trusted.',
} as const satisfies Record<string, string>;

export type SyncErrorCode = keyof typeof SYNC_ERROR_WORDS;
export const SYNC_ERROR_CODES = Object.keys(SYNC_ERROR_WORDS) as SyncErrorCode[];

/** The known code of `CODE: message` (or of a bare code), else null. */
export function syncErrorCode(error: string | null | undefined): SyncErrorCode | null {
  const code = error ? /^([A-Z][A-Z0-9_]+)(?::|$)/.exec(error)?.[1] : undefined;
  return code && Object.hasOwn(SYNC_ERROR_WORDS, code) ? (code as SyncErrorCode) : null;
}

/** `CODE: message` -> the English words for CODE, or the message itself. */
export function syncErrorInWords(error: string | null | undefined): string | null {
  if (!error) return null;
  const code = syncErrorCode(error);
  return code ? SYNC_ERROR_WORDS[code] : error;
}
