/**
 * Seat sessions: a seat unit logs in with its provisioned secret (the same one it uses on
 * the cabin bus) and gets a signed bearer token for its own replicated state. Verifying a
 * token is an HMAC, so 850 seats reconnecting never touch the store.
 */

import { IfecError } from '@ifec/protocol';
import type { NextFunction, Request, Response } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import type { TokenSigner } from '../access/tokens.ts';

/** Longer than the longest flight plus its turnaround: a seat is not asked to log in mid-flight. */
export const SEAT_TOKEN_TTL_S = 48 * 3600;

export class SeatSessions {
  constructor(
    private readonly directory: AccessDirectory,
    private readonly signer: TokenSigner,
    private readonly now: () => number = Date.now,
  ) {}

  async login(
    seatId: string,
    secret: string,
  ): Promise<{ token: string; seatId: string; expiresInS: number } | undefined> {
    const principal = await this.directory.authenticate(`seat:${seatId}`, secret);
    if (principal?.role !== 'seat') return undefined;
    return {
      token: this.signer.sign({ sub: seatId, typ: 'seat' }, SEAT_TOKEN_TTL_S, this.now()),
      seatId,
      expiresInS: SEAT_TOKEN_TTL_S,
    };
  }

  /** The seat a token speaks for, if it is valid and unexpired. */
  verify(token: string): string | undefined {
    const claims = this.signer.verify<{ sub: string; typ: string }>(token, this.now());
    return claims && claims.typ === 'seat' && typeof claims.sub === 'string' ? claims.sub : undefined;
  }

  /** Requires `Authorization: Bearer <seat token>`; sets res.locals.seatId. */
  requireSeat() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const header = req.get('authorization') ?? '';
      const seatId = header.startsWith('Bearer ') ? this.verify(header.slice(7)) : undefined;
      if (!seatId) throw new IfecError('SEAT_LOGIN_REQUIRED', 'log in as a seat first (POST /api/seats/login)');
      res.locals.seatId = seatId;
      next();
    };
  }
}
