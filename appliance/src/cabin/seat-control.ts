/**
 * Crew control of single seats: lock/unlock the screen, a crew-set parental lock, reset,
 * acknowledge a call light. Lock and parental lock are kept in cabin_state and retained on
 * seat/<id>/state (re-published at start: the broker keeps nothing); reset and ack-call are
 * one-shot messages on seat/<id>/command.
 */

import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import { parseBody } from '@ifec/http-kit';
import {
  IfecError,
  paths,
  type SeatCommand,
  type SeatCommandMessage,
  type SeatControls,
  seatCommand,
  topics,
} from '@ifec/protocol';
import { Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import { describePrincipal } from '../access/principal.ts';
import { crewOf, requireCrew } from '../http/crew-auth.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Sql } from '../store/store.ts';

type Publish = (topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }) => Promise<void>;
const STATE_KEY = 'seat-controls';
/** A crew member was told a seat is locked / parental-locked: journalled before the answer, so a power cut keeps it. */
export const SEAT_CONTROLS_SET = 'cabin.seat-controls';

interface SeatControlsRecord {
  seatId: string;
  controls: SeatControls;
}

/** Applier: one seat's entry in the cabin_state document (replay in journal order: the last wins). */
export async function applySeatControls(tx: Transaction, record: JournalRecord): Promise<void> {
  const { seatId, controls } = record.data as SeatControlsRecord;
  await tx.query(
    `INSERT INTO cabin_state (key, value, updated_at) VALUES ($1, jsonb_build_object($2::text, $3::jsonb), now())
     ON CONFLICT (key) DO UPDATE SET value = cabin_state.value || EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
    [STATE_KEY, seatId, JSON.stringify(controls)],
  );
}

export class SeatControl {
  private controls = new Map<string, SeatControls>();

  constructor(
    private readonly seatIds: ReadonlySet<string>,
    private readonly db: Sql,
    private readonly publish: Publish,
    private readonly records: Pick<DurableRecords, 'write'>,
  ) {}

  async restore(): Promise<void> {
    const { rows } = await this.db.query<{ value: Record<string, SeatControls> }>(
      'SELECT value FROM cabin_state WHERE key = $1',
      [STATE_KEY],
    );
    this.controls = new Map(Object.entries(rows[0]?.value ?? {}));
    for (const [seatId, c] of this.controls)
      await this.publish(topics.seatState(seatId), JSON.stringify(c), { retain: true, qos: 1 });
  }

  all(): Record<string, SeatControls> {
    return Object.fromEntries(this.controls);
  }

  async apply(seatId: string, actor: string, command: SeatCommand): Promise<SeatControls | SeatCommandMessage> {
    if (!this.seatIds.has(seatId)) throw new IfecError('UNKNOWN_SEAT', `no seat ${seatId} on this aircraft`);
    const at = new Date().toISOString();
    if (command.action === 'reset' || command.action === 'ack-call') {
      const message: SeatCommandMessage = { action: command.action, at, by: actor };
      await this.publish(topics.seatCommand(seatId), JSON.stringify(message), { retain: false, qos: 1 });
      return message;
    }
    const before = this.controls.get(seatId) ?? { locked: false, parentalLock: false, updatedAt: at, by: actor };
    const next: SeatControls = {
      ...before,
      ...(command.action === 'parental-lock' ? { parentalLock: command.on } : { locked: command.action === 'lock' }),
      updatedAt: at,
      by: actor,
    };
    // Set before the write (as before): two commands for one seat at once each build on the other.
    this.controls.set(seatId, next);
    await this.records.write<SeatControlsRecord>(SEAT_CONTROLS_SET, crypto.randomUUID(), { seatId, controls: next });
    await this.publish(topics.seatState(seatId), JSON.stringify(next), { retain: true, qos: 1 });
    return next;
  }
}

export function seatControlRouter(directory: AccessDirectory, control: SeatControl): Router {
  const router = Router();
  router.get(paths.crew.seatControls, requireCrew(directory), (_req, res) => {
    res.json({ controls: control.all() });
  });
  router.post(
    paths.crew.seatCommand,
    requireCrew(directory, ['purser', 'cabin_crew', 'maintenance']),
    async (req, res) => {
      const command = parseBody(seatCommand, req.body);
      const result = await control.apply(String(req.params.seatId), describePrincipal(crewOf(res)), command);
      res.json({ seatId: req.params.seatId, result });
    },
  );
  return router;
}
