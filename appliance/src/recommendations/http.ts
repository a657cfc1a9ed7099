/**
 * The recommendations API (paths.recommendations), for a seat (Bearer seat token, or Basic
 * seat:<id> with its secret) or a phone paired with one (Basic phone:<deviceId> with its
 * password); the rows are the session's.
 *   GET  /api/recommendations?lang=xx            -> RecoRows
 *   POST /api/recommendations/signals  RecoSignal -> 202 { kept }   (kept only with consent)
 *   GET  /api/recommendations/consent            -> { personalised, chosen }
 *   PUT  /api/recommendations/consent  RecoConsent -> { personalised }
 */
import { parseBody } from '@ifec/http-kit';
import { IfecError, languageCode, paths, recoConsent, recoSignal } from '@ifec/protocol';
import { type Request, Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import type { SeatSessions } from '../seat-state/sessions.ts';
import type { Caller, Recommendations } from './recommendations.ts';
import type { SessionSignals } from './session-signals.ts';

export interface RecommendationsHttpDeps {
  directory: AccessDirectory;
  seatSessions: SeatSessions;
  sessionOf: (seatId: string) => string | undefined;
  pairedSeat: (deviceId: string) => string | undefined;
  recommendations: Recommendations;
  signals: SessionSignals;
  /** Signals one session may send per minute (a seat app sends a handful; more is a loop or an attack). */
  signalsPerMinute?: number;
  now?: () => number;
}

export function recommendationsRouter(deps: RecommendationsHttpDeps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  const perMinute = deps.signalsPerMinute ?? 60;
  const windows = new Map<string, { start: number; n: number }>();

  const caller = async (req: Request): Promise<Caller> => {
    const header = req.get('authorization') ?? '';
    const lang = languageCode.safeParse(req.query.lang ?? 'en');
    if (!lang.success) throw new IfecError('INVALID_LANGUAGE', 'lang must be a language code such as en or pt-BR');
    let seatId: string | undefined;
    let device: Caller['device'];
    let subject: string;
    if (header.startsWith('Bearer ')) {
      seatId = deps.seatSessions.verify(header.slice(7));
      if (!seatId)
        throw new IfecError('SEAT_LOGIN_REQUIRED', 'the seat token is forged or expired (POST /api/seats/login)');
      device = 'seat';
      subject = `seat:${seatId}`;
    } else if (header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':', decoded.indexOf(':') + 1);
      const principal =
        colon > 0 ? await deps.directory.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
      if (principal?.role === 'seat') {
        // The seat app's playback credentials (Basic seat:<id> with its secret) work too.
        seatId = principal.seatId;
        device = 'seat';
        subject = `seat:${seatId}`;
      } else if (principal?.role === 'phone') {
        seatId = deps.pairedSeat(principal.deviceId);
        if (!seatId)
          throw new IfecError(
            'NOT_PAIRED',
            'this phone is not paired with a seat: recommendations follow the seat’s session',
          );
        device = 'phone';
        subject = `phone:${principal.deviceId}`;
      } else {
        throw new IfecError('BAD_CREDENTIALS', 'unknown seat or phone, or wrong password');
      }
    } else {
      throw new IfecError(
        'VIEWER_LOGIN_REQUIRED',
        'authenticate as a seat (Bearer seat token) or a paired phone (Basic phone:<deviceId>)',
      );
    }
    const sessionId = deps.sessionOf(seatId);
    if (!sessionId) throw new IfecError('NO_SESSION', `seat ${seatId} has no passenger session`);
    return { device, seatId, sessionId, subject, language: lang.data };
  };

  router.get(paths.recommendations.rows, async (req, res) => {
    res.json(await deps.recommendations.rows(await caller(req)));
  });

  router.post(paths.recommendations.signals, async (req, res) => {
    const who = await caller(req);
    const signal = parseBody(recoSignal, req.body);
    const t = now();
    const w = windows.get(who.sessionId);
    if (!w || t - w.start >= 60_000) windows.set(who.sessionId, { start: t, n: 1 });
    else if (++w.n > perMinute)
      throw new IfecError('RECO_SIGNALS_TOO_FAST', `at most ${perMinute} signals a minute per session`);
    if (windows.size > 10_000) windows.clear();
    res.status(202).json({ kept: await deps.signals.record(who.sessionId, signal) });
  });

  router.get(paths.recommendations.consent, async (req, res) => {
    const who = await caller(req);
    res.json({
      personalised: deps.signals.personalised(who.sessionId),
      chosen: deps.signals.choice(who.sessionId) !== undefined,
    });
  });

  router.put(paths.recommendations.consent, async (req, res) => {
    const who = await caller(req);
    // The choice is made on the seat (the passenger's screen for the flight), not on a phone.
    if (who.device !== 'seat')
      throw new IfecError('DEVICE_MISMATCH', 'personalisation is switched on or off on the seat');
    const { personalised } = parseBody(recoConsent, req.body);
    await deps.signals.setConsent(who.sessionId, personalised);
    res.json({ personalised });
  });

  return router;
}
