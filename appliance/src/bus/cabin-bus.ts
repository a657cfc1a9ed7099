/**
 * The cabin bus: aedes behind one adapter. MQTT over TCP for seat agents and crew handhelds,
 * over WebSocket (/mqtt on the HTTP port) for browsers. Broker persistence stays in memory;
 * the appliance re-publishes its retained state (PA, flight, policy) from the store at start.
 */

import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { MAX_CONSUMED_PAYLOAD_BYTES, MAX_MQTT_PACKET_BYTES, MAX_RETAINED_TOPICS_PER_CLIENT } from '@ifec/protocol';
import {
  Aedes,
  type AuthenticateError,
  type Client,
  type ConnectPacket,
  type PublishPacket,
  type Subscription,
} from 'aedes';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { describePrincipal, type Principal } from '../access/principal.ts';
import type { ApplianceMetrics } from '../metrics.ts';
import { mayPublish, maySubscribe, type PairedSeatLookup } from './acl.ts';
import {
  ConnectionGuard,
  inspectPackets,
  MQTT_DELIVERY_SLOTS,
  MQTT_DRAIN_TIMEOUT_MS,
  MQTT_KEEPALIVE_MAX_S,
  MQTT_LIMITS,
  type PacketRefusedError,
  PrincipalConnections,
  principalCap,
  RetainedQuota,
} from './limits.ts';
import { PayloadRejected, type TopicRouter } from './topic-router.ts';

/** `source` is the peer's address: crew PIN guesses are limited per address (access/login-guard.ts). */
export type Authenticator = (username: string, password: string, source: string) => Promise<Principal | undefined>;

export interface CabinBusDeps {
  authenticate: Authenticator;
  router: TopicRouter;
  metrics: ApplianceMetrics;
  log: Logger;
  /** Which seat a phone is paired with (sessions/pairing.ts); phones reach no seat without it. */
  pairedSeat?: PairedSeatLookup;
}

/** Packets the appliance swallowed or refused move here: `$` topics reach no wildcard subscriber. */
const SWALLOWED_PREFIX = '$ifec/swallowed/';

export class CabinBus {
  private readonly principals = new WeakMap<Client, Principal>();
  /** Clients whose CONNECT asked for a persistent session with no ClientId (refused at authenticate). */
  private readonly identifierRejected = new WeakSet<Client>();
  private tcpServer?: net.Server;
  // ws buffers a whole frame before handing it on: bound it to the largest MQTT packet.
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MQTT_PACKET_BYTES + 8 });
  /** Hostile cabin limits (bus/limits.ts): sockets per address and pending, per principal, retained topics. */
  readonly tcpGuard = new ConnectionGuard(MQTT_LIMITS);
  private readonly perPrincipal = new PrincipalConnections<Client>(principalCap, (client) => client.close());
  private readonly retained = new RetainedQuota(MAX_RETAINED_TOPICS_PER_CLIENT);
  /** Every TCP connection: close() ends them, or the listener would wait for clients that reconnect for ever. */
  private readonly sockets = new Set<net.Socket>();
  private closing = false;

  private constructor(
    readonly broker: Aedes,
    private readonly deps: CabinBusDeps,
  ) {}

  static async create(deps: CabinBusDeps): Promise<CabinBus> {
    let bus!: CabinBus;
    const broker = await Aedes.createBroker({
      maxClientsIdLength: 64,
      preConnect: (client, packet, done) => bus.onPreConnect(client, packet, done),
      // An unauthenticated socket has 10 s to send CONNECT; keepalive 0 (never expires) or above the ceiling is refused (CONNACK 6).
      connectTimeout: 10_000,
      keepaliveLimit: MQTT_KEEPALIVE_MAX_S,
      drainTimeout: MQTT_DRAIN_TIMEOUT_MS,
      concurrency: MQTT_DELIVERY_SLOTS,
      authenticate: (client, username, password, done) => bus.onAuthenticate(client, username, password, done),
      authorizeSubscribe: (client, sub, done) => bus.onSubscribe(client, sub, done),
      authorizePublish: (client, packet, done) => bus.onPublish(client, packet, done),
      authorizeForward: (_client, packet) => {
        deps.metrics.mqttMessagesOut.inc();
        return packet;
      },
    });
    numberAtEmit(broker);
    bus = new CabinBus(broker, deps);
    broker.on('clientDisconnect', (client) => {
      const p = bus.principals.get(client);
      if (p) {
        deps.metrics.mqttClients.dec({ role: p.role });
        bus.perPrincipal.remove(describePrincipal(p), client);
      }
    });
    broker.on('clientError', (client, error) =>
      deps.log.debug({ client: client.id, err: error.message }, 'mqtt client error'),
    );
    broker.on('connectionError', (_client, error) => deps.log.debug({ err: error.message }, 'mqtt connection error'));
    return bus;
  }

  principalOf(client: Client): Principal | undefined {
    return this.principals.get(client);
  }

  /** Publishes as the appliance itself (ACL does not apply to the broker's own packets). */
  publish(topic: string, payload: string | Buffer, options: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.broker.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos: options.qos ?? 1,
          retain: options.retain ?? false,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }

  listenTcp(port: number, host: string): Promise<number> {
    const server = net.createServer((socket) => {
      if (this.closing) return void socket.destroy();
      if (!this.tcpGuard.admit(socket)) return;
      inspectPackets(socket, MAX_MQTT_PACKET_BYTES, (error) => this.refusePacket(socket, error));
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      this.broker.handle(socket);
    });
    this.tcpServer = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
    });
  }

  /** Takes WebSocket upgrades for /mqtt on the HTTP server. */
  attachWebSocket(server: http.Server, path = '/mqtt'): void {
    server.on('upgrade', (request, socket: Duplex, head) => {
      if (this.closing || new URL(request.url ?? '/', 'http://x').pathname !== path) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        const stream = createWebSocketStream(ws);
        stream.on('error', () => ws.terminate());
        inspectPackets(stream, MAX_MQTT_PACKET_BYTES, (error) => this.refusePacket(stream, error));
        this.broker.handle(stream as never, request);
      });
    });
  }

  get connectedClients(): number {
    return this.broker.connectedClients;
  }

  /**
   * Stops within a bounded time whatever clients do: no new connections (a seat that
   * reconnects at once is refused), every client disconnected, then the broker closed.
   */
  async close(timeoutMs = 3000): Promise<void> {
    this.closing = true;
    const listening = new Promise<void>((resolve) =>
      this.tcpServer ? this.tcpServer.close(() => resolve()) : resolve(),
    );
    for (const ws of this.wss.clients) ws.terminate();
    const closed = new Promise<void>((resolve) => this.broker.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all([closed, listening]), deadline]);
    for (const socket of this.sockets) socket.destroy();
  }

  /**
   * MQTT-3.1.3-8: an empty ClientId with CleanSession=0 gets CONNACK 0x02 (aedes 1.2 accepts it
   * and invents an id, so the session could never be resumed). preConnect has no way to send a
   * return code; authenticate does, and runs first of the connect steps, so the client is marked
   * here and refused there.
   */
  private onPreConnect(client: Client, packet: ConnectPacket, done: (err: Error | null, ok: boolean) => void): void {
    if (!packet.clean && (packet.clientId ?? '') === '') this.identifierRejected.add(client);
    done(null, true);
  }

  private onAuthenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (err: AuthenticateError | null, ok: boolean) => void,
  ): void {
    if (this.identifierRejected.has(client)) {
      this.deps.metrics.aclDenials.inc({ action: 'connect', role: roleOf(username) });
      this.deps.log.warn({ username }, 'mqtt connect refused: an empty ClientId needs CleanSession=1 (MQTT-3.1.3-8)');
      const error = new Error('identifier rejected: an empty ClientId needs CleanSession=1');
      return done(Object.assign(error, { returnCode: 2 }) as AuthenticateError, false);
    }
    this.deps.authenticate(username ?? '', password?.toString('utf8') ?? '', peerAddress(client)).then(
      (principal) => {
        if (!principal) {
          this.deps.metrics.aclDenials.inc({ action: 'connect', role: roleOf(username) });
          // Counted, not logged one by one: a guessing burst would flood the log (see reportLoginFailures).
          this.deps.log.debug({ client: client.id, username }, 'mqtt login refused');
          return done(
            Object.assign(new Error('bad username or password'), { returnCode: 4 }) as AuthenticateError,
            false,
          );
        }
        this.principals.set(client, principal);
        this.deps.metrics.mqttClients.inc({ role: principal.role });
        this.tcpGuard.settle(client.conn as unknown as net.Socket);
        this.perPrincipal.add(describePrincipal(principal), client);
        done(null, true);
      },
      (error) => done(Object.assign(error as Error, { returnCode: 3 }) as AuthenticateError, false),
    );
  }

  private onSubscribe(
    client: Client,
    sub: Subscription,
    done: (err: Error | null, sub?: Subscription | null) => void,
  ): void {
    const principal = this.principals.get(client);
    if (principal && maySubscribe(principal, sub.topic, this.deps.pairedSeat)) return done(null, sub);
    this.deny('subscribe', principal, sub.topic);
    done(null, null); // SUBACK 0x80 for this filter; the connection stays up
  }

  private onPublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    const principal = client ? this.principals.get(client) : undefined;
    if (!principal || !mayPublish(principal, packet.topic, this.deps.pairedSeat)) {
      this.deny('publish', principal, packet.topic);
      return done(new Error(`not allowed to publish ${packet.topic}`)); // MQTT 3.1.1: the connection is closed
    }
    if (packet.retain && !this.retained.allow(describePrincipal(principal), packet.topic, packet.payload.length)) {
      this.deny('publish', principal, packet.topic);
      return done(
        new Error(`${describePrincipal(principal)} holds ${MAX_RETAINED_TOPICS_PER_CLIENT} retained topics already`),
      );
    }
    this.deps.metrics.mqttMessagesIn.inc();
    const route = this.deps.router.match(packet.topic);
    if (!route) return done(null);
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (payload.length > MAX_CONSUMED_PAYLOAD_BYTES) {
      this.reject(
        packet,
        route.pattern,
        principal,
        `payload of ${payload.length} bytes exceeds ${MAX_CONSUMED_PAYLOAD_BYTES}`,
      );
      return done(null);
    }
    // The handler may journal the message: QoS 1 PUBACK goes out only after it resolves.
    route.handler(principal, packet.topic, payload).then(
      (disposition) => {
        if (disposition === 'consumed') swallow(packet);
        done(null);
      },
      (error: Error) => {
        if (error instanceof PayloadRejected) {
          this.reject(packet, route.pattern, principal, error.message);
          return done(null);
        }
        this.deps.log.error({ err: error, topic: packet.topic }, 'topic handler failed');
        done(error); // not acknowledged: the client will send it again
      },
    );
  }

  /** MQTT 3.1.1 has no error reply to a bad packet: the connection is closed (counted, logged). */
  private refusePacket(stream: { destroy(): void }, error: PacketRefusedError): void {
    this.deps.metrics.rejectedPayloads.inc({
      topic: error.code === 'MQTT_PACKET_TOO_LARGE' ? 'oversized' : 'malformed',
    });
    this.deps.log.warn({ code: error.code, reason: error.message }, 'mqtt connection closed: packet refused');
    stream.destroy();
  }

  private reject(packet: PublishPacket, pattern: string, principal: Principal, reason: string): void {
    this.deps.metrics.rejectedPayloads.inc({ topic: pattern });
    this.deps.log.warn({ from: describePrincipal(principal), topic: packet.topic, reason }, 'payload refused');
    swallow(packet);
  }

  private deny(action: 'subscribe' | 'publish', principal: Principal | undefined, topic: string): void {
    this.deps.metrics.aclDenials.inc({ action, role: principal?.role ?? 'unknown' });
    this.deps.log.warn(
      { action, who: principal ? describePrincipal(principal) : 'unauthenticated', topic },
      'mqtt acl denied',
    );
  }
}

function swallow(packet: PublishPacket): void {
  packet.topic = SWALLOWED_PREFIX + packet.topic;
  packet.retain = false;
}

/** The peer's address: the TCP socket's, or the HTTP upgrade request's for WebSocket clients. */
export function peerAddress(client: Client): string {
  const req = (client as unknown as { req?: http.IncomingMessage }).req;
  const conn = client.conn as unknown as { remoteAddress?: string };
  return req?.socket?.remoteAddress ?? conn.remoteAddress ?? 'unknown';
}

function roleOf(username: string | undefined): string {
  const role = username?.split(':')[0];
  return role && ['seat', 'crew', 'phone', 'service'].includes(role) ? role : 'unknown';
}

/**
 * aedes numbers a publish when it arrives (brokerCounter) but emits a QoS 1 one only after its
 * retained and offline-queue steps, so a QoS 0 publish right behind it is delivered first and the
 * subscriber's dedupe, which keeps only the highest number seen, then drops the QoS 1 one
 * (moscajs/aedes#994): a seat missed the policy that changed with a position. Numbered as they are
 * emitted, packets reach each client in that order and dedupe drops only true duplicates
 * (overlapping subscriptions).
 */
function numberAtEmit(broker: Aedes): void {
  // Neither field is in aedes's types: the emitter and the counter its packets are numbered from.
  const internals = broker as unknown as {
    mq: { emit(packet: { brokerCounter?: number }, done?: () => void): void };
    counter: number;
  };
  const mq = internals.mq;
  const emit = mq.emit.bind(mq);
  mq.emit = (packet, done) => {
    packet.brokerCounter = ++internals.counter;
    emit(packet, done);
  };
}
