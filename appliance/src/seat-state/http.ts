/** A seat's login and the replication endpoints of its own state (pull, push, stream). */

import { parseBody } from '@ifec/http-kit';
import {
  IfecError,
  MAX_PUSH_ROWS,
  PASSENGER_SESSION_HEADER,
  replicationPaths,
  seatLogin,
  seatStatePush,
} from '@ifec/protocol';
import { Router } from 'express';
import { parsePull } from '../catalog/http.ts';
import type { LiveStream } from '../catalog/live-stream.ts';
import type { SeatStates } from './seat-states.ts';
import type { SeatSessions } from './sessions.ts';

/** `passengerSession`: the seat's live passenger session (sessions/passenger-sessions.ts). */
export function seatStateRouter(
  sessions: SeatSessions,
  states: SeatStates,
  stream: LiveStream,
  passengerSession: (seatId: string) => string | undefined,
): Router {
  const router = Router();
  const seat = sessions.requireSeat();

  router.post(replicationPaths.seatLogin, async (req, res) => {
    const { seatId, secret } = parseBody(seatLogin, req.body);
    const session = await sessions.login(seatId, secret);
    if (!session) throw new IfecError('BAD_CREDENTIALS', 'unknown seat or wrong secret');
    res.json(session);
  });

  router.get(replicationPaths.seatStatePull, seat, (req, res) => {
    const { since, limit } = parsePull(req);
    res.setHeader('cache-control', 'no-store');
    res.json(states.pull(res.locals.seatId as string, since, limit));
  });

  router.post(replicationPaths.seatStatePush, seat, async (req, res) => {
    if (Array.isArray(req.body) && req.body.length > MAX_PUSH_ROWS)
      throw new IfecError('PUSH_TOO_LARGE', `at most ${MAX_PUSH_ROWS} rows per push`);
    const rows = parseBody(seatStatePush, req.body);
    const seatId = res.locals.seatId as string;
    const held = req.get(PASSENGER_SESSION_HEADER);
    if (held !== undefined && held !== passengerSession(seatId)) {
      throw new IfecError(
        'SESSION_ENDED',
        'this passenger session ended (reset for next flight): the seat wipes its state and pulls again',
      );
    }
    res.json(await states.push(seatId, rows));
  });

  router.get(replicationPaths.seatStateStream, seat, (req, res) => {
    const seatId = res.locals.seatId as string;
    stream.attach(req, res, seatId, { seatId });
  });

  return router;
}
