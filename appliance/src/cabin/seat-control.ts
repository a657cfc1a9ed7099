/**
 * Crew control of single seats: lock/unlock the screen, a crew-set parental lock, reset,
 * acknowledge a call light. Lock and parental lock are kept in cabin_state and retained on
 * seat/<id>/state (re-published at start: the broker keeps nothing); reset and ack-call are
 * one-shot messages on seat/<id>/command.
 */

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
import type { Sql } from '../store/store.ts';

type Publish = (topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }) => Promise<void>;
const STATE_KEY = 'seat-controls';

export class SeatControl {
  private controls = new Map<string, SeatControls>();

  constructor(
    private readonly seatIds: ReadonlySet<string>,
    private readonly db: Sql,
    private readonly publish: Publish,
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
    this.controls.set(seatId, next);
    await this.db.query(
      `INSERT INTO cabin_state (key, value, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
      [STATE_KEY, JSON.stringify(this.all())],
    );
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
