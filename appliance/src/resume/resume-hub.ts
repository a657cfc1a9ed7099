/**
 * The appliance's side of the playback-state documents: one Y.Doc per live passenger session,
 * in memory while the session lives, persisted through ResumeStore. Devices talk y-protocols
 * sync over the cabin bus (frames in protocol/src/resume-client.ts): the hub answers step 1
 * with step 2 plus its own step 1 on the device's `down` topic, applies step 2 and updates,
 * persists what was new before the QoS 1 acknowledgement, and relays it on `updates`.
 */

import { deviceTag, phoneDevice, resumeTopics, SEAT_DEVICE } from '@ifec/protocol';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from 'pino';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { Principal } from '../access/principal.ts';
import { PayloadRejected, type TopicRouter } from '../bus/topic-router.ts';
import type { ResumeStore } from './resume-store.ts';

export type Publish = (topic: string, payload: Buffer, options?: { qos?: 0 | 1 }) => Promise<void>;

export interface ResumeHubDeps {
  store: ResumeStore;
  /** The live session of a seat (sessions/passenger-sessions.ts). */
  sessionOf: (seatId: string) => string | undefined;
  publish: Publish;
  log: Logger;
  /** The trusted clock devices stamp their entries with. */
  now?: () => number;
  /** Rows after which a session's updates are merged into one. */
  compactAfter?: number;
}

interface SessionDoc {
  doc: Y.Doc;
  rows: number;
  compacting: boolean;
}

export class ResumeHub {
  private readonly docs = new Map<string, Promise<SessionDoc>>();
  private readonly now: () => number;
  private readonly compactAfter: number;

  constructor(private readonly deps: ResumeHubDeps) {
    this.now = deps.now ?? Date.now;
    this.compactAfter = deps.compactAfter ?? 200;
  }

  register(router: TopicRouter): void {
    router.on(resumeTopics.upPattern, (from, topic, payload) => this.onUp(from, topic, payload));
  }

  get openDocuments(): number {
    return this.docs.size;
  }

  /** The session's document (loaded from the store on first use). */
  async document(sessionId: string): Promise<Y.Doc> {
    return (await this.open(sessionId)).doc;
  }

  /** Forgets sessions that ended (their rows are deleted by the caller's transaction). */
  forget(sessionIds: Iterable<string>): void {
    for (const id of sessionIds) {
      void this.docs.get(id)?.then(
        (s) => s.doc.destroy(),
        () => undefined,
      );
      this.docs.delete(id);
    }
  }

  private open(sessionId: string): Promise<SessionDoc> {
    let entry = this.docs.get(sessionId);
    if (!entry) {
      entry = this.deps.store.load(sessionId).then(({ state, rows }) => {
        const doc = new Y.Doc({ gc: true });
        if (state) Y.applyUpdate(doc, state, 'store');
        return { doc, rows, compacting: false };
      });
      entry.catch(() => this.docs.delete(sessionId));
      this.docs.set(sessionId, entry);
    }
    return entry;
  }

  private async onUp(from: Principal, topic: string, payload: Buffer): Promise<'consumed'> {
    // seat/<S>/resume/<session>/up/<device>
    const [, seatId, , sessionId, , device] = topic.split('/') as [string, string, string, string, string, string];
    if (!deviceTag.safeParse(device).success) throw new PayloadRejected(`${topic}: unknown device tag`);
    const speaksFor =
      from.role === 'seat' ? SEAT_DEVICE : from.role === 'phone' ? phoneDevice(from.deviceId) : undefined;
    if (device !== speaksFor)
      throw new PayloadRejected(`${topic}: a device writes only under its own tag (${speaksFor ?? from.role})`);
    if (this.deps.sessionOf(seatId) !== sessionId)
      throw new PayloadRejected(`${topic}: session ${sessionId} is not the live session of seat ${seatId}`);

    const session = await this.open(sessionId);
    const message = readUpMessage(payload);
    if (!message) throw new PayloadRejected(`${topic}: not a y-protocols sync message`);
    if (message.kind === syncProtocol.messageYjsSyncStep1) {
      // Step 2 (what the device lacks), then our step 1 so the device sends what we lack.
      const reply = encoding.createEncoder();
      encoding.writeFloat64(reply, this.now());
      syncProtocol.writeSyncStep2(reply, session.doc, message.data);
      syncProtocol.writeSyncStep1(reply, session.doc);
      await this.deps.publish(resumeTopics.down(seatId, sessionId, device), Buffer.from(encoding.toUint8Array(reply)), {
        qos: 0,
      });
      return 'consumed';
    }
    const applied: Uint8Array[] = [];
    const capture = (update: Uint8Array) => applied.push(update);
    session.doc.on('update', capture);
    try {
      Y.applyUpdate(session.doc, message.data, device);
    } catch (error) {
      throw new PayloadRejected(`${topic}: update not applicable (${(error as Error).message})`);
    } finally {
      session.doc.off('update', capture);
    }
    if (applied.length === 0) return 'consumed';

    const update = applied.length === 1 ? applied[0]! : Y.mergeUpdates(applied);
    // Relay first (the paired device sees it at once), persist before the device's PUBACK.
    const relay = encoding.createEncoder();
    encoding.writeVarString(relay, device);
    syncProtocol.writeUpdate(relay, update);
    const relayed = this.deps.publish(
      resumeTopics.updates(seatId, sessionId),
      Buffer.from(encoding.toUint8Array(relay)),
      { qos: 0 },
    );
    await this.deps.store.append(sessionId, update);
    await relayed;
    session.rows += 1;
    if (session.rows >= this.compactAfter && !session.compacting) this.compact(sessionId, session);
    return 'consumed';
  }

  private compact(sessionId: string, session: SessionDoc): void {
    session.compacting = true;
    this.deps.store
      .compact(sessionId, () => Y.encodeStateAsUpdate(session.doc))
      .then(
        () => {
          session.rows = 1;
        },
        (error: unknown) => this.deps.log.error({ err: error, sessionId }, 'resume compaction failed'),
      )
      .finally(() => {
        session.compacting = false;
      });
  }
}

/** Parses and checks one up frame before anything touches the document (Yjs logs and swallows bad updates). */
function readUpMessage(payload: Uint8Array): { kind: number; data: Uint8Array } | undefined {
  try {
    const decoder = decoding.createDecoder(payload);
    const kind = decoding.readVarUint(decoder);
    const data = decoding.readVarUint8Array(decoder);
    if (decoding.hasContent(decoder)) return undefined;
    if (kind === syncProtocol.messageYjsSyncStep1) Y.decodeStateVector(data);
    else if (kind === syncProtocol.messageYjsSyncStep2 || kind === syncProtocol.messageYjsUpdate) Y.decodeUpdate(data);
    else return undefined;
    return { kind, data };
  } catch {
    return undefined;
  }
}
