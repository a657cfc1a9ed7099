/**
 * The one module that touches node-media-server (v4.4). We use its RTMP session and broadcast
 * core only, on a TCP server we own, instead of `new NodeMediaServer().run()`: that also opens
 * an HTTP-FLV port, a JSON store in ./data, logs to the console and calls process.exit(1)
 * when its port is taken. Its event bus and session maps are module-level in the library,
 * so one RtmpIngest may run per process; a second start is refused with a clear error.
 *
 * Events used (v4 names): prePublish (authenticate; close the session to refuse), postPublish,
 * donePublish (after the library's reconnect grace window, which we shorten), prePlay
 * (only our own remuxer on loopback may pull a stream).
 */

import { createRequire } from 'node:module';
import net from 'node:net';
import { IfecError } from '@ifec/protocol';
import type { Logger } from 'pino';

const require = createRequire(import.meta.url);

interface NmsSession {
  id: string;
  ip: string;
  streamApp: string;
  streamName: string;
  streamPath: string;
  streamQuery?: Record<string, string | string[] | undefined>;
  broadcast: { publishGraceMs: number };
  run(): void;
  close(): void;
}
interface NmsContext {
  config: Record<string, unknown>;
  sessions: Map<string, NmsSession>;
  eventEmitter: import('node:events').EventEmitter;
}
interface NmsLogger {
  level: string;
  log(message: string, level?: string): void;
}

const Context = require('node-media-server/src/core/context.js') as NmsContext;
const nmsLogger = require('node-media-server/src/core/logger.js') as NmsLogger;
const RtmpSession = require('node-media-server/src/session/rtmp_session.js') as new (socket: net.Socket) => NmsSession;

/** The RTMP application publishers push to: rtmp://<appliance>:<port>/live/<channel>?key=<stream key> */
export const RTMP_APP = 'live';

export class RtmpIngestError extends IfecError<'RTMP_LISTEN_FAILED' | 'RTMP_ALREADY_RUNNING'> {}

export interface RtmpIngestOptions {
  port: number;
  host: string;
  /** Checks a publisher's stream key for a channel; false refuses the publish. */
  authorize(channel: string, key: string | undefined): boolean;
  onPublish(channel: string): void;
  onUnpublish(channel: string): void;
  /** How long a dropped publisher may reconnect before the stream counts as ended. */
  reconnectGraceMs: number;
  log: Logger;
}

let running = false;

export class RtmpIngest {
  private readonly refused = new WeakSet<NmsSession>();
  private readonly handlers: Array<[string, (session: NmsSession) => void]>;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly options: RtmpIngestOptions,
    private readonly sockets: Set<net.Socket>,
  ) {
    this.handlers = [
      ['prePublish', (s) => this.prePublish(s)],
      ['postPublish', (s) => !this.refused.has(s) && s.streamApp === RTMP_APP && options.onPublish(s.streamName)],
      ['donePublish', (s) => !this.refused.has(s) && s.streamApp === RTMP_APP && options.onUnpublish(s.streamName)],
      ['prePlay', (s) => this.prePlay(s)],
    ];
    for (const [event, handler] of this.handlers) Context.eventEmitter.on(event, handler);
  }

  static async start(options: RtmpIngestOptions): Promise<RtmpIngest> {
    if (running)
      throw new RtmpIngestError(
        'RTMP_ALREADY_RUNNING',
        'an RTMP ingest is already running in this process (node-media-server keeps its state per process)',
      );
    running = true;
    Context.config = { rtmp: { port: options.port }, auth: { play: false, publish: false } };
    // The library logs with console.log; send what matters to our logger instead.
    nmsLogger.level = 'info';
    nmsLogger.log = (message, level = 'info') => {
      if (level === 'error' || level === 'warn') options.log.warn({ nms: message }, 'rtmp ingest');
      else options.log.debug({ nms: message }, 'rtmp ingest');
    };
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      const session = new RtmpSession(socket);
      session.run();
      Context.sessions.set(session.id, session);
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => resolve((server.address() as net.AddressInfo).port));
      });
      return new RtmpIngest(server, port, options, sockets);
    } catch (error) {
      running = false;
      throw new RtmpIngestError(
        'RTMP_LISTEN_FAILED',
        `RTMP ingest could not listen on ${options.host}:${options.port}: ${(error as Error).message}`,
      );
    }
  }

  private prePublish(session: NmsSession): void {
    const key = session.streamQuery?.key;
    const ok =
      session.streamApp === RTMP_APP &&
      this.options.authorize(session.streamName, typeof key === 'string' ? key : undefined);
    if (!ok) {
      this.refused.add(session);
      this.options.log.warn(
        { stream: session.streamPath, from: session.ip },
        'RTMP publish refused: unknown channel or wrong stream key',
      );
      session.close();
      return;
    }
    session.broadcast.publishGraceMs = this.options.reconnectGraceMs;
  }

  private prePlay(session: NmsSession): void {
    // Seats watch HLS from the origin; only the remuxer on this machine pulls RTMP.
    const ip = session.ip.replace(/^::ffff:/, '');
    if (!(ip.startsWith('127.') || ip.startsWith('::1'))) {
      this.refused.add(session);
      session.close();
    }
  }

  async stop(): Promise<void> {
    for (const [event, handler] of this.handlers) Context.eventEmitter.off(event, handler);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    running = false;
  }
}
