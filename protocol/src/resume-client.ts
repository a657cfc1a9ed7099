/**
 * A device's side of the playback-state document (seat unit or phone), framework-free: runs in
 * Node tests and in the browser. It speaks y-protocols sync over whatever carries bytes by topic
 * (the cabin bus over MQTT-WS: `mqttTransport`). Offline is normal: writes go to the local doc;
 * on connect, sync step 1 -> step 2 both ways brings the two sides level, then updates flow.
 *
 * Frames (topics in resume.ts):
 *   up      one y-protocols sync message (step 1, step 2 or update)
 *   down    float64 appliance clock (ms) + one or more sync messages (step 2 reply, the appliance's step 1)
 *   updates varString origin device + one sync update; a device skips its own (no echo)
 */

import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { IfecError } from './errors.ts';
import {
  episode,
  languages,
  lastTitle,
  resumePoint,
  writeEpisode,
  writeLanguages,
  writeLastTitle,
  writePosition,
} from './resume-doc.ts';
import { resumeTopics } from './resume-layout.ts';

export interface ResumeTransport {
  /** Resolves once the message is acknowledged (QoS 1) — persisted on the appliance. */
  publish(topic: string, payload: Uint8Array): Promise<void>;
  /** Resolves once subscribed; returns the unsubscribe function. */
  subscribe(topic: string, onMessage: (payload: Uint8Array) => void): Promise<() => void>;
}

/** The subset of an mqtt.js client this needs (Node `mqtt` and its browser build alike). */
export interface MqttLike {
  /** `never`: clients differ (Node's wants a Buffer); mqttTransport passes what the runtime has. */
  publish(topic: string, payload: never, opts: { qos: 0 | 1 }, cb: (err?: Error) => void): unknown;
  subscribe(topic: string, opts: { qos: 0 | 1 }, cb: (err: Error | null, granted?: { qos: number }[]) => void): unknown;
  unsubscribe(topic: string): unknown;
  on(event: 'message', fn: (topic: string, payload: Uint8Array) => void): unknown;
  off(event: 'message', fn: (topic: string, payload: Uint8Array) => void): unknown;
}

export class ResumeAccessDenied extends IfecError<'RESUME_ACCESS_DENIED'> {
  constructor(message: string) {
    super('RESUME_ACCESS_DENIED', message);
  }
}

export class ResumeSyncTimeout extends IfecError<'RESUME_SYNC_TIMEOUT'> {
  constructor(message: string) {
    super('RESUME_SYNC_TIMEOUT', message);
  }
}

export function mqttTransport(client: MqttLike): ResumeTransport {
  return {
    publish: (topic, payload) =>
      new Promise((resolve, reject) => {
        client.publish(topic, asBuffer(payload) as never, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
      }),
    subscribe: (topic, onMessage) =>
      new Promise((resolve, reject) => {
        const listener = (t: string, payload: Uint8Array) => {
          if (t === topic) onMessage(payload);
        };
        client.subscribe(topic, { qos: 1 }, (err, granted) => {
          // mqtt.js 5 reports a refused filter (SUBACK 0x80) as "Subscribe error: …"; older ones in `granted`.
          if (err)
            return reject(
              /Subscribe error/.test(err.message) ? new ResumeAccessDenied(`not allowed to read ${topic}`) : err,
            );
          if (granted?.some((g) => g.qos === 128))
            return reject(new ResumeAccessDenied(`not allowed to read ${topic}`));
          client.on('message', listener);
          resolve(() => {
            client.off('message', listener);
            client.unsubscribe(topic);
          });
        });
      }),
  };
}

/** mqtt.js in Node takes a Buffer (a Uint8Array view, no copy); browsers' builds bring their own. */
function asBuffer(bytes: Uint8Array): Uint8Array {
  const B = (globalThis as { Buffer?: { from(b: ArrayBufferLike, o: number, l: number): Uint8Array } }).Buffer;
  return B ? B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

export interface ResumeClientOptions {
  seatId: string;
  sessionId: string;
  /** `seat` or `phone-<device id>` (phoneDevice()). */
  device: string;
  /** The device's own clock; tests inject one. */
  now?: () => number;
  doc?: Y.Doc;
}

export class ResumeClient {
  readonly doc: Y.Doc;
  /** Appliance clock minus device clock, learnt from the appliance's answer at connect. */
  offsetMs = 0;
  private transport?: ResumeTransport;
  private unsubscribes: (() => void)[] = [];
  private synced = false;
  private readonly waiters: (() => void)[] = [];
  private readonly localNow: () => number;
  private readonly pending = new Set<Promise<void>>();

  constructor(readonly opts: ResumeClientOptions) {
    this.doc = opts.doc ?? new Y.Doc();
    this.localNow = opts.now ?? Date.now;
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      // Updates that came from the appliance are not sent back (no echo); offline ones wait for step 1/2.
      if (origin === this || !this.transport || !this.synced) return;
      const encoder = encoding.createEncoder();
      syncProtocol.writeUpdate(encoder, update);
      this.send(encoding.toUint8Array(encoder));
    });
  }

  get online(): boolean {
    return this.synced;
  }

  /** The appliance's clock as this device estimates it: what `at` stamps use. */
  now(): number {
    return Math.round(this.localNow() + this.offsetMs);
  }

  /**
   * Subscribes, sends step 1; resolves when the appliance's step 2 arrived (both sides level).
   * An answer that never comes (lost in a reconnect, a subscription the broker dropped) must
   * not leave the device waiting for ever: after `resyncMs` it subscribes and asks again, and
   * after `attempts` tries it gives up with ResumeSyncTimeout (the caller connects again later).
   */
  async connect(transport: ResumeTransport, { resyncMs = 3000, attempts = 5 } = {}): Promise<void> {
    const { seatId, sessionId, device } = this.opts;
    for (let attempt = 1; ; attempt++) {
      if (this.transport) this.disconnect();
      this.transport = transport;
      let sentAt = this.localNow();
      this.unsubscribes.push(
        await transport.subscribe(resumeTopics.down(seatId, sessionId, device), (p) => this.onDown(p, sentAt)),
      );
      this.unsubscribes.push(
        await transport.subscribe(resumeTopics.updates(seatId, sessionId), (p) => this.onBroadcast(p)),
      );
      const encoder = encoding.createEncoder();
      syncProtocol.writeSyncStep1(encoder, this.doc);
      sentAt = this.localNow();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const synced = new Promise<boolean>((resolve) => {
        this.waiters.push(() => resolve(true));
        timer = setTimeout(() => resolve(false), resyncMs);
      });
      await transport.publish(resumeTopics.up(seatId, sessionId, device), encoding.toUint8Array(encoder));
      const answered = await synced;
      clearTimeout(timer);
      if (answered) return;
      if (this.transport !== transport) throw new ResumeSyncTimeout('disconnected while synchronising');
      if (attempt >= attempts) {
        this.disconnect();
        throw new ResumeSyncTimeout(`the appliance did not answer ${attempts} sync requests`);
      }
    }
  }

  /** Goes offline: local writes continue and are merged at the next connect. */
  disconnect(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.transport = undefined;
    this.synced = false;
  }

  /** Resolves when every update sent so far was acknowledged by the appliance. */
  async flushed(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  setPosition(titleId: string, positionS: number, durationS?: number): void {
    const at = this.now();
    this.doc.transact(() => {
      writePosition(
        this.doc,
        this.opts.device,
        titleId,
        durationS === undefined ? { positionS, at } : { positionS, at, durationS },
      );
      writeLastTitle(this.doc, this.opts.device, { titleId, at });
    });
  }

  setLanguages(audio: string | null, subtitles: string | null): void {
    writeLanguages(this.doc, this.opts.device, { audio, subtitles, at: this.now() });
  }

  setEpisode(seriesId: string, episodeId: string): void {
    writeEpisode(this.doc, this.opts.device, seriesId, { episodeId, at: this.now() });
  }

  resumePoint(titleId: string) {
    return resumePoint(this.doc, titleId);
  }
  lastTitle() {
    return lastTitle(this.doc);
  }
  languages() {
    return languages(this.doc);
  }
  episode(seriesId: string) {
    return episode(this.doc, seriesId);
  }

  private send(payload: Uint8Array): void {
    const transport = this.transport;
    if (!transport) return;
    const sent = transport
      .publish(resumeTopics.up(this.opts.seatId, this.opts.sessionId, this.opts.device), payload)
      .catch(() => undefined) // a lost connection: the next connect's step 1/2 resends whatever is missing
      .finally(() => this.pending.delete(sent));
    this.pending.add(sent);
  }

  private onDown(payload: Uint8Array, sentAt: number): void {
    const receivedAt = this.localNow();
    let decoder: decoding.Decoder;
    try {
      decoder = decoding.createDecoder(payload);
      const applianceNow = decoding.readFloat64(decoder);
      if (!this.synced) this.offsetMs = applianceNow - (sentAt + receivedAt) / 2;
      while (decoding.hasContent(decoder)) {
        const reply = encoding.createEncoder();
        const kind = syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
        if (encoding.length(reply) > 0) this.send(encoding.toUint8Array(reply));
        if (kind === syncProtocol.messageYjsSyncStep2 && !this.synced) {
          this.synced = true;
          for (const resolve of this.waiters.splice(0)) resolve();
        }
      }
    } catch {
      // A frame we cannot read is dropped; the next connect resynchronises.
    }
  }

  private onBroadcast(payload: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(payload);
      if (decoding.readVarString(decoder) === this.opts.device) return; // our own update, relayed
      syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), this.doc, this);
    } catch {
      // as above
    }
  }
}
