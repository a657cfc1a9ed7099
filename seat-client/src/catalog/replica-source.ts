/**
 * The catalogue and the seat's favourites from the RxDB replica (src/replica/): live queries
 * over IndexedDB, so the kiosk browses and searches with the appliance down, and favourites
 * set offline are pushed when it returns. Until the replica has documents (first boot) the
 * HTTP source's kept copy answers. Resume points stay on the device (the Yjs position
 * document is the appliance's; not wired here yet).
 */
import type { SeatIdentity } from '../cabin/seat-identity.ts';
import type { CatalogTitle } from './model.ts';
import { toCatalogTitle, type CatalogSource, type HttpCatalogSource, type SeatPreferences } from './source.ts';

type ReplicaModule = typeof import('../replica/index.ts');
type Replica = Awaited<ReturnType<ReplicaModule['openReplica']>>;

export class ReplicaCatalogSource implements CatalogSource {
  private list: CatalogTitle[] = [];
  private favourites: string[] = [];
  private reachable = false;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: (() => void)[] = [];

  private constructor(private readonly replica: Replica, private readonly mod: ReplicaModule, private readonly fallback: HttpCatalogSource, baseUrl: string) {
    const titles = replica.titles.find().$.subscribe((docs) => {
      this.list = docs.map((d) => toCatalogTitle(d.toJSON() as unknown as Record<string, unknown>, baseUrl)).filter((t): t is CatalogTitle => t !== undefined);
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
    const fromFallback = fallback.subscribe(() => this.emit());
    this.unsubscribe.push(() => titles.unsubscribe(), () => state.unsubscribe(), () => online.unsubscribe(), fromFallback);
  }

  static async open(seat: SeatIdentity, baseUrl: string, fallback: HttpCatalogSource): Promise<ReplicaCatalogSource> {
    const mod = await import('../replica/index.ts');
    let token: { value: string; until: number } | undefined;
    const replica = await mod.openReplica({
      baseUrl,
      seatId: seat.seatId,
      device: 'seat',
      // Logged in lazily: with the appliance down the replica still opens from IndexedDB.
      token: async () => {
        if (!token || token.until < Date.now()) {
          const t = await mod.seatLogin(baseUrl, seat.seatId, seat.secret);
          token = { value: t.token, until: Date.now() + (t.expiresInS - 60) * 1000 };
        }
        return token.value;
      },
    });
    return new ReplicaCatalogSource(replica, mod, fallback, baseUrl);
  }

  titles(): CatalogTitle[] {
    return this.list.length > 0 ? this.list : this.fallback.titles();
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  preferences(): SeatPreferences {
    return { favourites: this.favourites, positions: this.fallback.preferences().positions };
  }
  async setFavourite(titleId: string, on: boolean): Promise<void> {
    await this.mod.setFavourite(this.replica, titleId, on);
  }
  savePosition(titleId: string, at: number): Promise<void> {
    return this.fallback.savePosition(titleId, at);
  }
  online(): boolean {
    return this.reachable || this.fallback.online();
  }
  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    await this.replica.close();
    await this.fallback.close();
  }
  private emit(): void {
    for (const l of this.listeners) l();
  }
}
