/**
 * Crew logins refused before any work. During a guessing burst (1,000 logins at once) almost
 * every attempt is refused: its address is blocked, or the PIN checker is full. Through express
 * each refusal still cost the router, the JSON body parser, an error with its stack, and (for
 * the busy 503s) an error log line written synchronously: about a second of the main thread per
 * burst, which a PA start waited behind (cabin.pa_under_login_burst_p99_ms). Here those two
 * refusals are answered on node:http from the socket's address alone, before the body is read;
 * every other login goes on to express (access/http.ts) as before.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { paths } from '@ifec/protocol';
import { applianceErrorStatus } from '../http/error-status.ts';
import type { LoginGuard } from './login-guard.ts';
import type { PinHasher } from './pin-hasher.ts';

export function refuseLogin(
  res: ServerResponse,
  code: 'LOGIN_LOCKED' | 'LOGIN_BUSY',
  message: string,
  retryAfterS: number,
): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(applianceErrorStatus[code], {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'retry-after': String(retryAfterS),
  });
  res.end(body);
}

export function loginFastPath(
  guard: LoginGuard,
  hasher: PinHasher,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  // Logins let through to express and not yet answered. The hasher only fills once their bodies
  // are parsed, so in a burst of 1,000 arriving together almost all got past `hasher.full` and
  // were refused later, in express, at the cost of a router pass and a JSON parse each. Past the
  // hasher's bound they are refused here: each would have found the hasher full anyway.
  let admitted = 0;
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== paths.crew.login) return false;
    const refusal = guard.sourceRefusal(req.socket.remoteAddress ?? 'unknown');
    if (refusal) {
      refuseLogin(res, 'LOGIN_LOCKED', refusal.message, refusal.retryAfterS);
      return true;
    }
    if (hasher.full || admitted >= hasher.limit) {
      guard.countBusy();
      refuseLogin(res, 'LOGIN_BUSY', 'too many PIN checks are running; try again in a second', 1);
      return true;
    }
    admitted++;
    let done = false;
    const settle = () => {
      if (!done) admitted--;
      done = true;
    };
    res.once('finish', settle);
    res.once('close', settle);
    return false;
  };
}
