/** Crew login and phone registration. */
import crypto from 'node:crypto';
import { Router } from 'express';
import { crewLogin } from '@ifec/protocol';
import { HttpError, parseBody } from '../http/errors.ts';
import { LoginLockedError, type AccessDirectory } from './directory.ts';

/** `onCrewLogin` runs before the token is handed out (the sync domain audits logins for the ground). */
export function accessRouter(directory: AccessDirectory, onCrewLogin?: (crew: { crewId: string; role: string }) => Promise<void>): Router {
  const router = Router();

  router.post('/api/crew/login', async (req, res) => {
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
    await onCrewLogin?.({ crewId, role: member.role });
    res.json({ ...directory.issueCrewToken(crew), crewId, name: member.name, role: member.role });
  });

  // A phone on the cabin Wi-Fi gets a device id and its MQTT password (it may read broadcasts only).
  router.post('/api/phones', (_req, res) => {
    const deviceId = crypto.randomBytes(12).toString('base64url');
    res.status(201).json({ deviceId, mqtt: { username: `phone:${deviceId}`, password: directory.phonePassword(deviceId) } });
  });

  return router;
}
