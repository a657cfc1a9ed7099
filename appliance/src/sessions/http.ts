/**
 * Pairing over HTTP (paths in protocol/src/resume.ts):
 *   POST   /api/pairing/codes   seat token   -> 201 { code, url, expiresAt, seatId }
 *   GET    /api/pairing/phones  seat token   -> { sessionId, phones: [{ deviceId, pairedAt }] }
 *   DELETE /api/pairing/phones  seat token   -> unpairs every phone of the seat
 *   POST   /api/pairing/claim   { deviceId, password, code } -> { seatId, sessionId, device, serverNow }
 *   DELETE /api/pairing         { deviceId, password }       -> unpairs this phone
 *   POST   /api/crew/flight/reset  crew token (purser, cabin crew) -> { sessionsEnded, phonesUnpaired, titlesCounted }
 */

import { parseBody } from '@ifec/http-kit';
import { IfecError, pairingClaim, pairingPaths, phoneCredentials } from '@ifec/protocol';
import { type Request, Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import { requireCrew } from '../http/crew-auth.ts';
import type { SeatSessions } from '../seat-state/sessions.ts';
import type { Pairings } from './pairing.ts';
import type { PassengerSessions } from './passenger-sessions.ts';
import type { FlightReset } from './reset.ts';

export interface SessionsRouterDeps {
  directory: AccessDirectory;
  seatSessions: SeatSessions;
  sessions: PassengerSessions;
  pairings: Pairings;
  disconnectPhones: (deviceIds: string[]) => void;
  now?: () => number;
}

export function sessionsRouter(deps: SessionsRouterDeps): Router {
  const { directory, pairings } = deps;
  const now = deps.now ?? Date.now;
  const router = Router();
  const seat = deps.seatSessions.requireSeat();

  const phone = async (req: Request): Promise<string> => {
    const { deviceId, password } = parseBody(phoneCredentials, req.body);
    const principal = await directory.authenticate(`phone:${deviceId}`, password);
    if (principal?.role !== 'phone')
      throw new IfecError('PHONE_LOGIN_REQUIRED', 'unknown phone or wrong password (register with POST /api/phones)');
    return deviceId;
  };

  router.post(pairingPaths.seatCodes, seat, (_req, res) => {
    res.status(201).json(pairings.issueCode(res.locals.seatId as string));
  });

  router.get(pairingPaths.seatPhones, seat, (_req, res) => {
    const seatId = res.locals.seatId as string;
    res.json({
      seatId,
      sessionId: deps.sessions.sessionOf(seatId),
      phones: pairings.phonesOf(seatId).map((p) => ({ deviceId: p.deviceId, pairedAt: p.pairedAt })),
    });
  });

  router.delete(pairingPaths.seatPhones, seat, async (_req, res) => {
    const ended = await pairings.unpairSeat(res.locals.seatId as string);
    deps.disconnectPhones(ended.map((p) => p.deviceId));
    res.json({ unpaired: ended.length });
  });

  router.post(pairingPaths.claim, async (req, res) => {
    const { code } = parseBody(pairingClaim, req.body);
    const deviceId = await phone(req);
    const paired = await pairings.claim(deviceId, code, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    // A phone that was paired elsewhere keeps no cached subscription to the old seat.
    deps.disconnectPhones([deviceId]);
    res.json({ seatId: paired.seatId, sessionId: paired.sessionId, device: paired.device, serverNow: now() });
  });

  router.delete(pairingPaths.phone, async (req, res) => {
    const deviceId = await phone(req);
    const ended = await pairings.unpair(deviceId);
    deps.disconnectPhones([deviceId]);
    res.json({ unpaired: ended.seatId });
  });

  return router;
}

/** The crew's reset for next flight (the same reset the flight phase landed -> gate runs). */
export function flightResetRouter(directory: AccessDirectory, reset: FlightReset): Router {
  const router = Router();
  router.post(pairingPaths.resetForNextFlight, requireCrew(directory, ['purser', 'cabin_crew']), async (_req, res) => {
    res.json(await reset.reset('crew'));
  });
  return router;
}
