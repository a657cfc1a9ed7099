/**
 * What each passenger session did that tells its taste, and whether it said yes to
 * personalisation. Held in memory (a ranking reads no disk) and in PGlite (it survives a
 * restart mid-flight). Personal: kept only for a session that opted in, and wiped with every
 * other personal state at reset for next flight.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import { RECO_LIMITS, type RecoSignal } from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Store } from '../store/store.ts';
import type { SessionSignal } from './rank.ts';

/** The tables this domain owns; reset names them to vacuum them. */
export const RECO_TABLES = ['reco_signals', 'reco_consent'];

// The domain owns its tables (created here rather than in the shared migration list so that a
// recommendations-free appliance carries none); the statements are idempotent.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS reco_consent (
    session_id text PRIMARY KEY,
    personalised boolean NOT NULL,
    at timestamptz NOT NULL
  );
  CREATE TABLE IF NOT EXISTS reco_signals (
    seq bigserial PRIMARY KEY,
    session_id text NOT NULL,
    kind text NOT NULL,
    title_id text,
    query text,
    at timestamptz NOT NULL
  );
  CREATE INDEX IF NOT EXISTS reco_signals_by_session ON reco_signals (session_id, seq);`;

/** The passenger was told their choice is kept: journalled before the answer, so a power cut keeps it. */
export const RECO_CONSENT_SET = 'reco.consent';

interface ConsentRecord {
  sessionId: string;
  personalised: boolean;
  at: string;
}

/** Applier. Replay runs before this domain opens, so the tables are made here too (idempotent). */
export async function applyRecoConsent(tx: Transaction, record: JournalRecord): Promise<void> {
  const { sessionId, personalised, at } = record.data as ConsentRecord;
  await tx.exec(SCHEMA);
  await tx.query(
    'INSERT INTO reco_consent (session_id, personalised, at) VALUES ($1, $2, $3) ON CONFLICT (session_id) DO UPDATE SET personalised = $2, at = $3',
    [sessionId, personalised, at],
  );
  if (!personalised) await tx.query('DELETE FROM reco_signals WHERE session_id = $1', [sessionId]);
}

interface SessionState {
  personalised?: boolean;
  signals: SessionSignal[];
  /** Moves on every change of this session's consent or signals (the rows cache keys on it). */
  version: number;
}

export class SessionSignals {
  private readonly sessions = new Map<string, SessionState>();

  constructor(
    private readonly store: Store,
    /** The airline's default when the passenger has not chosen (off unless its policy says otherwise). */
    private readonly personalisedByDefault: boolean,
    private readonly now: () => number = Date.now,
    /** Without it (unit tests) consent goes to the store alone. */
    private readonly records?: Pick<DurableRecords, 'write'>,
  ) {}

  async load(): Promise<void> {
    await this.store.exec(SCHEMA);
    if (this.records)
      // A replay re-applies consent journalled before a reset for next flight (the reset's wipe is
      // not journalled): what belongs to a session that no longer exists goes again here.
      await this.store.write(async (tx) => {
        for (const table of RECO_TABLES)
          await tx.query(`DELETE FROM ${table} WHERE session_id NOT IN (SELECT session_id FROM passenger_sessions)`);
      });
    this.sessions.clear();
    const consent = await this.store.query<{ session_id: string; personalised: boolean }>(
      'SELECT session_id, personalised FROM reco_consent',
    );
    for (const r of consent.rows) this.state(r.session_id).personalised = r.personalised;
    const signals = await this.store.query<{
      session_id: string;
      kind: string;
      title_id: string | null;
      query: string | null;
    }>('SELECT session_id, kind, title_id, query FROM reco_signals ORDER BY seq');
    for (const r of signals.rows) this.remember(r.session_id, toSignal(r));
  }

  personalised(sessionId: string): boolean {
    return this.sessions.get(sessionId)?.personalised ?? this.personalisedByDefault;
  }

  /** A number that changes whenever this session's consent or signals change. */
  version(sessionId: string): number {
    return this.sessions.get(sessionId)?.version ?? 0;
  }

  /** Whether the passenger chose, and what: undefined = the airline's default applies. */
  choice(sessionId: string): boolean | undefined {
    return this.sessions.get(sessionId)?.personalised;
  }

  signals(sessionId: string): SessionSignal[] {
    return this.personalised(sessionId) ? (this.sessions.get(sessionId)?.signals ?? []) : [];
  }

  /** Saying no also forgets what was kept so far. */
  async setConsent(sessionId: string, personalised: boolean): Promise<void> {
    const at = new Date(this.now()).toISOString();
    if (this.records)
      await this.records.write<ConsentRecord>(RECO_CONSENT_SET, crypto.randomUUID(), { sessionId, personalised, at });
    else
      await this.store.write(async (tx) => {
        await tx.query(
          'INSERT INTO reco_consent (session_id, personalised, at) VALUES ($1, $2, $3) ON CONFLICT (session_id) DO UPDATE SET personalised = $2, at = $3',
          [sessionId, personalised, new Date(this.now())],
        );
        if (!personalised) await tx.query('DELETE FROM reco_signals WHERE session_id = $1', [sessionId]);
      });
    const state = this.state(sessionId);
    state.personalised = personalised;
    state.version++;
    if (!personalised) state.signals = [];
  }

  /** Kept only with consent; returns whether it was. */
  async record(sessionId: string, signal: RecoSignal): Promise<boolean> {
    if (!this.personalised(sessionId)) return false;
    const s = toSignal({
      kind: signal.kind,
      title_id: 'titleId' in signal ? signal.titleId : null,
      query: 'query' in signal ? signal.query : null,
    });
    await this.store.write(async (tx) => {
      await tx.query('INSERT INTO reco_signals (session_id, kind, title_id, query, at) VALUES ($1, $2, $3, $4, $5)', [
        sessionId,
        s.kind,
        s.kind === 'searched' ? null : s.titleId,
        s.kind === 'searched' ? s.query : null,
        new Date(this.now()),
      ]);
      // Bounded per session: the oldest go first.
      await tx.query(
        `DELETE FROM reco_signals WHERE session_id = $1 AND seq NOT IN
           (SELECT seq FROM reco_signals WHERE session_id = $1 ORDER BY seq DESC LIMIT $2)`,
        [sessionId, RECO_LIMITS.signalsPerSession],
      );
    });
    this.remember(sessionId, s);
    return true;
  }

  /** Sessions that opted in, with the titles they watched in order (for the ground, at reset). */
  optedInHistories(): Array<{ sessionId: string; titles: string[] }> {
    const out: Array<{ sessionId: string; titles: string[] }> = [];
    for (const [sessionId, state] of this.sessions) {
      if (!state.personalised) continue;
      const titles = [
        ...new Set(state.signals.flatMap((s) => (s.kind === 'watched' || s.kind === 'finished' ? [s.titleId] : []))),
      ];
      if (titles.length > 0) out.push({ sessionId, titles });
    }
    return out;
  }

  /** Inside the reset transaction: every session's consent and signals go. */
  async forgetAll(tx: Transaction): Promise<void> {
    await tx.query('DELETE FROM reco_signals');
    await tx.query('DELETE FROM reco_consent');
  }

  /** After the reset committed. */
  forgotten(): void {
    this.sessions.clear();
  }

  private state(sessionId: string): SessionState {
    let s = this.sessions.get(sessionId);
    if (!s) {
      s = { signals: [], version: 0 };
      this.sessions.set(sessionId, s);
    }
    return s;
  }

  private remember(sessionId: string, signal: SessionSignal): void {
    const state = this.state(sessionId);
    state.version++;
    state.signals.push(signal);
    if (state.signals.length > RECO_LIMITS.signalsPerSession)
      state.signals.splice(0, state.signals.length - RECO_LIMITS.signalsPerSession);
  }
}

function toSignal(r: { kind: string; title_id: string | null; query: string | null }): SessionSignal {
  if (r.kind === 'searched') return { kind: 'searched', query: r.query ?? '' };
  return { kind: r.kind as Exclude<SessionSignal['kind'], 'searched'>, titleId: r.title_id ?? '' };
}
