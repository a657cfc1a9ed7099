/**
 * A minimal MQTT 3.1.1 client over WebSocket: CONNECT, SUBSCRIBE/UNSUBSCRIBE, PUBLISH (QoS 0
 * or 1 out, text or bytes; QoS 0/1 in), PING, automatic reconnect. The seat needs only this
 * much of the cabin bus, and it costs ~3 KB instead of a general-purpose client's ~80 KB.
 * Subscriptions made with subscribe() do not outlive a connection: their owner renews them
 * when onStatus reports the bus back (the resume document resynchronises at that moment anyway).
 */
export interface MqttOptions {
  url: string;
  clientId: string;
  username: string;
  password: string;
  subscriptions: string[];
  keepAliveS?: number;
  onMessage(topic: string, payload: Uint8Array, retained: boolean): void;
  onStatus?(connected: boolean): void;
  /**
   * A link that stays silent this long while the client waits (CONNACK, PUBACK, SUBACK,
   * PINGRESP) is dead: a cut cable or a blocked route closes nothing, so we drop it ourselves
   * and reconnect. Default 6 s.
   */
  silentLinkMs?: number;
  /** For tests and non-browser hosts. */
  createSocket?: (url: string) => WebSocket;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function str(s: string): number[] {
  const bytes = encoder.encode(s);
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

export function packet(header: number, body: number[] | Uint8Array): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const len = remainingLength(b.length);
  const out = new Uint8Array(1 + len.length + b.length);
  out[0] = header;
  out.set(len, 1);
  out.set(b, 1 + len.length);
  return out;
}

export function connectPacket(o: {
  clientId: string;
  username: string;
  password: string;
  keepAliveS: number;
}): Uint8Array {
  const flags = 0x80 | 0x40 | 0x02; // username, password, clean session
  return packet(0x10, [
    ...str('MQTT'),
    4,
    flags,
    o.keepAliveS >> 8,
    o.keepAliveS & 0xff,
    ...str(o.clientId),
    ...str(o.username),
    ...str(o.password),
  ]);
}

export function publishPacket(
  topic: string,
  payload: string | Uint8Array,
  retain = false,
  packetId?: number,
): Uint8Array {
  const head = [...str(topic), ...(packetId === undefined ? [] : [packetId >> 8, packetId & 0xff])];
  const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const body = new Uint8Array(head.length + bytes.length);
  body.set(head);
  body.set(bytes, head.length);
  return packet(0x30 | (packetId === undefined ? 0 : 0x02) | (retain ? 1 : 0), body);
}

export const text = (payload: Uint8Array): string => decoder.decode(payload);

/** The broker refused a subscription (SUBACK 0x80): the ACL does not let this client read it. */
export class SubscriptionRefused extends Error {
  readonly code = 'SUBSCRIPTION_REFUSED';
}

/** The connection dropped before the broker acknowledged. */
export class BusDisconnected extends Error {
  readonly code = 'BUS_DISCONNECTED';
}

interface Waiter {
  resolve(granted: number): void;
  reject(error: Error): void;
}

/** Splits a buffer into whole MQTT packets; returns the packets and the unconsumed rest. */
export function splitPackets(buf: Uint8Array): {
  packets: { type: number; flags: number; body: Uint8Array }[];
  rest: Uint8Array;
} {
  const packets: { type: number; flags: number; body: Uint8Array }[] = [];
  let i = 0;
  while (i < buf.length) {
    let mult = 1,
      len = 0,
      j = i + 1,
      byte: number;
    do {
      if (j >= buf.length) return { packets, rest: buf.slice(i) };
      byte = buf[j++]!;
      len += (byte & 0x7f) * mult;
      mult *= 128;
    } while (byte & 0x80);
    if (j + len > buf.length) return { packets, rest: buf.slice(i) };
    packets.push({ type: buf[i]! >> 4, flags: buf[i]! & 0x0f, body: buf.slice(j, j + len) });
    i = j + len;
  }
  return { packets, rest: new Uint8Array(0) };
}

export class MqttSocket {
  private ws: WebSocket | undefined;
  private buffer: Uint8Array = new Uint8Array(0);
  private nextId = 1;
  private ping: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private backoffMs = 500;
  private closed = false;
  /** PUBACKs and SUBACKs we wait for, by packet id. */
  private readonly waiting = new Map<number, Waiter>();
  /** When the client started waiting for an answer the broker has not sent yet (undefined: not waiting). */
  private awaitingSince: number | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  connected = false;

  constructor(private readonly o: MqttOptions) {}

  start(): void {
    this.closed = false;
    this.open();
  }

  /** QoS 0: false when the bus is down (nothing is queued). */
  publish(topic: string, payload: string | Uint8Array, retain = false): boolean {
    if (!this.connected || !this.ws) return false;
    this.ws.send(publishPacket(topic, payload, retain));
    return true;
  }

  /** QoS 1: resolves on the broker's PUBACK, rejects with BusDisconnected when the bus is or goes down. */
  publishAcked(topic: string, payload: string | Uint8Array, retain = false): Promise<void> {
    return this.request((id) => publishPacket(topic, payload, retain, id)).then(() => undefined);
  }

  /** Resolves when the broker granted the filter; rejects with SubscriptionRefused when its ACL did not. */
  async subscribe(filter: string): Promise<void> {
    const granted = await this.request((id) => packet(0x82, [id >> 8, id & 0xff, ...str(filter), 1]));
    if (granted === 0x80) throw new SubscriptionRefused(`the cabin bus refused ${filter}`);
  }

  unsubscribe(filter: string): void {
    if (!this.connected || !this.ws) return;
    const id = this.packetId();
    this.ws.send(packet(0xa2, [id >> 8, id & 0xff, ...str(filter)]));
  }

  private packetId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffff ? 1 : this.nextId + 1;
    return id;
  }

  private request(build: (id: number) => Uint8Array): Promise<number> {
    if (!this.connected || !this.ws) return Promise.reject(new BusDisconnected('the cabin bus is not connected'));
    const id = this.packetId();
    const ws = this.ws;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.awaitingSince ??= Date.now();
      ws.send(build(id));
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    clearInterval(this.watchdog);
    if (this.ws?.readyState === 1 /* OPEN; not WebSocket.OPEN: hosts without a global WebSocket pass createSocket */)
      this.ws.send(packet(0xe0, []));
    this.ws?.close();
    this.setConnected(false);
  }

  private open(): void {
    let ws: WebSocket;
    try {
      ws = this.o.createSocket ? this.o.createSocket(this.o.url) : new WebSocket(this.o.url, ['mqtt']);
    } catch {
      return this.scheduleReconnect();
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.buffer = new Uint8Array(0);
    this.awaitingSince = Date.now(); // the CONNACK
    clearInterval(this.watchdog);
    const silentMs = this.o.silentLinkMs ?? 6000;
    this.watchdog = setInterval(
      () => {
        if (this.ws === ws && this.awaitingSince !== undefined && Date.now() - this.awaitingSince > silentMs)
          this.drop(ws);
      },
      Math.min(1000, silentMs / 2),
    );
    ws.onopen = () => ws.send(connectPacket({ ...this.o, keepAliveS: this.o.keepAliveS ?? 20 }));
    ws.onmessage = (event) => this.receive(new Uint8Array(event.data as ArrayBuffer));
    ws.onclose = () => {
      clearInterval(this.ping);
      this.setConnected(false);
      if (!this.closed) this.scheduleReconnect();
    };
    ws.onerror = () => ws.close();
  }

  /** Gives up on a silent link at once: its close handshake could hang as long as the link does. */
  private drop(ws: WebSocket): void {
    ws.onclose = null;
    ws.onmessage = null;
    ws.onerror = null;
    try {
      ws.close();
    } catch {
      /* already closing */
    }
    if (this.ws === ws) this.ws = undefined;
    clearInterval(this.ping);
    clearInterval(this.watchdog);
    this.awaitingSince = undefined;
    this.setConnected(false);
    if (!this.closed) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.open(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 5000);
  }

  private receive(chunk: Uint8Array): void {
    // Anything from the broker proves the link; a wait still open starts again from now.
    if (this.awaitingSince !== undefined) this.awaitingSince = this.waiting.size > 0 ? Date.now() : undefined;
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const { packets, rest } = splitPackets(joined);
    this.buffer = rest;
    for (const p of packets) this.handle(p);
  }

  private handle(p: { type: number; flags: number; body: Uint8Array }): void {
    switch (p.type) {
      case 2: {
        // CONNACK
        if (p.body[1] !== 0) {
          this.ws?.close();
          return;
        }
        this.backoffMs = 500;
        const keepAlive = (this.o.keepAliveS ?? 20) * 1000;
        this.ping = setInterval(() => {
          this.awaitingSince ??= Date.now(); // the PINGRESP
          this.ws?.send(packet(0xc0, []));
        }, keepAlive / 2);
        // A SUBSCRIBE without a filter is a protocol error the broker answers by hanging up.
        if (this.o.subscriptions.length > 0) {
          const id = this.packetId();
          const filters = this.o.subscriptions.flatMap((t) => [...str(t), 1]);
          this.ws?.send(packet(0x82, [id >> 8, id & 0xff, ...filters]));
        }
        this.setConnected(true);
        return;
      }
      case 3: {
        // PUBLISH
        const qos = (p.flags >> 1) & 3;
        const topicLen = (p.body[0]! << 8) | p.body[1]!;
        const topic = decoder.decode(p.body.subarray(2, 2 + topicLen));
        let at = 2 + topicLen;
        if (qos > 0) {
          const id = [p.body[at]!, p.body[at + 1]!];
          at += 2;
          this.ws?.send(packet(0x40, id)); // PUBACK
        }
        this.o.onMessage(topic, p.body.subarray(at), (p.flags & 1) === 1);
        return;
      }
      case 4: // PUBACK: packet id
      case 9: {
        // SUBACK: packet id, granted QoS (one filter per SUBSCRIBE we wait for)
        const id = (p.body[0]! << 8) | p.body[1]!;
        const waiter = this.waiting.get(id);
        this.waiting.delete(id);
        if (this.waiting.size === 0) this.awaitingSince = undefined;
        waiter?.resolve(p.type === 9 ? p.body[2]! : 0);
        return;
      }
      default: // PINGRESP, UNSUBACK: nothing to do
    }
  }

  private setConnected(connected: boolean): void {
    if (!connected) {
      for (const waiter of this.waiting.values())
        waiter.reject(new BusDisconnected('the cabin bus connection dropped'));
      this.waiting.clear();
    }
    if (this.connected === connected) return;
    this.connected = connected;
    this.o.onStatus?.(connected);
  }
}
