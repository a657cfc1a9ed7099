/** Crew login and phone registration. */
import crypto from 'node:crypto';
import { parseBody } from '@ifec/http-kit';
import { crewLogin, IfecError, paths } from '@ifec/protocol';
import { Router } from 'express';
import { requireCrew } from '../http/crew-auth.ts';
import { type AccessDirectory, LoginLockedError } from './directory.ts';
import { refuseLogin } from './login-fast-path.ts';
import { LoginBusyError } from './pin-hasher.ts';

/** `onCrewLogin` runs before the token is handed out (the sync domain audits logins for the ground). */
export function accessRouter(
  directory: AccessDirectory,
  onCrewLogin?: (crew: { crewId: string; role: string }) => Promise<void>,
): Router {
  const router = Router();

  router.post(paths.crew.login, async (req, res) => {
    const { crewId, pin } = parseBody(crewLogin, req.body);
    let crew: Awaited<ReturnType<AccessDirectory['loginCrew']>>;
    try {
      crew = await directory.loginCrew(crewId, pin, req.socket.remoteAddress ?? 'unknown');
    } catch (error) {
      // Answered here, not by the error handler: a burst's refusals are counted and logged in
      // aggregate (login-guard.ts), not as one error line with its stack each. The status comes
      // from the error table; the client also learns when to try again.
      if (error instanceof LoginLockedError) return refuseLogin(res, 'LOGIN_LOCKED', error.message, error.retryAfterS);
      if (error instanceof LoginBusyError) return refuseLogin(res, 'LOGIN_BUSY', error.message, 1);
      throw error;
    }
    if (!crew) throw new IfecError('BAD_CREDENTIALS', 'unknown crew id or wrong PIN');
    const member = directory.crewMember(crewId)!;
    await onCrewLogin?.({ crewId, role: member.role });
    res.json({ ...directory.issueCrewToken(crew), crewId, name: member.name, role: member.role });
  });

  // The purser's override: a crew member slowed by someone else's wrong PINs may log in at once.
  router.post(paths.crew.clearLogin, requireCrew(directory, ['purser']), (req, res) => {
    const crewId = String(req.params.crewId);
    if (!directory.crewMember(crewId)) throw new IfecError('UNKNOWN_CREW', `no crew member ${crewId}`);
    directory.loginGuard.clearCrew(crewId);
    res.json({ crewId, cleared: true });
  });

  // A phone on the cabin Wi-Fi gets a device id and its MQTT password (it may read broadcasts only).
  router.post(paths.phones, (_req, res) => {
    const deviceId = crypto.randomBytes(12).toString('base64url');
    res
      .status(201)
      .json({ deviceId, mqtt: { username: `phone:${deviceId}`, password: directory.phonePassword(deviceId) } });
  });

  return router;
}

/**
 * Who may read /metrics: a maintenance crew member (Bearer crew token) or an appliance service
 * (HTTP Basic `service:<name>` with its derived password, as a Prometheus scrape config sends).
 * The figures show the cabin's load and who is refused: not for passengers.
 */
export function metricsAccess(directory: AccessDirectory): (authorization: string | undefined) => boolean {
  return (authorization) => {
    if (!authorization) return false;
    if (authorization.startsWith('Bearer '))
      return directory.verifyCrewToken(authorization.slice(7))?.crewRole === 'maintenance';
    if (!authorization.startsWith('Basic ')) return false;
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const match = /^service:([^:]+):(.+)$/.exec(decoded);
    if (!match) return false;
    const expected = Buffer.from(directory.servicePassword(match[1]!));
    const given = Buffer.from(match[2]!);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  };
}
