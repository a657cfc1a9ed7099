/**
 * The replication clock: every document the appliance replicates to seats gets its
 * `updatedAt` here, inside the store's single write queue, so checkpoints only move forward.
 *
 * Why time and not a bare counter: PGlite never fsyncs, so a power cut can roll the store
 * back by minutes; a counter read back from the store would then hand out numbers that
 * seats already passed and they would never pull those changes. Microseconds on the
 * appliance's own clock keep moving forward across such a loss (no client clock is used).
 */
export class ReplicationClock {
  private last = 0;

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** At start: never go below what the store already holds. */
  observe(updatedAt: number): void {
    if (updatedAt > this.last) this.last = updatedAt;
  }

  next(): number {
    const now = Math.floor(this.nowMs() * 1000);
    this.last = Math.max(this.last + 1, now);
    return this.last;
  }
}
