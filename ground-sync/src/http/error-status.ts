/**
 * The ground's one table from error code to HTTP status. Domains throw typed errors (IfecError)
 * and never pick a status; a code missing here answers 500 INTERNAL (and is logged). The
 * aircraft's sync client reads these codes from the answers.
 */

import type { StatusTable } from '@ifec/http-kit';
import type { BundleRefusalCode, SyncFormatError } from '@ifec/protocol/node';
import type { FileError } from '../downlink/files.ts';
import type { PublicationError } from '../downlink/publications.ts';
import type { FleetError } from '../fleet/aircraft.ts';
import type { RetentionError } from '../retention/retention.ts';
import type { TenantError } from '../tenants/tenants.ts';

export const groundErrorStatus = {
  // who is calling: an airline's API key, an aircraft's signature
  API_KEY_REQUIRED: 401,
  AIRCRAFT_AUTH_REQUIRED: 401,
  AIRCRAFT_NOT_REGISTERED: 401,
  REQUEST_STALE: 401,
  BAD_SIGNATURE: 401,
  AIRCRAFT_MISMATCH: 403,
  // fleet/, tenants/
  AIRCRAFT_UNKNOWN: 404,
  AIRCRAFT_TAKEN: 409,
  PUBLIC_KEY_INVALID: 400,
  PRIVATE_KEY_REFUSED: 400,
  TENANT_EXISTS: 409,
  TENANT_UNKNOWN: 400,
  TENANT_ID_INVALID: 400,
  // uplink/: gzip columnar batches
  BATCH_MISSING: 400,
  BATCH_NOT_GZIP: 400,
  BATCH_NOT_JSON: 400,
  BATCH_INVALID: 400,
  BATCH_TOO_LARGE: 413,
  // downlink/: publications and their files
  FILE_MISSING: 400,
  FILE_CHECKSUM: 400,
  FILE_UNKNOWN: 404,
  RANGE_NOT_SATISFIABLE: 416,
  FILE_NOT_UPLOADED: 409,
  // retention/
  EXPORT_AHEAD_OF_GROUND: 409,
  // bundles/: USB sticks
  BUNDLE_MISSING: 400,
  BUNDLE_MALFORMED: 422,
  BUNDLE_SIGNATURE: 422,
  BUNDLE_WRONG_AIRCRAFT: 422,
  BUNDLE_WRONG_DIRECTION: 422,
  BUNDLE_REPLAYED: 422,
  BUNDLE_EXPIRED: 422,
  BUNDLE_BLOB_CHECKSUM: 422,
  // commerce/: settlement
  PAYMENT_UNKNOWN: 404,
  PAYMENT_NOT_REFUNDABLE: 409,
  // downlink/flight-plan.ts
  FLIGHT_PLAN_INVALID: 422,
} as const satisfies StatusTable;

/** Every code of the typed errors the routes let through is in the table: the compiler names a missing one here. */
type Exposed =
  | BundleRefusalCode
  | SyncFormatError['code']
  | FileError['code']
  | PublicationError['code']
  | FleetError['code']
  | TenantError['code']
  | RetentionError['code'];
type Missing = Exclude<Exposed, keyof typeof groundErrorStatus>;
export const everyExposedCodeHasAStatus: [Missing] extends [never] ? true : Missing = true;
