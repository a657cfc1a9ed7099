/**
 * Provisioning: an aircraft's seats and crew go into the store, each seat with its own
 * secret (kept only as a hash). The whole provisioning is one journal record, so the seat
 * credentials survive even a store that a power cut destroyed.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import type { CrewRole } from '@ifec/protocol';
import { hashPin, hashSeatSecret, newPin, newSeatSecret } from '../access/secrets.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Sql } from '../store/store.ts';
import { type CabinLayout, type Seat, seatsOf } from './layout.ts';

export const AIRCRAFT_PROVISIONED = 'aircraft.provisioned';

interface ProvisionedRecord {
  tailNumber: string;
  type: string;
  layout: CabinLayout;
  seats: (Seat & { secretHash: string })[];
  crew: { crewId: string; name: string; role: CrewRole; pinHash: string }[];
}

export interface IssuedCredentials {
  tailNumber: string;
  seats: Record<string, string>;
  crew: { crewId: string; name: string; role: CrewRole; pin: string }[];
}

export async function provisionAircraft(
  records: DurableRecords,
  layout: CabinLayout,
  crew: { crewId: string; name: string; role: CrewRole }[],
  /** Called with the clear credentials before the provisioning is journalled: once it is, they must already be safe. */
  handOut: (issued: IssuedCredentials) => void = () => {},
): Promise<IssuedCredentials> {
  const seatSecrets: Record<string, string> = {};
  const seats = seatsOf(layout).map((seat) => {
    const secret = newSeatSecret();
    seatSecrets[seat.seatId] = secret;
    return { ...seat, secretHash: hashSeatSecret(secret) };
  });
  const issuedCrew = await Promise.all(
    crew.map(async (member) => {
      const pin = newPin();
      return { ...member, pin, pinHash: await hashPin(pin) };
    }),
  );
  const record: ProvisionedRecord = {
    tailNumber: layout.tailNumber,
    type: layout.type,
    layout,
    seats,
    crew: issuedCrew.map(({ pin: _pin, ...rest }) => rest),
  };
  const issued = {
    tailNumber: layout.tailNumber,
    seats: seatSecrets,
    crew: issuedCrew.map(({ pinHash: _h, ...rest }) => rest),
  };
  handOut(issued);
  await records.write(AIRCRAFT_PROVISIONED, crypto.randomUUID(), record);
  return issued;
}

/** Replaces the aircraft, seats and crew with those of the record. */
export async function applyProvisioned(tx: Transaction, record: JournalRecord): Promise<void> {
  const data = record.data as ProvisionedRecord;
  await tx.query('DELETE FROM aircraft');
  await tx.query('INSERT INTO aircraft (tail_number, type, layout, provisioned_at) VALUES ($1, $2, $3, $4)', [
    data.tailNumber,
    data.type,
    JSON.stringify(data.layout),
    record.at,
  ]);
  await tx.query('DELETE FROM seats');
  await tx.query(
    `INSERT INTO seats (seat_id, cabin_class, seat_row, letter, secret_hash)
     SELECT s->>'seatId', s->>'cabinClass', (s->>'row')::int, s->>'letter', s->>'secretHash' FROM jsonb_array_elements($1::jsonb) s`,
    [JSON.stringify(data.seats)],
  );
  await tx.query('DELETE FROM crew');
  for (const member of data.crew) {
    await tx.query('INSERT INTO crew (crew_id, name, role, pin_hash) VALUES ($1, $2, $3, $4)', [
      member.crewId,
      member.name,
      member.role,
      member.pinHash,
    ]);
  }
}

export async function currentAircraft(
  db: Sql,
): Promise<{ tailNumber: string; type: string; layout: CabinLayout } | undefined> {
  const { rows } = await db.query<{ tail_number: string; type: string; layout: CabinLayout }>(
    'SELECT tail_number, type, layout FROM aircraft',
  );
  const row = rows[0];
  return row && { tailNumber: row.tail_number, type: row.type, layout: row.layout };
}

export async function seatClasses(db: Sql): Promise<Map<string, string>> {
  const { rows } = await db.query<{ seat_id: string; cabin_class: string }>(
    'SELECT seat_id, cabin_class FROM seats ORDER BY seat_row, letter',
  );
  return new Map(rows.map((r) => [r.seat_id, r.cabin_class]));
}
