/**
 * A replication stream (server-sent events) read with fetch, so it can carry the seat's
 * bearer token and works the same in Chromium, Electron and Node. Each time the stream
 * (re)opens it emits 'RESYNC': whatever happened while it was closed is pulled, and only
 * then do live change batches follow. A silent link (no heartbeat for `staleAfterMs`) is
 * treated as lost.
 */

import type { ReplicationCheckpoint, StreamChanges } from '@ifec/protocol';
import { BehaviorSubject, type Observable, Subject } from 'rxjs';

export type StreamItem<T> = StreamChanges<T> | 'RESYNC';

export interface LiveEventsOptions {
  url: string;
  headers: () => Promise<Record<string, string>>;
  fetch: typeof fetch;
  /** First retry delay; doubles up to maxRetryMs, with jitter so a cabin does not reconnect in step. */
  retryMs?: number;
  maxRetryMs?: number;
  staleAfterMs?: number;
}

export class LiveEvents<T> {
  private readonly items = new Subject<StreamItem<T>>();
  private readonly open = new BehaviorSubject<boolean>(false);
  private abort: AbortController | undefined;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: LiveEventsOptions) {}

  get items$(): Observable<StreamItem<T>> {
    return this.items.asObservable();
  }

  /** True while the stream is open: the appliance is reachable. */
  get open$(): Observable<boolean> {
    return this.open.asObservable();
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abort?.abort();
    this.open.next(false);
    this.items.complete();
    this.open.complete();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const opened = await this.connectOnce().catch(() => false);
      if (this.stopped) return;
      this.open.next(false);
      failures = opened ? 1 : failures + 1;
      const base = Math.min(
        this.options.maxRetryMs ?? 10_000,
        (this.options.retryMs ?? 500) * 2 ** Math.min(failures - 1, 6),
      );
      await new Promise<void>(
        (resolve) => (this.retryTimer = setTimeout(resolve, base / 2 + (Math.random() * base) / 2)),
      );
    }
  }

  /** Reads one connection until it ends; true if it was open at some point. */
  private async connectOnce(): Promise<boolean> {
    const abort = (this.abort = new AbortController());
    const staleAfter = this.options.staleAfterMs ?? 40_000;
    let watchdog = setTimeout(() => abort.abort(), staleAfter);
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => abort.abort(), staleAfter);
    };
    let opened = false;
    try {
      const res = await this.options.fetch(this.options.url, {
        headers: { accept: 'text/event-stream', ...(await this.options.headers()) },
        signal: abort.signal,
      });
      if (!res.ok || !res.body) return false;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        alive();
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parseEvent(block);
          if (!event) continue;
          if (event.name === 'hello') {
            opened = true;
            this.open.next(true);
            this.items.next('RESYNC');
          } else if (event.name === 'resync') this.items.next('RESYNC');
          else if (event.name === 'changes')
            this.items.next(JSON.parse(event.data) as { documents: T[]; checkpoint: ReplicationCheckpoint });
        }
      }
      return opened;
    } finally {
      clearTimeout(watchdog);
      abort.abort();
    }
  }
}

function parseEvent(block: string): { name: string; data: string } | undefined {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return data.length ? { name, data: data.join('\n') } : undefined;
}
