/**
 * The fleet: aircraft registered by a tenant with their Ed25519 public keys, and what the
 * ground knows of each (last contact, acknowledged outbox, backlog, errors). Every admin
 * query takes the tenant, so one airline never sees another's aircraft.
 */
import crypto from 'node:crypto';
import { IfecError } from '@ifec/protocol';
import type { Queryable } from '../store/database.ts';

export class FleetError extends IfecError<
  'AIRCRAFT_TAKEN' | 'AIRCRAFT_UNKNOWN' | 'PUBLIC_KEY_INVALID' | 'PRIVATE_KEY_REFUSED'
> {}

export interface AircraftStatus {
  aircraftId: string;
  registeredAt: string;
  lastContactAt: string | null;
  lastLink: string | null;
  acked: { critical: number; bulk: number };
  /** Records the aircraft said it still holds for us at its last contact. */
  backlog: number;
  downlinkApplied: number;
  recordsHeld: number;
  errors: { at: string; code: string; message: string }[];
}

export async function registerAircraft(
  db: Queryable,
  tenantId: string,
  aircraftId: string,
  publicKeyPem: string,
): Promise<void> {
  // Node derives a public key from a private one without a word: the aircraft's private key
  // (sync/aircraft-key.pem) would register fine and sit on the ground. Refuse it, and say where the public one is.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(publicKeyPem)) {
    throw new FleetError(
      'PRIVATE_KEY_REFUSED',
      "this is a private key: never copy it off the aircraft. Register the aircraft's public key: `ifec-sync public-key` on the aircraft, or the key shown on the crew console's Maintenance screen",
    );
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(publicKeyPem);
  } catch {
    throw new FleetError('PUBLIC_KEY_INVALID', 'publicKey is not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new FleetError('PUBLIC_KEY_INVALID', `publicKey must be Ed25519, not ${key.asymmetricKeyType}`);
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  // Re-registering one's own aircraft replaces its key (a replaced server); another tenant's is refused.
  const { affected } = await db.query(
    `INSERT INTO aircraft (aircraft_id, tenant_id, public_key) VALUES ($1, $2, $3)
     ON CONFLICT (aircraft_id) DO UPDATE SET public_key = EXCLUDED.public_key WHERE aircraft.tenant_id = EXCLUDED.tenant_id`,
    [aircraftId, tenantId, pem],
  );
  if (affected === 0) throw new FleetError('AIRCRAFT_TAKEN', `aircraft ${aircraftId} is registered by another airline`);
}

/** The registered key of an aircraft, whatever its tenant: used to authenticate the aircraft itself. */
export async function aircraftIdentity(
  db: Queryable,
  aircraftId: string,
): Promise<{ tenantId: string; publicKey: string } | undefined> {
  const { rows } = await db.query<{ tenant_id: string; public_key: string }>(
    'SELECT tenant_id, public_key FROM aircraft WHERE aircraft_id = $1',
    [aircraftId],
  );
  return rows[0] ? { tenantId: rows[0].tenant_id, publicKey: rows[0].public_key } : undefined;
}

export async function requireOwnAircraft(db: Queryable, tenantId: string, aircraftId: string): Promise<void> {
  const { rows } = await db.query('SELECT 1 FROM aircraft WHERE aircraft_id = $1 AND tenant_id = $2', [
    aircraftId,
    tenantId,
  ]);
  // The same answer whether the aircraft is unknown or another airline's: existence is not leaked.
  if (rows.length === 0) throw new FleetError('AIRCRAFT_UNKNOWN', `no aircraft ${aircraftId} in your fleet`);
}

interface AircraftRow {
  aircraft_id: string;
  registered_at: Date;
  last_contact_at: Date | null;
  last_link: string | null;
  acked_critical: number;
  acked_bulk: number;
  reported_pending: number;
  downlink_applied: number;
}

export async function listAircraft(db: Queryable, tenantId: string): Promise<AircraftStatus[]> {
  const { rows } = await db.query<AircraftRow>('SELECT * FROM aircraft WHERE tenant_id = $1 ORDER BY aircraft_id', [
    tenantId,
  ]);
  return Promise.all(rows.map((row) => statusOf(db, row)));
}

export async function aircraftStatus(db: Queryable, tenantId: string, aircraftId: string): Promise<AircraftStatus> {
  const { rows } = await db.query<AircraftRow>('SELECT * FROM aircraft WHERE tenant_id = $1 AND aircraft_id = $2', [
    tenantId,
    aircraftId,
  ]);
  if (!rows[0]) throw new FleetError('AIRCRAFT_UNKNOWN', `no aircraft ${aircraftId} in your fleet`);
  return statusOf(db, rows[0]);
}

async function statusOf(db: Queryable, row: AircraftRow): Promise<AircraftStatus> {
  const held = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM uplink_records WHERE aircraft_id = $1', [
    row.aircraft_id,
  ]);
  // What the ground refused of the aircraft, and what the aircraft said it refused of the
  // ground (a wrong IFEC_GROUND_PUBLIC_KEY shows here, not only on board).
  const errors = await db.query<{ at: Date; code: string; message: string }>(
    `SELECT at, code, message FROM (
       SELECT at, code, message FROM aircraft_errors WHERE aircraft_id = $1
       UNION ALL
       SELECT at, 'AIRCRAFT_REFUSED_' || COALESCE(data->'detail'->>'code', 'SIGNATURE'), 'the aircraft refused what the ground signed: ' || COALESCE(data->'detail'->>'message', '')
         FROM uplink_records WHERE aircraft_id = $1 AND kind = 'audit' AND data->>'action' = 'sync.signature-refused'
     ) e ORDER BY at DESC LIMIT 20`,
    [row.aircraft_id],
  );
  return {
    aircraftId: row.aircraft_id,
    registeredAt: new Date(row.registered_at).toISOString(),
    lastContactAt: row.last_contact_at ? new Date(row.last_contact_at).toISOString() : null,
    lastLink: row.last_link,
    acked: { critical: row.acked_critical, bulk: row.acked_bulk },
    backlog: row.reported_pending,
    downlinkApplied: row.downlink_applied,
    recordsHeld: held.rows[0]?.n ?? 0,
    errors: errors.rows.map((e) => ({ at: new Date(e.at).toISOString(), code: e.code, message: e.message })),
  };
}

/** Kept so the airline sees why an aircraft's data is not arriving (bad signature, garbage batch...). */
export async function recordAircraftError(
  db: Queryable,
  aircraftId: string,
  code: string,
  message: string,
): Promise<void> {
  await db.query(
    'INSERT INTO aircraft_errors (aircraft_id, code, message) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM aircraft WHERE aircraft_id = $1)',
    [aircraftId, code, message.slice(0, 500)],
  );
}

export async function recordContact(
  db: Queryable,
  aircraftId: string,
  link: string | undefined,
  downlinkApplied?: number,
): Promise<void> {
  await db.query(
    `UPDATE aircraft SET last_contact_at = now(), last_link = COALESCE($2, last_link),
       downlink_applied = GREATEST(downlink_applied, COALESCE($3, 0)) WHERE aircraft_id = $1`,
    [aircraftId, link ?? null, downlinkApplied ?? null],
  );
}
