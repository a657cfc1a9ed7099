/**
 * Passenger announcements. Starting one publishes the retained PA state on cabin/pa, which
 * every seat pauses on; stopping clears the retained message. Each change is journalled
 * (it is an audit record) before it is acknowledged, and re-published at start.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import { IfecError, type PaCommand, type PaState, topics } from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Sql } from '../store/store.ts';
import { findAnnouncement } from './announcements.ts';

export const CABIN_PA = 'cabin.pa';

export class PaCommandError extends IfecError<'UNKNOWN_ANNOUNCEMENT' | 'PA_TEXT_REQUIRED' | 'NO_ACTIVE_PA'> {}

interface PaRecord {
  actor: string;
  state: PaState | null;
}

type Publish = (topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }) => Promise<void>;

export class PaService {
  private current: PaState | null = null;

  constructor(
    private readonly records: DurableRecords,
    private readonly publish: Publish,
  ) {}

  /** Restores the last PA state from the store and re-publishes it (the broker keeps nothing). */
  async restore(db: Sql): Promise<void> {
    const { rows } = await db.query<{ value: PaState | null }>("SELECT value FROM cabin_state WHERE key = 'pa'");
    this.current = rows[0]?.value ?? null;
    if (this.current) await this.publish(topics.pa, JSON.stringify(this.current), { retain: true, qos: 1 });
  }

  get state(): PaState | null {
    return this.current;
  }

  async apply(actor: string, command: PaCommand): Promise<PaState | null> {
    if (command.action === 'stop') {
      if (!this.current) throw new PaCommandError('NO_ACTIVE_PA', 'no announcement is active');
      await this.records.write<PaRecord>(CABIN_PA, crypto.randomUUID(), { actor, state: null });
      this.current = null;
      // An empty retained payload clears the retained PA: seats resume, late joiners see nothing.
      await this.publish(topics.pa, '', { retain: true, qos: 1 });
      return null;
    }
    const announcement = command.announcementId ? findAnnouncement(command.announcementId) : undefined;
    if (command.announcementId && !announcement)
      throw new PaCommandError('UNKNOWN_ANNOUNCEMENT', `no announcement ${command.announcementId} in the library`);
    if (!announcement && !command.text)
      throw new PaCommandError('PA_TEXT_REQUIRED', 'give an announcementId from the library or a text');
    const state: PaState = {
      active: true,
      id: crypto.randomUUID(),
      startedAt: new Date().toISOString(),
      by: actor,
      ...(announcement ? { announcementId: announcement.id, texts: announcement.texts } : {}),
      ...(command.text ? { text: command.text } : {}),
    };
    // The seats pause as soon as the bus can tell them, not after the disk: the journal write
    // (fdatasync) runs alongside, and the crew's acknowledgement waits for both: a cut before the
    // record is on disk loses only a PA the crew was never told had started.
    this.current = state;
    await Promise.all([
      this.records.write<PaRecord>(CABIN_PA, state.id, { actor, state }),
      this.publish(topics.pa, JSON.stringify(state), { retain: true, qos: 1 }),
    ]);
    return state;
  }
}

/** Applier for journalled PA changes: the current state and an audit row. */
export async function applyPaRecord(tx: Transaction, record: JournalRecord): Promise<void> {
  const data = record.data as PaRecord;
  await tx.query(
    `INSERT INTO audit (id, seq, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
    [
      record.id,
      record.seq,
      record.at,
      data.actor,
      data.state ? 'pa.start' : 'pa.stop',
      JSON.stringify(data.state ?? {}),
    ],
  );
  // Replay runs in journal order, so the last record wins as it did live.
  await tx.query(
    `INSERT INTO cabin_state (key, value, updated_at) VALUES ('pa', $1, $2)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
    [JSON.stringify(data.state), record.at],
  );
}
