/**
 * "Reset for next flight": privacy by default. Every passenger session ends; its playback
 * state, its phone pairings and its session row leave the store and memory in one
 * transaction; what stays is an anonymous count of sessions per title (licence reports).
 * Each seat gets a fresh session, announced retained on seat/<S>/session — a seat holding
 * another session's state wipes it — and paired phones are disconnected from the bus.
 * Runs from the crew endpoint and when the flight phase goes from landed to gate.
 */

import type { Transaction } from '@electric-sql/pglite';
import { resumeTopics, type SessionAnnouncement } from '@ifec/protocol';
import { titlesPlayed } from '@ifec/protocol/resume-doc';
import type { Logger } from 'pino';
import type { ResumeHub } from '../resume/resume-hub.ts';
import type { SeatStates } from '../seat-state/seat-states.ts';
import type { Store } from '../store/store.ts';
import type { Pairings } from './pairing.ts';
import type { PassengerSessions } from './passenger-sessions.ts';

export interface FlightResetDeps {
  store: Store;
  sessions: PassengerSessions;
  pairings: Pairings;
  hub: ResumeHub;
  /** Settings and favourites each seat replicated: personal too. */
  seatStates: Pick<SeatStates, 'forgetAll'>;
  publish: (topic: string, payload: string, options: { retain?: boolean; qos?: 0 | 1 }) => Promise<void>;
  /** Ends the bus connections of phones whose pairing ended (their cached subscriptions go with them). */
  disconnectPhones: (deviceIds: string[]) => void;
  log: Logger;
}

/** Personal state another domain keeps (recommendation signals…): wiped in the same transaction. */
export interface PersonalState {
  /** Its tables, vacuumed with the rest so deleted rows leave the files. */
  tables: string[];
  /** Before the wipe, outside the transaction: what may leave with consent goes now. */
  beforeWipe?(): Promise<void>;
  wipe(tx: Transaction): Promise<void>;
  /** After the commit: forget what is held in memory. */
  wiped(): void;
}

export interface ResetReport {
  sessionsEnded: number;
  phonesUnpaired: number;
  titlesCounted: number;
}

export class FlightReset {
  private running?: Promise<ResetReport>;
  private lastPhase?: string;
  private readonly listeners: ((report: ResetReport & { reason: string }) => Promise<void>)[] = [];
  private readonly personal: PersonalState[] = [];

  constructor(private readonly deps: FlightResetDeps) {}

  /** One reset at a time; a second call while one runs gets the same report. */
  reset(reason: string): Promise<ResetReport> {
    return (this.running ??= this.run(reason).finally(() => {
      this.running = undefined;
    }));
  }

  /** Runs after every reset, before it is reported done (the sync domain closes the flight's statistics). */
  onReset(listener: (report: ResetReport & { reason: string }) => Promise<void>): void {
    this.listeners.push(listener);
  }

  /** A domain opened after this one adds the personal state it keeps. */
  alsoWipe(state: PersonalState): void {
    this.personal.push(state);
  }

  /** Publishes every seat's live session (retained): at start, since broker state is in memory. */
  async announceAll(): Promise<void> {
    await Promise.all(this.deps.sessions.all().map((s) => this.announce(s)));
  }

  /** Watches flight/phase (JSON `{ "phase": … }` or a bare word): landed -> gate resets. */
  onFlightPhase(payload: Buffer): void {
    let phase: unknown;
    try {
      const text = payload.toString('utf8');
      phase = text.trim().startsWith('{') ? (JSON.parse(text) as { phase?: unknown }).phase : text.trim();
    } catch {
      return;
    }
    if (typeof phase !== 'string') return;
    const previous = this.lastPhase;
    this.lastPhase = phase.toLowerCase();
    // The flight domain goes landed -> taxi_in -> gate; a service publishing bare phases may skip taxi_in.
    if ((previous === 'landed' || previous === 'taxi_in') && this.lastPhase === 'gate') {
      this.reset(`flight phase ${previous} -> gate`).catch((error: unknown) =>
        this.deps.log.error({ err: error }, 'reset for next flight failed'),
      );
    }
  }

  private async run(reason: string): Promise<ResetReport> {
    const { store, sessions, pairings, hub } = this.deps;
    // Read what was played before anything is deleted; only title ids and counts leave this function.
    const counts = new Map<string, number>();
    for (const s of sessions.all()) {
      const doc = await hub.document(s.sessionId);
      for (const titleId of titlesPlayed(doc).keys()) counts.set(titleId, (counts.get(titleId) ?? 0) + 1);
    }
    for (const p of this.personal) await p.beforeWipe?.();
    const result = await store.write(async (tx) => {
      for (const p of this.personal) await p.wipe(tx);
      for (const [titleId, n] of counts) {
        await tx.query(
          'INSERT INTO viewing_counts (title_id, sessions) VALUES ($1, $2) ON CONFLICT (title_id) DO UPDATE SET sessions = viewing_counts.sessions + $2',
          [titleId, n],
        );
      }
      await tx.query('DELETE FROM resume_updates');
      await this.deps.seatStates.forgetAll(tx);
      const phones = await pairings.endAll(tx);
      const { ended, started } = await sessions.restartAll(tx);
      return { phones, ended, started };
    });
    hub.forget(result.ended.map((s) => s.sessionId));
    for (const p of this.personal) p.wiped();
    this.deps.disconnectPhones(result.phones.map((p) => p.deviceId));
    // Deleted rows linger in table files until vacuumed; FULL rewrites the files without them
    // (PGlite runs it after any open transaction: one connection).
    await store.exec(
      `VACUUM FULL ${['resume_updates', 'phone_pairings', 'passenger_sessions', 'seat_state_docs', ...this.personal.flatMap((p) => p.tables)].join(', ')}`,
    );
    await Promise.all(result.started.map((s) => this.announce(s)));
    this.deps.log.info(
      { reason, sessions: result.ended.length, phones: result.phones.length, titles: counts.size },
      'reset for next flight: personal state wiped',
    );
    const report = {
      sessionsEnded: result.ended.length,
      phonesUnpaired: result.phones.length,
      titlesCounted: counts.size,
    };
    for (const listener of this.listeners) await listener({ ...report, reason });
    return report;
  }

  private announce(s: SessionAnnouncement): Promise<void> {
    return this.deps.publish(resumeTopics.session(s.seatId), JSON.stringify(s), { retain: true, qos: 1 });
  }
}
