/**
 * The sync loop. Finds which link it has (gate Wi-Fi/cellular first, else satcom), sends the
 * critical stream first and, on a gate link only, the bulk stream; fetches publications (and
 * on a gate link their files); keeps to the satcom byte budget; after a failure waits with
 * exponential backoff and jitter, then resumes from the ground's checkpoint. Its state goes
 * to MQTT `sync/status` (retained) and GET /api/crew/sync.
 */
import type crypto from 'node:crypto';
import type { LinkKind, SyncStatus } from '@ifec/protocol';
import type { Logger } from 'pino';
import { GroundClient } from './ground-client.ts';
import type { SyncHistory } from './history.ts';
import type { Outbox } from './outbox.ts';
import type { GroundPublications } from './publications.ts';
import type { SyncState } from './sync-state.ts';
import { uploadStreams } from './uploader.ts';

export interface GroundLink {
  kind: Exclude<LinkKind, 'none'>;
  url: string;
}

export interface SyncServiceOptions {
  aircraftId: string;
  privateKey: crypto.KeyObject;
  outbox: Outbox;
  state: SyncState;
  publications: GroundPublications;
  /** In order of preference. */
  links: GroundLink[];
  satcomBudgetBytes: number;
  intervalMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  batchRecords: number;
  publishStatus(status: SyncStatus): Promise<void>;
  /** Recent passes for the maintenance screen (passes that moved nothing are not listed). */
  history?: SyncHistory;
  /** A failed pass, with its code: the domain reports signature refusals to the ground. */
  onFailure?(code: string, message: string): void;
  log: Logger;
  random?: () => number;
}

type State = SyncStatus['state'];

/**
 * In flight per link: about one bandwidth-delay product (satcom 2 Mbps x 600 ms = 150 KB,
 * gate 50 Mbps x 40 ms = 250 KB) so the link never idles waiting for acks, and no more, to
 * bound what a cut makes us send again.
 */
export const WINDOW: Record<GroundLink['kind'], { batches: number; bytes: number }> = {
  gate: { batches: 16, bytes: 512 * 1024 },
  satcom: { batches: 16, bytes: 192 * 1024 },
};

export class SyncService {
  private link: LinkKind = 'none';
  private state: State = 'offline';
  private lastError: string | null = null;
  private nextAttemptAt: string | null = null;
  private failures = 0;
  private stopped = true;
  private running: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private lastPublished = 0;
  private head = 0;
  private backlog = { critical: 0, bulk: 0 };
  private abort = new AbortController();
  private trailing: NodeJS.Timeout | undefined;
  /** Set by close(): nothing is published any more (the bus and the store are going). */
  private closed = false;
  private moved = { records: 0, publications: 0 };

  constructor(private readonly o: SyncServiceOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.running = this.loop();
  }

  /** Ends a pass in flight at once (its requests are aborted; what the ground acked is kept). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wakeUp?.();
    await this.running;
    // Passes driven by hand after a stop (syncOnce) get a live signal; close() ends for good.
    if (!this.closed) this.abort = new AbortController();
  }

  /** Stops for good: the loop, and any status publication still scheduled. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.trailing);
    await this.stop();
  }

  /** A USB bundle, new records or a reset changed what the status shows: republish it (sync/status). */
  changed(): void {
    if (!this.closed) void this.publish(false);
  }

  get hasLinks(): boolean {
    return this.o.links.length > 0;
  }

  /** The engineer asked ("Sync now"): try at once, also while backing off after failures. */
  syncNow(): void {
    this.failures = 0;
    this.wakeUp?.();
  }

  /** Something new for the ground: try now rather than at the next interval (not while backing off). */
  wake(): void {
    if (this.state === 'idle') this.wakeUp?.();
  }

  /** A new flight starts with a full satcom budget. */
  async resetSatcomBudget(): Promise<void> {
    this.o.state.update({ satcomBytesUsed: 0 });
    await this.o.state.save();
  }

  async status(): Promise<SyncStatus> {
    const c = this.o.state.current;
    this.head = await this.o.outbox.head();
    this.backlog = {
      critical: await this.o.outbox.count('critical', c.acked.critical),
      bulk: await this.o.outbox.count('bulk', c.acked.bulk),
    };
    return this.snapshot();
  }

  /** One pass over the best link; throws on failure. */
  async syncOnce(): Promise<void> {
    const link = await this.pickLink();
    if (!link) throw Object.assign(new Error('no ground link answers'), { code: 'NO_LINK' });
    await this.cycle(link);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let delay = this.o.intervalMs;
      const ackedBefore = { ...this.o.state.current.acked };
      try {
        await this.syncOnce();
        this.failures = 0;
        this.lastError = null;
        const { records, publications } = this.moved;
        if (records || publications)
          void this.o.history?.add({
            kind: 'sync',
            ok: true,
            link: this.link,
            summary: `sent ${records} records, received ${publications} publications`,
          });
      } catch (error) {
        if (this.stopped) break;
        // A pass that moved the ground's acknowledgement before failing was worth it: retry soon.
        // Only failures without progress back off further (a link that is really down).
        const progressed =
          this.o.state.current.acked.critical > ackedBefore.critical ||
          this.o.state.current.acked.bulk > ackedBefore.bulk;
        this.failures = progressed ? 1 : this.failures + 1;
        const code = (error as { code?: string }).code ?? 'ERROR';
        this.lastError = `${code}: ${(error as Error).message}`;
        void this.o.history?.add({ kind: 'sync', ok: false, link: this.link, code, summary: this.lastError });
        this.o.onFailure?.(code, (error as Error).message);
        delay = this.backoff();
        this.setState(this.link === 'none' ? 'offline' : 'backing-off');
        this.o.log.warn(
          { err: this.lastError, failures: this.failures, retryInMs: Math.round(delay) },
          'ground sync failed; backing off',
        );
      }
      if (this.stopped) break;
      this.nextAttemptAt = new Date(Date.now() + delay).toISOString();
      await this.publish(true);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /** Exponential backoff with jitter: half fixed, half random, so a fleet does not retry in step. */
  private backoff(): number {
    const ceiling = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.min(this.failures - 1, 16));
    return ceiling / 2 + (this.o.random ?? Math.random)() * (ceiling / 2);
  }

  private async pickLink(): Promise<GroundClient | undefined> {
    for (const link of this.o.links) {
      const client = new GroundClient({
        baseUrl: link.url,
        link: link.kind,
        aircraftId: this.o.aircraftId,
        privateKey: this.o.privateKey,
        downlinkApplied: () => this.o.state.current.downlinkApplied,
        signal: this.abort.signal,
      });
      if (await client.ping()) {
        this.link = link.kind;
        return client;
      }
    }
    this.link = 'none';
    return undefined;
  }

  private async cycle(client: GroundClient): Promise<void> {
    const { state } = this.o;
    const satcom = client.link === 'satcom';
    if (!satcom && state.current.satcomBytesUsed > 0) state.update({ satcomBytesUsed: 0 }); // at the gate: the flight is over
    const usedBefore = state.current.satcomBytesUsed;
    const spentNow = () => client.bytesSent + client.bytesReceived;
    const budget = satcom
      ? { remaining: () => this.o.satcomBudgetBytes - usedBefore - spentNow(), spend: () => {} }
      : undefined;
    this.moved = { records: 0, publications: 0 };
    try {
      this.setState('uploading');
      // The ground's checkpoint is the truth: after a restore on the ground we re-send, never skip.
      state.update({ acked: await client.checkpoint() });
      const r = await uploadStreams(
        client,
        this.o.outbox,
        satcom ? ['critical'] : ['critical', 'bulk'],
        state.current.acked,
        {
          aircraftId: this.o.aircraftId,
          batchRecords: satcom ? Math.min(this.o.batchRecords, 2000) : this.o.batchRecords,
          window: WINDOW[client.link].batches,
          windowBytes: WINDOW[client.link].bytes,
          budget,
          onAck: (acked) => {
            state.advanceAcked(acked);
            void this.publish(false);
          },
        },
      );
      let exhausted = r.budgetExhausted;
      this.moved.records += r.records;
      this.setState('downloading');
      for (;;) {
        if (budget && budget.remaining() <= 0) {
          exhausted = true;
          break;
        }
        const page = await client.downlink(state.current.downlinkApplied);
        state.advanceAcked(page.acked);
        if (page.publications.length === 0) break;
        const accepted = await this.o.publications.accept(page.publications);
        this.moved.publications += accepted.added.length;
        state.update({ downlinkApplied: Math.max(state.current.downlinkApplied, accepted.highest) });
        if (state.current.downlinkApplied >= page.head) break;
      }
      if (!satcom) await this.fetchFiles(client);
      state.update({ lastContactAt: new Date().toISOString() });
      this.setState(exhausted ? 'budget-exhausted' : 'idle');
    } finally {
      if (satcom) state.update({ satcomBytesUsed: usedBefore + spentNow() });
      await state.save();
      await this.publish(true);
    }
  }

  /** Software and content-load files: resumable, gate link only. */
  private async fetchFiles(client: GroundClient): Promise<void> {
    const waiting = await this.o.publications.waitingForFiles();
    for (const { missing } of waiting) {
      for (const f of missing) {
        if (this.o.publications.hasFile(f.sha256)) continue;
        await client.downloadFile(f.sha256, this.o.publications.partFileOf(f.sha256), f.size);
        this.o.publications.adoptPart(f.sha256, f.size);
      }
    }
    if (waiting.length) await this.o.publications.activateReady();
  }

  private setState(state: State): void {
    if (state === this.state) return;
    this.state = state;
    void this.publish(true);
  }

  private snapshot(): SyncStatus {
    const c = this.o.state.current;
    return {
      aircraftId: this.o.aircraftId,
      link: this.link,
      state: this.state,
      outboxHead: this.head,
      acked: { ...c.acked },
      backlog: { ...this.backlog },
      downlinkApplied: c.downlinkApplied,
      satcomBytesUsed: c.satcomBytesUsed,
      satcomBudgetBytes: this.o.satcomBudgetBytes,
      lastContactAt: c.lastContactAt,
      lastError: this.lastError,
      nextAttemptAt: this.nextAttemptAt,
      at: new Date().toISOString(),
    };
  }

  /** Throttled to one a second unless the state changed: a 100,000-record upload acks hundreds of times. */
  private async publish(force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastPublished < 1000) {
      // Throttled, not dropped: the last change is published when the second is over.
      this.trailing ??= setTimeout(
        () => {
          this.trailing = undefined;
          if (!this.closed) void this.publish(true);
        },
        1000 - (now - this.lastPublished),
      ).unref();
      return;
    }
    this.lastPublished = now;
    try {
      await this.o.publishStatus(await this.status());
    } catch (error) {
      this.o.log.debug({ err: (error as Error).message }, 'sync status not published');
    }
  }
}
