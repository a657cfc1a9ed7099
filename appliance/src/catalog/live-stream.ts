/**
 * Server-sent events for replication streams (`text/event-stream`). One hub per stream; a
 * subscriber may carry a key (a seat id) so an event reaches only that seat's connections.
 *
 * An event is encoded once into a Buffer and the same Buffer is written to every socket, so
 * a change reaching 850 seats costs one serialisation. A comment line every `heartbeatMs`
 * keeps idle connections open through proxies and lets a seat notice a dead link.
 */

import { STREAM_EVENTS } from '@ifec/protocol';
import type { Request, Response } from 'express';

export interface LiveStreamOptions {
  heartbeatMs?: number;
  /** Counted in metrics and logs: which stream this is. */
  name: string;
}

export class LiveStream {
  private readonly subscribers = new Map<string, Set<Response>>();
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(readonly options: LiveStreamOptions) {
    this.heartbeat = setInterval(() => this.broadcast(Buffer.from(': ping\n\n')), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get connections(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  /** Takes over the response; `hello` tells the seat the stream is open (it then resyncs). */
  attach(req: Request, res: Response, key = '*', hello: unknown = {}): void {
    if (this.closed) {
      res.status(503).json({ error: { code: 'SHUTTING_DOWN', message: 'the appliance is stopping' } });
      return;
    }
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('connection', 'keep-alive');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true, 10_000);
    res.write(encodeEvent(STREAM_EVENTS.hello, hello));
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    set.add(res);
    const drop = () => {
      set.delete(res);
      if (set.size === 0 && this.subscribers.get(key) === set) this.subscribers.delete(key);
    };
    res.on('close', drop);
    res.on('error', drop);
  }

  /** Sends an event to every subscriber, or only to those of one key. */
  publish(event: string, data: unknown, key?: string): void {
    const buffer = encodeEvent(event, data);
    if (key === undefined) this.broadcast(buffer);
    else for (const res of this.subscribers.get(key) ?? []) res.write(buffer);
  }

  /** Ends every stream: seats reconnect (and resync) to whoever serves next. */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const set of this.subscribers.values()) for (const res of set) res.end();
    this.subscribers.clear();
  }

  private broadcast(buffer: Buffer): void {
    for (const set of this.subscribers.values()) for (const res of set) res.write(buffer);
  }
}

export function encodeEvent(event: string, data: unknown): Buffer {
  return Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
