/**
 * Statistics for the ground: anonymous viewing counts (airlines owe studios licence reports
 * per title and per flight) and seat-health summaries. `FlightStatistics` produces them from
 * what seats report on the cabin bus (seat/<id>/health says what is playing) and closes a
 * flight at the reset for next flight. They are journalled like everything the ground needs,
 * then travel in the bulk stream.
 */
import crypto from 'node:crypto';
import type { SeatHealth } from '@ifec/protocol';
import type { Logger } from 'pino';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';

export const VIEWING_COUNT = 'viewing.count';
export const SEAT_HEALTH_SUMMARY = 'seat.health.summary';

/** One finished viewing, with nothing that identifies the passenger or the seat. */
export interface ViewingCount {
  titleId: string;
  cabinClass: string;
  /** Seconds actually watched. */
  watchedS: number;
  completed: boolean;
  audioLanguage?: string;
  /** The flight it was watched on (reset for next flight starts a new one). */
  flightId?: string;
  /** Where and when it began (the recommendations' keys): route `LHR-SIN`, region below, local hour below. */
  route?: string;
  region?: string;
  hour?: number;
}

/** The flight's context for a viewing, from the flight domain (any part may be unknown). */
export interface ViewingContext {
  route?: string;
  region?: string;
  hour?: number;
}

/** One seat over one reporting window. */
export interface SeatHealthSummary {
  seatId: string;
  windowStart: string;
  windowS: number;
  /** Seconds the seat reported health within the window. */
  onlineS: number;
  reboots: number;
  faults: number;
  appVersion: string | null;
  lastError: string | null;
  flightId?: string;
}

export class GroundStatistics {
  constructor(private readonly records: Pick<DurableRecords, 'write' | 'writeMany'>) {}

  /** `viewingId` comes from the caller (its playback session) so a retried call is counted once. */
  async recordViewing(viewingId: string, count: ViewingCount): Promise<void> {
    await this.records.write(VIEWING_COUNT, viewingId, count);
  }

  async recordViewings(items: { id: string; count: ViewingCount }[]): Promise<void> {
    if (items.length === 0) return;
    await this.records.writeMany(
      VIEWING_COUNT,
      items.map((v) => ({ id: v.id, data: v.count })),
    );
  }

  /** One record per seat; the id (seat + window) makes a repeated window harmless. */
  async recordSeatHealth(summaries: SeatHealthSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    await this.records.writeMany(
      SEAT_HEALTH_SUMMARY,
      summaries.map((s) => ({ id: `${s.seatId}@${s.windowStart}`, data: s })),
    );
  }
}

interface Viewing {
  id: string;
  titleId: string;
  startedAt: number;
  lastSeenAt: number;
  context: ViewingContext;
}

interface SeatWindow {
  onlineMs: number;
  lastSeenAt: number;
  lastUptimeS: number;
  reboots: number;
  faults: number;
  appVersion: string | null;
  lastError: string | null;
}

export interface FlightStatisticsOptions {
  statistics: GroundStatistics;
  /** sync_state holds the current flight's start, so a restart in flight keeps the same flight. */
  store: Store;
  aircraftId: string;
  cabinClassOf: (seatId: string) => string | undefined;
  /** The title's running time, to call a viewing completed; undefined when unknown. */
  durationOf: (titleId: string) => number | undefined;
  /** A seat silent for longer than this stopped watching (and was not online meanwhile). */
  silenceMs: number;
  log: Logger;
  now?: () => number;
  /** Route, region and local hour when a viewing begins (the flight domain); none when unknown. */
  viewingContext?: () => ViewingContext;
}

/** A viewing watched to this share of the running time counts as completed. */
const COMPLETED_SHARE = 0.9;

export class FlightStatistics {
  private flightStartedAt = 0;
  private readonly viewings = new Map<string, Viewing>();
  private readonly seats = new Map<string, SeatWindow>();
  private readonly finished: { id: string; count: ViewingCount }[] = [];
  private closing: Promise<unknown> = Promise.resolve();
  /** Viewings finished in this flight (for the reset's report). */
  private counted = 0;

  constructor(private readonly o: FlightStatisticsOptions) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  get flightId(): string {
    return `${this.o.aircraftId}@${new Date(this.flightStartedAt).toISOString()}`;
  }

  async load(): Promise<void> {
    const { rows } = await this.o.store.query<{ value: { startedAt: number } }>(
      "SELECT value FROM sync_state WHERE key = 'flight'",
    );
    if (rows[0]) this.flightStartedAt = rows[0].value.startedAt;
    else await this.saveFlight(this.now());
  }

  /** Called for every seat/<id>/health report. */
  onHealth(seatId: string, health: SeatHealth): void {
    const now = this.now();
    const seat = this.seats.get(seatId);
    if (!seat) {
      this.seats.set(seatId, {
        onlineMs: 0,
        lastSeenAt: now,
        lastUptimeS: health.uptimeS,
        reboots: 0,
        faults: 0,
        appVersion: health.appVersion,
        lastError: health.lastError ?? null,
      });
    } else {
      const gap = now - seat.lastSeenAt;
      if (gap <= this.o.silenceMs) seat.onlineMs += gap;
      if (health.uptimeS < seat.lastUptimeS) seat.reboots++;
      Object.assign(seat, {
        lastSeenAt: now,
        lastUptimeS: health.uptimeS,
        appVersion: health.appVersion,
        lastError: health.lastError ?? seat.lastError,
      });
    }
    const playing = health.playing ?? null;
    const current = this.viewings.get(seatId);
    if (current && (current.titleId !== playing || now - current.lastSeenAt > this.o.silenceMs)) this.finish(seatId);
    if (this.finished.length) void this.flush();
    if (!playing) return;
    const viewing = this.viewings.get(seatId);
    if (viewing) viewing.lastSeenAt = now;
    else
      this.viewings.set(seatId, {
        id: crypto.randomUUID(),
        titleId: playing,
        startedAt: now,
        lastSeenAt: now,
        context: this.o.viewingContext?.() ?? {},
      });
  }

  onFault(seatId: string): void {
    const seat = this.seats.get(seatId);
    if (seat) seat.faults++;
  }

  /** Journals the viewings finished so far (they go to the ground with the next sync). */
  flush(): Promise<unknown> {
    const items = this.finished.splice(0);
    if (items.length === 0) return this.closing;
    // A failed write (journal closed at stop) loses only these anonymous counts, never the chain.
    this.closing = this.closing
      .then(() => this.o.statistics.recordViewings(items))
      .catch((error: unknown) =>
        this.o.log.warn({ err: (error as Error).message, viewings: items.length }, 'viewing counts not journalled'),
      );
    return this.closing;
  }

  /**
   * The flight is over (reset for next flight): every viewing still open is counted, every seat
   * seen gets its summary for the flight, and a new flight starts. Returns what was written.
   */
  async endFlight(): Promise<{ flightId: string; viewings: number; seats: number }> {
    const flightId = this.flightId;
    for (const seatId of [...this.viewings.keys()]) this.finish(seatId);
    const viewings = this.counted;
    this.counted = 0;
    await this.flush();
    const now = this.now();
    const windowStart = new Date(this.flightStartedAt).toISOString();
    const summaries: SeatHealthSummary[] = [...this.seats].map(([seatId, s]) => ({
      seatId,
      windowStart,
      windowS: Math.round((now - this.flightStartedAt) / 1000),
      onlineS: Math.round(s.onlineMs / 1000),
      reboots: s.reboots,
      faults: s.faults,
      appVersion: s.appVersion,
      lastError: s.lastError,
      flightId,
    }));
    await this.o.statistics.recordSeatHealth(summaries);
    this.seats.clear();
    await this.saveFlight(now);
    return { flightId, viewings, seats: summaries.length };
  }

  private finish(seatId: string): void {
    const v = this.viewings.get(seatId);
    if (!v) return;
    this.viewings.delete(seatId);
    this.counted++;
    const watchedS = Math.round((v.lastSeenAt - v.startedAt) / 1000);
    const duration = this.o.durationOf(v.titleId);
    this.finished.push({
      id: v.id,
      count: {
        titleId: v.titleId,
        cabinClass: this.o.cabinClassOf(seatId) ?? 'unknown',
        watchedS,
        completed: duration !== undefined && watchedS >= duration * COMPLETED_SHARE,
        flightId: this.flightId,
        ...v.context,
      },
    });
  }

  private async saveFlight(startedAt: number): Promise<void> {
    this.flightStartedAt = startedAt;
    await this.o.store.write((tx) =>
      tx.query(
        `INSERT INTO sync_state (key, value, updated_at) VALUES ('flight', $1, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [JSON.stringify({ startedAt })],
      ),
    );
  }
}
