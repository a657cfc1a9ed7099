/**
 * The crew's seat map: each seat's last health report (in memory: it is refreshed every few
 * seconds and worthless after a restart) and its open faults (journalled: they go to the ground).
 */
import type { Transaction } from '@electric-sql/pglite';
import type { SeatFault, SeatHealth, SeatMapEntry } from '@ifec/protocol';
import type { JournalRecord } from '../store/journal.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Sql } from '../store/store.ts';

export const SEAT_FAULT = 'seat.fault';

interface Live {
  health: SeatHealth;
  lastSeen: number;
}

export class SeatMap {
  private readonly live = new Map<string, Live>();
  private readonly faults = new Map<string, SeatMapEntry['faults']>();

  constructor(
    private readonly seatClasses: Map<string, string>,
    private readonly records: DurableRecords,
    private readonly offlineAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async loadFaults(db: Sql): Promise<void> {
    const { rows } = await db.query<{ id: string; seat_id: string; code: string; message: string; at: Date }>(
      'SELECT id, seat_id, code, message, at FROM seat_faults WHERE cleared_at IS NULL ORDER BY at',
    );
    this.faults.clear();
    for (const r of rows) this.addFault(r.seat_id, { id: r.id, code: r.code, message: r.message, at: new Date(r.at).toISOString() });
  }

  has(seatId: string): boolean {
    return this.seatClasses.has(seatId);
  }

  reportHealth(seatId: string, health: SeatHealth): void {
    this.live.set(seatId, { health, lastSeen: this.now() });
  }

  /** Journals the fault (resolves once durable) and shows it on the map. A re-sent fault is kept once. */
  async raiseFault(seatId: string, fault: SeatFault): Promise<void> {
    await this.records.write(SEAT_FAULT, fault.id, { seatId, ...fault });
    if (!this.faults.get(seatId)?.some((f) => f.id === fault.id)) this.addFault(seatId, { id: fault.id, code: fault.code, message: fault.message, at: fault.at });
  }

  entries(): SeatMapEntry[] {
    const now = this.now();
    return [...this.seatClasses].map(([seatId, cabinClass]) => {
      const live = this.live.get(seatId);
      const online = live !== undefined && now - live.lastSeen <= this.offlineAfterMs;
      return {
        seatId,
        cabinClass,
        state: live === undefined ? 'never_seen' : online ? 'online' : 'offline',
        lastSeen: live ? new Date(live.lastSeen).toISOString() : null,
        appVersion: live?.health.appVersion ?? null,
        uptimeS: live?.health.uptimeS ?? null,
        lastError: live?.health.lastError ?? null,
        playing: online ? live.health.playing ?? null : null,
        dnd: online ? live.health.dnd ?? false : false,
        callLight: online ? live.health.callLight ?? false : false,
        faults: this.faults.get(seatId) ?? [],
      };
    });
  }

  private addFault(seatId: string, fault: SeatMapEntry['faults'][number]): void {
    const list = this.faults.get(seatId) ?? [];
    list.push(fault);
    this.faults.set(seatId, list);
  }
}

export async function applySeatFault(tx: Transaction, record: JournalRecord): Promise<void> {
  const f = record.data as SeatFault & { seatId: string };
  await tx.query(
    'INSERT INTO seat_faults (id, seq, seat_id, code, message, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
    [record.id, record.seq, f.seatId, f.code, f.message, f.at],
  );
}
