/**
 * The appliance's one table from error code to HTTP status. Domains throw typed errors
 * (IfecError) and never pick a status; a code missing here answers 500 INTERNAL (and is
 * logged), so a new refusal a client should see is added here, once. The seat app reads these
 * codes (not the statuses): a code never changes meaning.
 */

import type { StatusTable } from '@ifec/http-kit';
import type { OrderRefusalCode } from '@ifec/protocol';
import type { BundleRefusalCode } from '@ifec/protocol/node';
import type { PaCommandError } from '../cabin/pa.ts';
import type { UnknownAirportError } from '../flight/flight-domain.ts';
import type { KeyRefusalCode } from '../media/keys.ts';
import type { PairingErrorCode } from '../sessions/pairing.ts';
import type { PublicationRefused } from '../sync/publications.ts';
import type { RolloutError } from '../updates/rollout.ts';
import type { UpdateRefused } from '../updates/verify.ts';

export const applianceErrorStatus = {
  // who is asking (access/, http/crew-auth.ts, seat-state/sessions.ts)
  BAD_CREDENTIALS: 401,
  CREW_LOGIN_REQUIRED: 401,
  SEAT_LOGIN_REQUIRED: 401,
  PHONE_LOGIN_REQUIRED: 401,
  VIEWER_LOGIN_REQUIRED: 401,
  ROLE_NOT_ALLOWED: 403,
  NOT_A_VIEWER: 403,
  DEVICE_MISMATCH: 403,
  LOGIN_LOCKED: 429,
  LOGIN_BUSY: 503,
  UNKNOWN_CREW: 404,
  // cabin/
  UNKNOWN_SEAT: 404,
  UNKNOWN_AIRPORT: 400,
  UNKNOWN_ANNOUNCEMENT: 400,
  PA_TEXT_REQUIRED: 400,
  NO_ACTIVE_PA: 409,
  // catalog/, seat-state/: replication
  INVALID_CHECKPOINT: 400,
  PUSH_TOO_LARGE: 413,
  SESSION_ENDED: 409,
  // media/: playback sessions, the key server, the origin, content loads
  INVALID_LANGUAGE: 400,
  NO_SUCH_TITLE: 404,
  NO_SUCH_CHANNEL: 404,
  PLAYBACK_TOKEN_REQUIRED: 401,
  PLAYBACK_TOKEN_INVALID: 401,
  PLAYBACK_TOKEN_WRONG_TITLE: 403,
  SEATBACK_ONLY: 403,
  NOT_ENTITLED: 402,
  PARENTAL_LOCK: 403,
  REGION_BLOCKED: 451,
  NO_CONTENT_LOAD: 404,
  KEY_NOT_FOR_SESSION: 403,
  KEY_MISSING: 404,
  KEY_INVALID: 500,
  BAD_MEDIA_PATH: 400,
  CONTENT_LOAD_REFUSED: 422,
  // sessions/: pairing a phone with a seat
  CODE_UNKNOWN: 404,
  CODE_EXPIRED: 410,
  CODE_USED: 409,
  PAIRING_LOCKED: 429,
  SEAT_FULL: 409,
  NOT_PAIRED: 404,
  NO_SESSION: 409,
  // recommendations/
  RECO_SIGNALS_TOO_FAST: 429,
  // sync/: USB bundles and the publications inside them
  BUNDLE_MISSING: 400,
  BUNDLE_TOO_LARGE: 413,
  NO_LINK: 409,
  BUNDLE_MALFORMED: 422,
  BUNDLE_SIGNATURE: 422,
  BUNDLE_WRONG_AIRCRAFT: 422,
  BUNDLE_WRONG_DIRECTION: 422,
  BUNDLE_REPLAYED: 422,
  BUNDLE_EXPIRED: 422,
  BUNDLE_BLOB_CHECKSUM: 422,
  PUBLICATION_SIGNATURE: 422,
  PUBLICATION_INVALID: 422,
  PUBLICATION_WRONG_AIRCRAFT: 422,
  // updates/: TUF refusals (each names the attack) and the rollout
  UPDATE_TARGET_TAMPERED: 422,
  UPDATE_ROLLBACK: 422,
  UPDATE_METADATA_EXPIRED: 422,
  UPDATE_MIX_AND_MATCH: 422,
  UPDATE_SIGNATURE_INVALID: 422,
  UPDATE_KEY_REVOKED: 422,
  UPDATE_METADATA_MISSING: 422,
  UPDATE_NO_TRUSTED_ROOT: 409,
  UPDATE_NOT_ON_GROUND: 409,
  UPDATE_ROLLOUT_ACTIVE: 409,
  UPDATE_UNKNOWN_RELEASE: 404,
  UPDATE_NOT_ASSIGNED: 409,
  UPDATE_STEP_OUT_OF_ORDER: 409,
  UPDATE_NO_ROLLOUT: 409,
  UPDATE_INVALID_ROLLOUT: 400,
  // commerce/: the onboard shop (protocol/src/commerce.ts OrderRefusalCode)
  ORDER_INVALID: 400,
  SHOP_CLOSED: 503,
  UNKNOWN_ITEM: 404,
  PRICE_CHANGED: 409,
  TOTAL_MISMATCH: 400,
  WRONG_CURRENCY: 400,
  QTY_TOO_LARGE: 400,
  OUT_OF_STOCK: 409,
  NOT_YOUR_SEAT: 403,
  ORDER_ID_REUSED: 409,
  CARD_INVALID_NUMBER: 422,
  CARD_EXPIRED: 422,
  CARD_KEY_UNKNOWN: 409,
  CARD_DENIED: 402,
  ABOVE_FLOOR_LIMIT: 402,
  CARD_LIMIT_REACHED: 402,
  TOO_MANY_CARDS: 402,
  ORDER_RATE_LIMITED: 429,
  SHOP_LOGIN_REQUIRED: 401,
  UNKNOWN_ORDER: 404,
  ORDER_STATUS_INVALID: 409,
  NOT_PROVISIONED: 503,
  UPDATE_TOO_FAST: 429,
} as const satisfies StatusTable;

/** Every code of the typed errors the routes let through is in the table: the compiler names a missing one here. */
type Exposed =
  | PaCommandError['code']
  | KeyRefusalCode
  | PairingErrorCode
  | BundleRefusalCode
  | PublicationRefused['code']
  | UnknownAirportError['code']
  | UpdateRefused['code']
  | RolloutError['code']
  | OrderRefusalCode;
type Missing = Exclude<Exposed, keyof typeof applianceErrorStatus>;
export const everyExposedCodeHasAStatus: [Missing] extends [never] ? true : Missing = true;
