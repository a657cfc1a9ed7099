/**
 * Limits for listeners on the hostile cabin network (HTTP and MQTT, TCP and WebSocket):
 *
 * - ConnectionGuard: connections per address and in total; a socket that has not yet proven
 *   itself (no HTTP request, no MQTT CONNECT accepted) is "pending", pending sockets are bounded
 *   and time out quickly, and when the bound is reached the oldest pending one is dropped, so a
 *   flood of idle sockets can neither exhaust file handles nor keep a real seat out.
 * - watchPacketSize: closes an MQTT connection as soon as a fixed header announces a packet
 *   larger than allowed, before the broker buffers its body.
 * - PrincipalConnections: connections per authenticated principal (oldest dropped past the cap).
 * - RetainedQuota: retained topics per principal.
 */
import type net from 'node:net';
import type { Readable } from 'node:stream';

export interface ConnectionLimits {
  perAddress: number;
  total: number;
  /** Connections not yet authenticated (or, for HTTP, with no request yet). */
  pending: number;
  pendingTimeoutMs: number;
}

export const HTTP_LIMITS: ConnectionLimits = { perAddress: 64, total: 8000, pending: 2000, pendingTimeoutMs: 10_000 };
export const MQTT_LIMITS: ConnectionLimits = { perAddress: 16, total: 4000, pending: 1000, pendingTimeoutMs: 10_000 };

/** Longest MQTT keepalive a client may ask for (s); 0 (never expires) is refused too. */
export const MQTT_KEEPALIVE_MAX_S = 600;

/**
 * aedes frees a delivery slot only once every subscriber of a message took it, and waits for a
 * full socket to drain: a client that stops reading for this long is dropped (it reconnects and
 * gets the retained state), or it would hold every slot and stall the PA for the whole cabin.
 */
export const MQTT_DRAIN_TIMEOUT_MS = 5000;
/** Messages in delivery at once: with the drain timeout, a frozen client stalls nobody below 200 messages/s. */
export const MQTT_DELIVERY_SLOTS = 1000;

/** MQTT connections one principal may hold: a seat and a phone need one or two, services many. */
export function principalCap(principalKey: string): number {
  if (principalKey.startsWith('service:')) return 256;
  if (principalKey.startsWith('crew:')) return 8;
  return 4;
}

/**
 * Guards an HTTP server: every socket is admitted by the guard, and settles (stops being
 * pending) with its first request or upgrade. Node's own headersTimeout then bounds a slow request.
 */
export function guardHttpServer(
  server: import('node:http').Server,
  limits: ConnectionLimits = HTTP_LIMITS,
): ConnectionGuard {
  const guard = new ConnectionGuard(limits);
  server.on('connection', (socket: net.Socket) => guard.admit(socket));
  server.on('request', (req: import('node:http').IncomingMessage) => guard.settle(req.socket));
  server.on('upgrade', (req: import('node:http').IncomingMessage) => guard.settle(req.socket));
  server.headersTimeout = limits.pendingTimeoutMs;
  return guard;
}

const LOCALHOST = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export interface GuardCounts {
  open: number;
  pending: number;
  refused: number;
  evicted: number;
}

export class ConnectionGuard {
  private readonly byAddress = new Map<string, number>();
  /** Insertion order is age order: the first entry is the oldest pending socket. */
  private readonly pendingSockets = new Map<net.Socket, NodeJS.Timeout>();
  private open = 0;
  readonly counts: GuardCounts = { open: 0, pending: 0, refused: 0, evicted: 0 };

  constructor(private readonly limits: ConnectionLimits) {}

  /** Call for every accepted socket; returns false (and destroys it) when it is refused. */
  admit(socket: net.Socket): boolean {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = this.byAddress.get(address) ?? 0;
    // The appliance's own host (its services, a test rig) is not a cabin device: no per-address
    // cap for it. Nobody on the cabin network can appear as 127.0.0.1 (the kernel drops such packets).
    const capped = !LOCALHOST.has(address) && fromAddress >= this.limits.perAddress;
    if (capped || this.open >= this.limits.total) {
      if (this.open >= this.limits.total && this.evictOldestPending()) return this.admit(socket);
      this.counts.refused++;
      socket.destroy();
      return false;
    }
    if (this.pendingSockets.size >= this.limits.pending) this.evictOldestPending();
    this.byAddress.set(address, fromAddress + 1);
    this.open++;
    const timer = setTimeout(() => {
      if (this.pendingSockets.delete(socket)) socket.destroy();
    }, this.limits.pendingTimeoutMs);
    timer.unref();
    this.pendingSockets.set(socket, timer);
    socket.once('close', () => {
      this.open--;
      const n = (this.byAddress.get(address) ?? 1) - 1;
      if (n > 0) this.byAddress.set(address, n);
      else this.byAddress.delete(address);
      this.settle(socket);
    });
    return true;
  }

  /** The socket proved itself (an HTTP request, an accepted MQTT CONNECT): no longer pending. */
  settle(socket: net.Socket): void {
    const timer = this.pendingSockets.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.pendingSockets.delete(socket);
  }

  snapshot(): GuardCounts {
    return { ...this.counts, open: this.open, pending: this.pendingSockets.size };
  }

  private evictOldestPending(): boolean {
    const oldest = this.pendingSockets.keys().next();
    if (oldest.done) return false;
    this.settle(oldest.value);
    this.counts.evicted++;
    oldest.value.destroy();
    return true;
  }
}

export class PacketRefusedError extends Error {
  constructor(
    readonly code: 'MQTT_PACKET_TOO_LARGE' | 'MQTT_MALFORMED',
    message: string,
  ) {
    super(message);
  }
}

const PUBLISH = 3;
const SUBSCRIBE = 8;
/** Enough of a PUBLISH body for its topic (at most 65,535 bytes) and packet id. */
const PUBLISH_HEAD_BYTES = 2 + 65_535 + 2;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A topic or filter as MQTT 3.1.1 requires: well-formed UTF-8 (1.5.3) with no U+0000. */
function validString(bytes: Buffer): boolean {
  try {
    return !utf8.decode(bytes).includes('\u0000');
  } catch {
    return false;
  }
}

/** MQTT 3.1.1 rules the parser (mqtt-packet) does not enforce; a reason or undefined. */
export function checkPacket(type: number, flags: number, body: Buffer): string | undefined {
  if (type === PUBLISH) {
    if (body.length < 2) return 'PUBLISH without a topic';
    const topicLength = body.readUInt16BE(0);
    if (body.length < 2 + topicLength) return 'PUBLISH topic runs past the packet';
    if (!validString(body.subarray(2, 2 + topicLength))) return 'PUBLISH topic is not valid UTF-8 or holds U+0000';
    const qos = (flags >> 1) & 3;
    if (qos > 0 && (body.length < 4 + topicLength || body.readUInt16BE(2 + topicLength) === 0))
      return `QoS ${qos} PUBLISH with packet id 0`;
    return undefined;
  }
  if (type === SUBSCRIBE) {
    let at = 2; // packet id
    while (at < body.length) {
      if (at + 2 > body.length) return 'SUBSCRIBE filter length runs past the packet';
      const n = body.readUInt16BE(at);
      if (at + 2 + n + 1 > body.length) return 'SUBSCRIBE filter runs past the packet';
      if (!validString(body.subarray(at + 2, at + 2 + n))) return 'SUBSCRIBE filter is not valid UTF-8 or holds U+0000';
      at += 2 + n + 1;
    }
  }
  return undefined;
}

/**
 * Reads MQTT packets' fixed headers as the bytes arrive (a 'data' listener added before the
 * broker's own reader sees each chunk first). Refuses, by calling `refuse` once, the moment a
 * Remaining Length above the maximum is announced (before the body is buffered), a length
 * field is malformed, or a PUBLISH/SUBSCRIBE breaks the rules of checkPacket.
 */
export function inspectPackets(stream: Readable, maxBytes: number, refuse: (error: PacketRefusedError) => void): void {
  let skip = 0; // body bytes of the current packet still to pass unread
  let state: 'type' | 'length' | 'body' = 'type';
  let type = 0;
  let flags = 0;
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let collect: Buffer[] = [];
  let collected = 0;
  let want = 0;
  let done = false;
  const fail = (error: PacketRefusedError) => {
    done = true;
    refuse(error);
  };
  stream.on('data', (chunk: Buffer) => {
    let i = 0;
    while (!done && i < chunk.length) {
      if (state === 'body') {
        const n = Math.min(want - collected, chunk.length - i);
        collect.push(chunk.subarray(i, i + n));
        collected += n;
        i += n;
        if (collected === want) {
          const reason = checkPacket(type, flags, Buffer.concat(collect));
          collect = [];
          if (reason) return fail(new PacketRefusedError('MQTT_MALFORMED', reason));
          skip = length - want;
          state = 'type';
        }
        continue;
      }
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++]!;
      if (state === 'type') {
        type = byte >> 4;
        flags = byte & 0x0f;
        state = 'length';
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
        continue;
      }
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      lengthBytes++;
      if (length > maxBytes || (lengthBytes === 4 && byte & 0x80))
        return fail(
          new PacketRefusedError('MQTT_PACKET_TOO_LARGE', `MQTT packet of ${length}+ bytes exceeds ${maxBytes}`),
        );
      if ((byte & 0x80) === 0) {
        if ((type === PUBLISH || type === SUBSCRIBE) && length > 0) {
          want = type === PUBLISH ? Math.min(length, PUBLISH_HEAD_BYTES) : length;
          collected = 0;
          state = 'body';
        } else {
          skip = length;
          state = 'type';
        }
      }
    }
  });
}

/** Connections per authenticated principal; past the cap the oldest is closed (a seat reconnecting after a flap wins). */
export class PrincipalConnections<C> {
  private readonly byPrincipal = new Map<string, C[]>();

  constructor(
    private readonly cap: (principalKey: string) => number,
    private readonly close: (connection: C) => void,
  ) {}

  add(principalKey: string, connection: C): void {
    const list = this.byPrincipal.get(principalKey) ?? [];
    list.push(connection);
    this.byPrincipal.set(principalKey, list);
    while (list.length > this.cap(principalKey)) this.close(list.shift()!);
  }

  remove(principalKey: string, connection: C): void {
    const list = this.byPrincipal.get(principalKey);
    if (!list) return;
    const i = list.indexOf(connection);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byPrincipal.delete(principalKey);
  }

  count(principalKey: string): number {
    return this.byPrincipal.get(principalKey)?.length ?? 0;
  }
}

/** Retained topics per principal: a new retained topic past the quota is refused; clearing one frees a place. */
export class RetainedQuota {
  private readonly held = new Map<string, Set<string>>();

  constructor(private readonly quota: number) {}

  /** False when this retained publish would exceed the principal's quota. */
  allow(principalKey: string, topic: string, payloadBytes: number): boolean {
    const topics = this.held.get(principalKey) ?? new Set<string>();
    if (payloadBytes === 0) {
      topics.delete(topic);
      if (topics.size === 0) this.held.delete(principalKey);
      return true;
    }
    if (!topics.has(topic) && topics.size >= this.quota) return false;
    topics.add(topic);
    this.held.set(principalKey, topics);
    return true;
  }
}
