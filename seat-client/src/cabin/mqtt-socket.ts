/**
 * A minimal MQTT 3.1.1 client over WebSocket: CONNECT, SUBSCRIBE, PUBLISH (QoS 0 out,
 * QoS 0/1 in), PING, automatic reconnect. The seat needs only this much of the cabin bus,
 * and it costs ~2 KB instead of a general-purpose client's ~80 KB.
 */
export interface MqttOptions {
  url: string;
  clientId: string;
  username: string;
  password: string;
  subscriptions: string[];
  keepAliveS?: number;
  onMessage(topic: string, payload: string, retained: boolean): void;
  onStatus?(connected: boolean): void;
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

export function connectPacket(o: { clientId: string; username: string; password: string; keepAliveS: number }): Uint8Array {
  const flags = 0x80 | 0x40 | 0x02; // username, password, clean session
  return packet(0x10, [...str('MQTT'), 4, flags, o.keepAliveS >> 8, o.keepAliveS & 0xff, ...str(o.clientId), ...str(o.username), ...str(o.password)]);
}

export function publishPacket(topic: string, payload: string, retain = false): Uint8Array {
  return packet(0x30 | (retain ? 1 : 0), [...str(topic), ...encoder.encode(payload)]);
}

/** Splits a buffer into whole MQTT packets; returns the packets and the unconsumed rest. */
export function splitPackets(buf: Uint8Array): { packets: { type: number; flags: number; body: Uint8Array }[]; rest: Uint8Array } {
  const packets: { type: number; flags: number; body: Uint8Array }[] = [];
  let i = 0;
  while (i < buf.length) {
    let mult = 1, len = 0, j = i + 1, byte: number;
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
  connected = false;

  constructor(private readonly o: MqttOptions) {}

  start(): void {
    this.closed = false;
    this.open();
  }

  publish(topic: string, payload: string, retain = false): boolean {
    if (!this.connected || !this.ws) return false;
    this.ws.send(publishPacket(topic, payload, retain));
    return true;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(packet(0xe0, []));
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
    ws.onopen = () => ws.send(connectPacket({ ...this.o, keepAliveS: this.o.keepAliveS ?? 20 }));
    ws.onmessage = (event) => this.receive(new Uint8Array(event.data as ArrayBuffer));
    ws.onclose = () => {
      clearInterval(this.ping);
      this.setConnected(false);
      if (!this.closed) this.scheduleReconnect();
    };
    ws.onerror = () => ws.close();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.open(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 5000);
  }

  private receive(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const { packets, rest } = splitPackets(joined);
    this.buffer = rest;
    for (const p of packets) this.handle(p);
  }

  private handle(p: { type: number; flags: number; body: Uint8Array }): void {
    switch (p.type) {
      case 2: { // CONNACK
        if (p.body[1] !== 0) {
          this.ws?.close();
          return;
        }
        this.backoffMs = 500;
        const keepAlive = (this.o.keepAliveS ?? 20) * 1000;
        this.ping = setInterval(() => this.ws?.send(packet(0xc0, [])), keepAlive / 2);
        const id = this.nextId++;
        const filters = this.o.subscriptions.flatMap((t) => [...str(t), 1]);
        this.ws?.send(packet(0x82, [id >> 8, id & 0xff, ...filters]));
        this.setConnected(true);
        return;
      }
      case 3: { // PUBLISH
        const qos = (p.flags >> 1) & 3;
        const topicLen = (p.body[0]! << 8) | p.body[1]!;
        const topic = decoder.decode(p.body.subarray(2, 2 + topicLen));
        let at = 2 + topicLen;
        if (qos > 0) {
          const id = [p.body[at]!, p.body[at + 1]!];
          at += 2;
          this.ws?.send(packet(0x40, id)); // PUBACK
        }
        this.o.onMessage(topic, decoder.decode(p.body.subarray(at)), (p.flags & 1) === 1);
        return;
      }
      default: // SUBACK, PINGRESP, PUBACK: nothing to do
    }
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.o.onStatus?.(connected);
  }
}
