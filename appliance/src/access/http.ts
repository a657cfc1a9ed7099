/** Crew login and phone registration. */
import crypto from 'node:crypto';
import { Router } from 'express';
import { crewLogin, IfecError, paths } from '@ifec/protocol';
import { parseBody } from '@ifec/http-kit';
import type { AccessDirectory } from './directory.ts';

/** `onCrewLogin` runs before the token is handed out (the sync domain audits logins for the ground). */
export function accessRouter(directory: AccessDirectory, onCrewLogin?: (crew: { crewId: string; role: string }) => Promise<void>): Router {
  const router = Router();

  router.post(paths.crew.login, async (req, res) => {
    const { crewId, pin } = parseBody(crewLogin, req.body);
    const crew = await directory.loginCrew(crewId, pin);
    if (!crew) throw new IfecError('BAD_CREDENTIALS', 'unknown crew id or wrong PIN');
    const member = directory.crewMember(crewId)!;
    await onCrewLogin?.({ crewId, role: member.role });
    res.json({ ...directory.issueCrewToken(crew), crewId, name: member.name, role: member.role });
  });

  // A phone on the cabin Wi-Fi gets a device id and its MQTT password (it may read broadcasts only).
  router.post(paths.phones, (_req, res) => {
    const deviceId = crypto.randomBytes(12).toString('base64url');
    res.status(201).json({ deviceId, mqtt: { username: `phone:${deviceId}`, password: directory.phonePassword(deviceId) } });
  });

  return router;
}
