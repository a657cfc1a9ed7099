/** Crew login and phone registration. */
import crypto from 'node:crypto';
import { Router } from 'express';
import { crewLogin, paths } from '@ifec/protocol';
import { HttpError, parseBody } from '../http/errors.ts';
import { LoginLockedError, type AccessDirectory } from './directory.ts';

export function accessRouter(directory: AccessDirectory): Router {
  const router = Router();

  router.post(paths.crew.login, async (req, res) => {
    const { crewId, pin } = parseBody(crewLogin, req);
    let crew;
    try {
      crew = await directory.loginCrew(crewId, pin);
    } catch (error) {
      if (error instanceof LoginLockedError) throw new HttpError(429, error.code, error.message);
      throw error;
    }
    if (!crew) throw new HttpError(401, 'BAD_CREDENTIALS', 'unknown crew id or wrong PIN');
    const member = directory.crewMember(crewId)!;
    res.json({ ...directory.issueCrewToken(crew), crewId, name: member.name, role: member.role });
  });

  // A phone on the cabin Wi-Fi gets a device id and its MQTT password (it may read broadcasts only).
  router.post(paths.phones, (_req, res) => {
    const deviceId = crypto.randomBytes(12).toString('base64url');
    res.status(201).json({ deviceId, mqtt: { username: `phone:${deviceId}`, password: directory.phonePassword(deviceId) } });
  });

  return router;
}
