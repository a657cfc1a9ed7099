/**
 * The device's copy of its passenger session's playback-state document (Yjs, layout and merge
 * rule in protocol/src/resume.ts), kept in localStorage so it survives a reload with the bus
 * down, and synchronised over the cabin bus connection the app already has. Loaded lazily:
 * Yjs is not part of the first screen.
 */

import { ResumeAccessDenied, ResumeClient, type ResumeTransport } from '@ifec/protocol/resume-client';
import { positionsOf } from '@ifec/protocol/resume-doc';
import { type PositionEntry, RESUME_MAPS, splitEntryKey } from '@ifec/protocol/resume-layout';
import * as Y from 'yjs';
import { type MqttSocket, SubscriptionRefused } from '../cabin/mqtt-socket.ts';
import { STORAGE_KEY } from './resume-link.ts';

const SAVE_AFTER_MS = 300;

interface Saved {
  /** null: written before this device knew its session (adopted by the first one it learns). */
  sessionId: string | null;
  update: string;
}

export interface ContinueEntry {
  titleId: string;
  positionS: number;
  durationS?: number;
  at: number;
}

/** The cabin bus as ResumeClient's transport: QoS 1 publishes, subscriptions checked by the ACL. */
export function busTransport(
  bus: MqttSocket,
  listen: (fn: (topic: string, payload: Uint8Array) => void) => () => void,
): ResumeTransport {
  return {
    publish: (topic, payload) => bus.publishAcked(topic, payload),
    async subscribe(topic, onMessage) {
      const stop = listen((t, payload) => {
        if (t === topic) onMessage(payload);
      });
      try {
        await bus.subscribe(topic);
      } catch (error) {
        stop();
        throw error instanceof SubscriptionRefused ? new ResumeAccessDenied(error.message) : error;
      }
      return () => {
        stop();
        bus.unsubscribe(topic);
      };
    },
  };
}

export class ResumeDocument {
  readonly client: ResumeClient;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly storage: Storage,
    public sessionId: string | null,
    seatId: string,
    device: string,
    doc: Y.Doc,
  ) {
    this.client = new ResumeClient({ seatId, sessionId: sessionId ?? 'none', device, doc });
    doc.on('update', () => {
      clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => this.save(), SAVE_AFTER_MS);
    });
  }

  /** The document this device kept; a different session than `sessionId` is wiped first. */
  static open(storage: Storage, o: { seatId: string; device: string; sessionId: string | null }): ResumeDocument {
    const doc = new Y.Doc();
    let sessionId = o.sessionId;
    try {
      const saved = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as Saved | null;
      if (saved && (o.sessionId === null || saved.sessionId === null || saved.sessionId === o.sessionId)) {
        Y.applyUpdate(
          doc,
          Uint8Array.from(atob(saved.update), (c) => c.charCodeAt(0)),
        );
        sessionId ??= saved.sessionId;
      }
    } catch {
      // A damaged copy is dropped: the appliance holds the merged document.
    }
    return new ResumeDocument(storage, sessionId, o.seatId, o.device, doc);
  }

  save(): void {
    clearTimeout(this.saveTimer);
    const update = Y.encodeStateAsUpdate(this.client.doc);
    let binary = '';
    for (const byte of update) binary += String.fromCharCode(byte);
    this.storage.setItem(
      STORAGE_KEY,
      JSON.stringify({ sessionId: this.sessionId, update: btoa(binary) } satisfies Saved),
    );
  }

  /** Where to resume the title: the newest entry of any device (the merge rule). */
  positionOf(titleId: string): (PositionEntry & { device: string }) | undefined {
    return this.client.resumePoint(titleId);
  }

  /** Every title with a resume point, newest first. */
  continuing(): ContinueEntry[] {
    const titles = new Set<string>();
    this.client.doc.getMap(RESUME_MAPS.positions).forEach((_v, key) => {
      const parts = splitEntryKey(key);
      if (parts) titles.add(parts.subject);
    });
    return [...titles]
      .map((titleId) => ({ titleId, ...this.client.resumePoint(titleId)! }))
      .sort((a, b) => b.at - a.at);
  }

  positionsOf(titleId: string): Record<string, PositionEntry> {
    return positionsOf(this.client.doc, titleId);
  }

  onChange(fn: () => void): void {
    this.client.doc.on('update', fn);
  }

  destroy(): void {
    clearTimeout(this.saveTimer);
    this.client.disconnect();
    this.client.doc.destroy();
  }

  static wipe(storage: Storage): void {
    storage.removeItem(STORAGE_KEY);
  }
}
