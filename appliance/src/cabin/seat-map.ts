/**
 * The crew's seat map: each seat's last health report (in memory: it is refreshed every few
 * seconds and worthless after a restart) and its open faults (journalled: they go to the ground).
 */
import type { Transaction } from '@electric-sql/pglite';
import type { SeatFault, SeatHealth, SeatMapEntry } from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Sql } from '../store/store.ts';

export const SEAT_FAULT = 'seat.fault';

/** Who else learns of health reports and new faults (the sync domain's flight statistics). */
export interface SeatMapObserver {
  health?(seatId: string, health: SeatHealth): void;
  fault?(seatId: string): void;
}

interface Live {
  health: SeatHealth;
  lastSeen: number;
}

export class SeatMap {
  private readonly live = new Map<string, Live>();
  private readonly faults = new Map<string, SeatMapEntry['faults']>();
  /** Faults being journalled: a copy re-sent meanwhile (lost PUBACK) waits for the same write. */
  private readonly raising = new Map<string, Promise<void>>();
  private db: Sql | undefined;
  private readonly observers: SeatMapObserver[] = [];

  constructor(
    private readonly seatClasses: Map<string, string>,
    private readonly records: DurableRecords,
    private readonly offlineAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async loadFaults(db: Sql): Promise<void> {
    this.db = db;
    const { rows } = await db.query<{ id: string; seat_id: string; code: string; message: string; at: Date }>(
      'SELECT id, seat_id, code, message, at FROM seat_faults WHERE cleared_at IS NULL ORDER BY at',
    );
    this.faults.clear();
    for (const r of rows)
      this.addFault(r.seat_id, { id: r.id, code: r.code, message: r.message, at: new Date(r.at).toISOString() });
  }

  has(seatId: string): boolean {
    return this.seatClasses.has(seatId);
  }

  observe(observer: SeatMapObserver): void {
    this.observers.push(observer);
  }

  reportHealth(seatId: string, health: SeatHealth): void {
    this.live.set(seatId, { health, lastSeen: this.now() });
    for (const o of this.observers) o.health?.(seatId, health);
  }

  /**
   * Journals the fault (resolves once durable) and shows it on the map. A seat re-sends a
   * fault with the same id after a lost PUBACK: that copy is neither journalled nor sent to
   * the ground again (open or cleared, the id is already stored).
   */
  raiseFault(seatId: string, fault: SeatFault): Promise<void> {
    const pending = this.raising.get(fault.id);
    if (pending) return pending;
    if (this.faults.get(seatId)?.some((f) => f.id === fault.id)) return Promise.resolve();
    const raised = (async () => {
      if (await this.stored(fault.id)) return;
      await this.records.write(SEAT_FAULT, fault.id, { seatId, ...fault });
      this.addFault(seatId, { id: fault.id, code: fault.code, message: fault.message, at: fault.at });
      for (const o of this.observers) o.fault?.(seatId);
    })().finally(() => this.raising.delete(fault.id));
    this.raising.set(fault.id, raised);
    return raised;
  }

  private async stored(faultId: string): Promise<boolean> {
    if (!this.db) return false;
    const { rows } = await this.db.query('SELECT 1 FROM seat_faults WHERE id = $1', [faultId]);
    return rows.length > 0;
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
        playing: online ? (live.health.playing ?? null) : null,
        dnd: online ? (live.health.dnd ?? false) : false,
        callLight: online ? (live.health.callLight ?? false) : false,
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
