/**
 * Passenger sessions: one per seat per flight, started for every provisioned seat and ended
 * all at once by "reset for next flight". The session id names the seat's playback-state
 * document; a new id tells the seat (retained on seat/<S>/session) to wipe what it holds.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import type { SessionAnnouncement } from '@ifec/protocol';
import type { Sql } from '../store/store.ts';

export class PassengerSessions {
  private bySeat = new Map<string, SessionAnnouncement>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Loads the live sessions; seats without one (first start, new seats) get one in `tx`. */
  async load(db: Sql, seatIds: string[], write: <T>(fn: (tx: Transaction) => Promise<T>) => Promise<T>): Promise<void> {
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
    if (missing.length) await write((tx) => this.startFor(tx, missing));
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
    await tx.query('DELETE FROM passenger_sessions');
    const seats = ended.map((s) => s.seatId);
    this.bySeat = new Map();
    await this.startFor(tx, seats);
    return { ended, started: this.all() };
  }

  private async startFor(tx: Transaction, seatIds: string[]): Promise<void> {
    const startedAt = new Date(this.now()).toISOString();
    for (const seatId of seatIds) {
      const s = { seatId, sessionId: crypto.randomBytes(12).toString('base64url'), startedAt };
      await tx.query('INSERT INTO passenger_sessions (session_id, seat_id, started_at) VALUES ($1, $2, $3)', [
        s.sessionId,
        s.seatId,
        s.startedAt,
      ]);
      this.bySeat.set(seatId, s);
    }
  }
}
