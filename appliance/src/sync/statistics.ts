/**
 * Producers of statistics for the ground, for other domains to call: anonymous viewing
 * counts (airlines owe studios licence reports per title) and seat-health summaries. They
 * are journalled like everything the ground needs, then travel in the bulk stream.
 */
import type { DurableRecords } from '../store/durable-records.ts';

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
}

export class GroundStatistics {
  constructor(private readonly records: Pick<DurableRecords, 'write' | 'writeMany'>) {}

  /** `viewingId` comes from the caller (its playback session) so a retried call is counted once. */
  async recordViewing(viewingId: string, count: ViewingCount): Promise<void> {
    await this.records.write(VIEWING_COUNT, viewingId, count);
  }

  /** One record per seat; the id (seat + window) makes a repeated window harmless. */
  async recordSeatHealth(summaries: SeatHealthSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    await this.records.writeMany(SEAT_HEALTH_SUMMARY, summaries.map((s) => ({ id: `${s.seatId}@${s.windowStart}`, data: s })));
  }
}
