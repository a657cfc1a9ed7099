/**
 * Passenger changes that live on the seat first and reach the appliance by replication
 * (favourites, settings): "saved on this seat, it reaches the cabin system when the connection is back"
 * while the push waits, "saved" once the replica is in sync. And the catalogue source wrapped
 * so that every favourite goes through here without the screens knowing.
 */
import type { CatalogSource } from '../catalog/source.ts';

export type ChangeState = 'none' | 'queued' | 'sent';

/** A change not through after this long is reported as waiting, whatever the link looked like. */
export const QUEUED_AFTER_MS = 2000;
/** "Saved." stays this long once the change went through. */
export const SENT_SHOWN_MS = 4000;

export class PersonalChanges {
  private pending = 0;
  /** Some pending change was made with the appliance away: the passenger is told, and told when it went through. */
  private queuedOffline = false;
  private sentAt: number | null = null;
  private readonly listeners = new Set<() => void>();
  private hide: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** A change saved on the seat; `delivered` resolves when the appliance has it. Online, it goes unremarked. */
  track(delivered: Promise<void>, offline: boolean): void {
    this.pending++;
    this.queuedOffline ||= offline;
    this.sentAt = null;
    this.emit();
    let done = false;
    // The link can look up while the push fails: a change still waiting after a moment is said to wait.
    const late = setTimeout(() => {
      if (done || this.queuedOffline) return;
      this.queuedOffline = true;
      this.emit();
    }, QUEUED_AFTER_MS);
    const finish = (ok: boolean) => {
      done = true;
      clearTimeout(late);
      this.settle(ok);
    };
    void delivered.then(
      () => finish(true),
      () => finish(false),
    );
  }

  view(): ChangeState {
    if (this.pending > 0) return this.queuedOffline ? 'queued' : 'none';
    return this.sentAt !== null && this.now() - this.sentAt < SENT_SHOWN_MS ? 'sent' : 'none';
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private settle(ok: boolean): void {
    this.pending = Math.max(0, this.pending - 1);
    if (ok && this.pending === 0 && this.queuedOffline) {
      this.queuedOffline = false;
      this.sentAt = this.now();
      clearTimeout(this.hide);
      this.hide = setTimeout(() => this.emit(), SENT_SHOWN_MS + 50);
    }
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

/** The same source; each favourite and settings change is tracked until the replica says the appliance has it. */
export function trackingFavourites(source: CatalogSource, changes: PersonalChanges): CatalogSource {
  return {
    titles: () => source.titles(),
    subscribe: (listener) => source.subscribe(listener),
    preferences: () => source.preferences(),
    online: () => source.online(),
    forgetPersonal: () => source.forgetPersonal(),
    close: () => source.close(),
    whenDelivered: () => source.whenDelivered?.() ?? Promise.resolve(),
    async setFavourite(titleId, on) {
      await source.setFavourite(titleId, on);
      if (source.whenDelivered) changes.track(source.whenDelivered(), !source.online());
    },
    async saveSettings(settings) {
      if (!source.saveSettings) return;
      await source.saveSettings(settings);
      if (source.whenDelivered) changes.track(source.whenDelivered(), !source.online());
    },
  };
}
