/**
 * A login from a blocked address is refused before its body is read (access/login-fast-path.ts):
 * a burst's refusals cost the main thread almost nothing, so a PA is not held behind them. An
 * address that is not blocked is read and checked as before, and the refusal keeps its shape
 * (`{ error: { code, message } }`, Retry-After).
 */

import assert from 'node:assert/strict';
import net from 'node:net';
import test, { after, before } from 'node:test';
import { loginFrom, wrongPin } from './hostile-support.ts';
import { startTestAppliance, type TestAppliance } from './support.ts';

let app: TestAppliance;
before(async () => {
  app = await startTestAppliance();
});
after(async () => {
  await app.stop();
});

/** Sends a login's headers (a body of `length` bytes announced) but not the body; resolves with what arrives first. */
function headersOnly(localAddress: string, length: number) {
  const socket = net.connect({ host: '127.0.0.1', port: app.httpPort, localAddress });
  let received = '';
  const answered = new Promise<string>((resolve) => {
    socket.on('data', (d) => {
      received += d;
      if (received.includes('\r\n\r\n')) resolve(received);
    });
  });
  socket.on('error', () => {});
  socket.write(
    `POST /api/crew/login HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`,
  );
  return { socket, answered, received: () => received };
}

test('a blocked address is answered 429 before it sends its body; an unblocked one is read and checked', {
  timeout: 120_000,
}, async () => {
  const crew = app.credentials.crew.find((c) => c.role === 'cabin_crew')!;
  const blocked = '127.77.0.1';
  for (let i = 0; i < 5; i++) await loginFrom(blocked, app.url, `Z${i}`, wrongPin(crew.pin, i));
  const refused = await loginFrom(blocked, app.url, crew.crewId, crew.pin);
  assert.equal(refused.status, 429, 'the address is blocked');

  const early = headersOnly(blocked, 10_000);
  const head = await early.answered;
  early.socket.destroy();
  assert.match(head, /^HTTP\/1\.1 429 /, head);
  assert.match(head, /retry-after: \d+/i);
  const body = JSON.parse(head.slice(head.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'LOGIN_LOCKED');

  // Not blocked: the appliance waits for the body, then checks the PIN (a wrong one: 401).
  const other = headersOnly('127.77.0.2', 0);
  other.socket.destroy();
  const login = JSON.stringify({ crewId: crew.crewId, pin: wrongPin(crew.pin, 99) });
  const checked = headersOnly('127.77.0.2', Buffer.byteLength(login));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(checked.received(), '', 'nothing is answered before the body arrives');
  checked.socket.write(login);
  assert.match(await checked.answered, /^HTTP\/1\.1 401 /);
  checked.socket.destroy();
});
