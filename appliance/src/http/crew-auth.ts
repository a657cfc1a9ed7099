import type { CrewRole } from '@ifec/protocol';
import { IfecError } from '@ifec/protocol';
import type { NextFunction, Request, Response } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import type { Principal } from '../access/principal.ts';

export type CrewPrincipal = Principal & { role: 'crew' };

/** Requires `Authorization: Bearer <crew token>`, optionally one of some roles; sets res.locals.crew. */
export function requireCrew(directory: AccessDirectory, roles?: CrewRole[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const crew = token ? directory.verifyCrewToken(token) : undefined;
    if (!crew) throw new IfecError('CREW_LOGIN_REQUIRED', 'log in as crew first (POST /api/crew/login)');
    if (roles && !roles.includes(crew.crewRole))
      throw new IfecError('ROLE_NOT_ALLOWED', `only ${roles.join(', ')} may do this`);
    res.locals.crew = crew;
    next();
  };
}

export function crewOf(res: Response): CrewPrincipal {
  return res.locals.crew as CrewPrincipal;
}
