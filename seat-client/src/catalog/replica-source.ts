/**
 * The catalogue and the seat's favourites from the RxDB replica (src/replica/): live queries
 * over IndexedDB, so the kiosk browses and searches with the appliance down, and favourites
 * set offline are pushed when it returns. Until the replica has documents (first boot) the
 * HTTP source's kept copy answers. Resume points are the passenger session's document
 * (src/resume/), shared with paired phones.
 */

import type { SeatSettings } from '@ifec/protocol';
import type { SeatIdentity } from '../cabin/seat-identity.ts';
import { keptSessionId } from '../resume/resume-link.ts';
import { type TitleView, titleView } from './model.ts';
import type { CatalogSource, HttpCatalogSource, SeatPreferences } from './source.ts';

type ReplicaModule = typeof import('../replica/index.ts');
type Replica = Awaited<ReturnType<ReplicaModule['openReplica']>>;

export class ReplicaCatalogSource implements CatalogSource {
  private list: TitleView[] = [];
  private favourites: string[] = [];
  private reachable = false;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: (() => void)[] = [];

  private replica: Replica | undefined;
  private mod: ReplicaModule | undefined;

  /** Answers from the HTTP source's kept copy at once; the replica takes over when it has opened. */
  constructor(
    private readonly fallback: HttpCatalogSource,
    private readonly baseUrl: string,
  ) {
    this.unsubscribe.push(fallback.subscribe(() => this.emit()));
  }

  /** Opens the replica in the background (RxDB and Dexie are a lazy chunk: the home screen does not wait for them). */
  async open(seat: SeatIdentity): Promise<void> {
    const mod = await import('../replica/index.ts');
    let token: { value: string; until: number } | undefined;
    const baseUrl = this.baseUrl;
    const replica = await mod.openReplica({
      baseUrl,
      seatId: seat.seatId,
      device: 'seat',
      passengerSession: () => keptSessionId(localStorage),
      // Logged in lazily: with the appliance down the replica still opens from IndexedDB.
      token: async () => {
        if (!token || token.until < Date.now()) {
          const t = await mod.seatLogin(baseUrl, seat.seatId, seat.secret);
          token = { value: t.token, until: Date.now() + (t.expiresInS - 60) * 1000 };
        }
        return token.value;
      },
    });
    this.mod = mod;
    this.replica = replica;
    const titles = replica.titles.find().$.subscribe((docs) => {
      // The replica stores what the appliance served and checked: typed documents, mapped once.
      this.list = docs.map((d) => titleView(d.toMutableJSON(), baseUrl));
      this.emit();
    });
    const state = replica.seatState.find({ selector: { kind: 'favourite' } }).$.subscribe((docs) => {
      this.favourites = docs.map((d) => (d.toJSON().value as { titleId: string }).titleId);
      this.emit();
    });
    const online = replica.online$.subscribe((up) => {
      this.reachable = up;
      this.emit();
    });
    this.unsubscribe.push(
      () => titles.unsubscribe(),
      () => state.unsubscribe(),
      () => online.unsubscribe(),
    );
  }

  titles(): TitleView[] {
    return this.list.length > 0 ? this.list : this.fallback.titles();
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  preferences(): SeatPreferences {
    const kept = this.fallback.preferences();
    return { favourites: this.replica ? this.favourites : kept.favourites };
  }
  async setFavourite(titleId: string, on: boolean): Promise<void> {
    if (this.mod && this.replica) await this.mod.setFavourite(this.replica, titleId, on);
    else await this.fallback.setFavourite(titleId, on);
  }
  async saveSettings(settings: SeatSettings): Promise<void> {
    if (this.mod && this.replica) await this.mod.saveSettings(this.replica, settings);
  }
  online(): boolean {
    return this.reachable || this.fallback.online();
  }
  /** The replica's push is done (RxDB waits, retrying, while the appliance is away). */
  async whenDelivered(): Promise<void> {
    if (this.replica) await this.replica.whenInSync();
  }
  /** Removes the local database (the appliance wiped its side at the reset); the next start pulls afresh. */
  async forgetPersonal(): Promise<void> {
    await this.fallback.forgetPersonal();
    const replica = this.replica;
    this.replica = undefined;
    if (replica) {
      await replica.close();
      await replica.database.remove();
    }
  }
  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    await this.replica?.close();
    await this.fallback.close();
  }
  private emit(): void {
    for (const l of this.listeners) l();
  }
}
