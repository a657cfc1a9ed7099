/**
 * Passenger sessions and phone pairings are what seats and phones were told (a session id names
 * the seat's playback-state document; a pairing lets a phone in): journalled before the seat or
 * phone hears of them, so a store rebuilt after a power cut has the same sessions and pairings
 * instead of new ones (a new session id makes every seat wipe its passenger's state).
 */
import type { Transaction } from '@electric-sql/pglite';
import type { SessionAnnouncement } from '@ifec/protocol';
import type { JournalRecord } from '../store/journal.ts';

export const SESSIONS_STARTED = 'passenger.sessions-started';
export const PHONE_PAIRED = 'phone.paired';
export const PHONE_UNPAIRED = 'phone.unpaired';

export interface SessionsStarted {
  /** The reset for next flight ends every session first. */
  endAll: boolean;
  sessions: SessionAnnouncement[];
}

export interface PhonePaired {
  deviceId: string;
  seatId: string;
  sessionId: string;
  pairedAt: string;
}

/** One phone, every phone of a seat, or every phone (the reset). */
export type PhoneUnpaired = { deviceId: string } | { seatId: string } | { all: true };

export async function applySessionsStarted(tx: Transaction, record: JournalRecord): Promise<void> {
  const { endAll, sessions } = record.data as SessionsStarted;
  if (endAll) await tx.query('DELETE FROM passenger_sessions');
  if (sessions.length === 0) return;
  await tx.query('DELETE FROM passenger_sessions WHERE seat_id = ANY($1::text[])', [sessions.map((s) => s.seatId)]);
  await tx.query(
    `INSERT INTO passenger_sessions (session_id, seat_id, started_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
    [sessions.map((s) => s.sessionId), sessions.map((s) => s.seatId), sessions.map((s) => s.startedAt)],
  );
}

export async function applyPhonePaired(tx: Transaction, record: JournalRecord): Promise<void> {
  const p = record.data as PhonePaired;
  await tx.query(
    `INSERT INTO phone_pairings (device_id, seat_id, session_id, paired_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (device_id) DO UPDATE SET seat_id = $2, session_id = $3, paired_at = $4`,
    [p.deviceId, p.seatId, p.sessionId, p.pairedAt],
  );
}

export async function applyPhoneUnpaired(tx: Transaction, record: JournalRecord): Promise<void> {
  const u = record.data as PhoneUnpaired;
  if ('deviceId' in u) await tx.query('DELETE FROM phone_pairings WHERE device_id = $1', [u.deviceId]);
  else if ('seatId' in u) await tx.query('DELETE FROM phone_pairings WHERE seat_id = $1', [u.seatId]);
  else await tx.query('DELETE FROM phone_pairings');
}

export const sessionRecords = {
  [SESSIONS_STARTED]: applySessionsStarted,
  [PHONE_PAIRED]: applyPhonePaired,
  [PHONE_UNPAIRED]: applyPhoneUnpaired,
};
