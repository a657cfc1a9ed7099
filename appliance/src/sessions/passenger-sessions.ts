/**
 * Passenger sessions: one per seat per flight, started for every provisioned seat and ended
 * all at once by "reset for next flight". The session id names the seat's playback-state
 * document; a new id tells the seat (retained on seat/<S>/session) to wipe what it holds.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import type { SessionAnnouncement } from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Sql } from '../store/store.ts';
import { applySessionsStarted, SESSIONS_STARTED, type SessionsStarted } from './records.ts';

export class PassengerSessions {
  private bySeat = new Map<string, SessionAnnouncement>();

  constructor(
    private readonly records: Pick<DurableRecords, 'write' | 'journalOnly'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the live sessions; seats without one (first start, new seats) get one, journalled. */
  async load(db: Sql, seatIds: string[]): Promise<void> {
    const { rows } = await db.query<{ session_id: string; seat_id: string; started_at: Date }>(
      'SELECT session_id, seat_id, started_at FROM passenger_sessions',
    );
    this.bySeat = new Map(
      rows.map((r) => [
        r.seat_id,
        { seatId: r.seat_id, sessionId: r.session_id, startedAt: new Date(r.started_at).toISOString() },
      ]),
    );
    const missing = seatIds.filter((id) => !this.bySeat.has(id));
    if (missing.length === 0) return;
    const started = this.fresh(missing);
    await this.records.write<SessionsStarted>(SESSIONS_STARTED, crypto.randomUUID(), {
      endAll: false,
      sessions: started,
    });
    for (const s of started) this.bySeat.set(s.seatId, s);
  }

  sessionOf(seatId: string): string | undefined {
    return this.bySeat.get(seatId)?.sessionId;
  }

  announcement(seatId: string): SessionAnnouncement | undefined {
    return this.bySeat.get(seatId);
  }

  all(): SessionAnnouncement[] {
    return [...this.bySeat.values()];
  }

  /** Inside the reset transaction: every session ends, every seat starts a fresh one. */
  async restartAll(tx: Transaction): Promise<{ ended: SessionAnnouncement[]; started: SessionAnnouncement[] }> {
    const ended = this.all();
    const started = this.fresh(ended.map((s) => s.seatId));
    const record = await this.records.journalOnly<SessionsStarted>(SESSIONS_STARTED, crypto.randomUUID(), {
      endAll: true,
      sessions: started,
    });
    await applySessionsStarted(tx, record);
    this.bySeat = new Map(started.map((s) => [s.seatId, s]));
    return { ended, started };
  }

  private fresh(seatIds: string[]): SessionAnnouncement[] {
    const startedAt = new Date(this.now()).toISOString();
    return seatIds.map((seatId) => ({ seatId, sessionId: crypto.randomBytes(12).toString('base64url'), startedAt }));
  }
}
