/**
 * Crew login throttling that a burst cannot race and a passenger cannot turn against the crew.
 *
 * - An attempt is reserved (counted as a failure) before its PIN is hashed, synchronously, so a
 *   thousand parallel guesses see the limit as the sequential ones do; a correct PIN refunds it.
 * - Per source address: five failures in five minutes block that address for five minutes.
 * - Per crew id: a few free failures, then a doubling delay capped at 30 s. It slows a guesser
 *   spread over many addresses (one guess per delay) but never locks the real crew member out
 *   for long, and a purser can clear it at once (clearCrew).
 * Both tables are LRU-bounded: invented crew ids or addresses cannot grow memory. Known crew
 * ids live in their own table so a flood of invented ids cannot evict their delay.
 */
import { IfecError } from '@ifec/protocol';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';

export const SOURCE_MAX_FAILURES = 5;
export const SOURCE_BLOCK_MS = 5 * 60_000;
export const CREW_FREE_FAILURES = 3;
export const CREW_MAX_DELAY_MS = 30_000;
const CREW_FORGET_MS = 15 * 60_000;
const TABLE_MAX = 10_000;

export class LoginLockedError extends IfecError<'LOGIN_LOCKED'> {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super('LOGIN_LOCKED', message);
  }
}

interface SourceEntry {
  failures: number;
  blockedUntil: number;
}
interface CrewEntry {
  failures: number;
  nextAt: number;
}

/** One reserved attempt; settle it with succeeded() or leave it counted as failed. */
export interface LoginTicket {
  crewId: string;
  source: string;
}

export interface LoginFailureReport {
  failures: number;
  lockedOut: number;
  /** Refused unchecked because the PIN checker was full (not counted against anyone). */
  busy: number;
  sources: number;
  crewIds: number;
}

export class LoginGuard {
  private readonly sources = new LRUCache<string, SourceEntry>({
    max: TABLE_MAX,
    ttl: SOURCE_BLOCK_MS,
    ttlAutopurge: false,
  });
  private readonly knownCrew = new Map<string, CrewEntry>();
  private readonly otherIds = new LRUCache<string, CrewEntry>({
    max: TABLE_MAX,
    ttl: CREW_FORGET_MS,
    ttlAutopurge: false,
  });
  private window = { failures: 0, lockedOut: 0, busy: 0, sources: new Set<string>(), crewIds: new Set<string>() };

  constructor(
    private readonly isKnownCrew: (crewId: string) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves an attempt or throws LoginLockedError; never awaits, so it cannot be raced. */
  reserve(crewId: string, source: string): LoginTicket {
    const now = this.now();
    const src = this.sources.get(source) ?? { failures: 0, blockedUntil: 0 };
    if (src.blockedUntil > now)
      throw this.locked(crewId, source, `too many wrong PINs from ${source}`, src.blockedUntil - now);
    const crew = this.crewTable(crewId);
    const entry = crew.get(crewId) ?? { failures: 0, nextAt: 0 };
    if (entry.nextAt > now)
      throw this.locked(crewId, source, `too many wrong PINs for crew ${crewId}`, entry.nextAt - now);
    src.failures++;
    if (src.failures >= SOURCE_MAX_FAILURES) src.blockedUntil = now + SOURCE_BLOCK_MS;
    this.sources.set(source, src);
    entry.failures++;
    entry.nextAt =
      entry.failures > CREW_FREE_FAILURES
        ? now + Math.min(CREW_MAX_DELAY_MS, 1000 * 2 ** (entry.failures - CREW_FREE_FAILURES - 1))
        : 0;
    crew.set(crewId, entry);
    this.window.failures++;
    this.window.sources.add(source);
    this.window.crewIds.add(crewId);
    return { crewId, source };
  }

  /**
   * Whether `source` is blocked, decided before the request is even read (access/login-fast-path.ts):
   * no error is built and nothing else runs for it. Counted as a refusal like any other.
   */
  sourceRefusal(source: string): { message: string; retryAfterS: number } | undefined {
    const src = this.sources.get(source);
    const now = this.now();
    if (!src || src.blockedUntil <= now) return undefined;
    this.window.lockedOut++;
    this.window.sources.add(source);
    const retryAfterS = Math.max(1, Math.ceil((src.blockedUntil - now) / 1000));
    return { message: `too many wrong PINs from ${source}; try again in ${retryAfterS} s`, retryAfterS };
  }

  /** The PIN was right: the reservation is refunded and the crew id's delay forgotten. */
  succeeded(ticket: LoginTicket): void {
    this.window.failures--;
    this.crewTable(ticket.crewId).delete(ticket.crewId);
    const src = this.sources.get(ticket.source);
    if (src) {
      src.failures = Math.max(0, src.failures - 1);
      if (src.failures < SOURCE_MAX_FAILURES) src.blockedUntil = 0;
    }
  }

  /** The attempt could not be checked (hashing busy): it does not count against anyone. */
  released(ticket: LoginTicket): void {
    this.window.failures--;
    this.window.busy++;
    const src = this.sources.get(ticket.source);
    if (src) src.failures = Math.max(0, src.failures - 1);
    // The crew id's delay stays: it was set for the guesses still being checked.
    const entry = this.crewTable(ticket.crewId).get(ticket.crewId);
    if (entry) entry.failures = Math.max(0, entry.failures - 1);
  }

  /** A login refused before it was read (the PIN checker full): counted for the aggregate line only. */
  countBusy(): void {
    this.window.busy++;
  }

  /** The purser's override: the crew id may try again at once. */
  clearCrew(crewId: string): boolean {
    return this.crewTable(crewId).delete(crewId);
  }

  /** Counts since the last call (the aggregate log line), then starts a new window. */
  takeReport(): LoginFailureReport {
    const w = this.window;
    this.window = { failures: 0, lockedOut: 0, busy: 0, sources: new Set(), crewIds: new Set() };
    return {
      failures: Math.max(0, w.failures),
      lockedOut: w.lockedOut,
      busy: w.busy,
      sources: w.sources.size,
      crewIds: w.crewIds.size,
    };
  }

  /** Entries held, for the memory bound's test. */
  get size(): { sources: number; crewIds: number } {
    return { sources: this.sources.size, crewIds: this.knownCrew.size + this.otherIds.size };
  }

  private crewTable(crewId: string): Map<string, CrewEntry> | LRUCache<string, CrewEntry> {
    return this.isKnownCrew(crewId) ? this.knownCrew : this.otherIds;
  }

  private locked(crewId: string, source: string, reason: string, waitMs: number): LoginLockedError {
    this.window.lockedOut++;
    this.window.sources.add(source);
    this.window.crewIds.add(crewId);
    const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
    return new LoginLockedError(`${reason}; try again in ${retryAfterS} s`, retryAfterS);
  }
}

/**
 * Failed crew logins as one log line per interval with counts (a guessing burst would otherwise
 * write a line per guess, or none). The timer is unref'd: it never holds the process up.
 */
export function reportLoginFailures(guard: LoginGuard, log: Logger, everyMs = 10_000): NodeJS.Timeout {
  const timer = setInterval(() => {
    const report = guard.takeReport();
    if (report.failures > 0 || report.lockedOut > 0 || report.busy > 0)
      log.warn({ ...report, windowS: everyMs / 1000 }, 'crew login failures');
  }, everyMs);
  timer.unref();
  return timer;
}
