import assert from 'node:assert/strict';
import test from 'node:test';
import { CREW_MAX_DELAY_MS, LoginGuard, LoginLockedError, SOURCE_MAX_FAILURES } from './login-guard.ts';

const known = new Set(['P100', 'C200']);

test('150,000 invented crew ids and addresses keep the tables bounded', () => {
  const guard = new LoginGuard((id) => known.has(id));
  for (let i = 0; i < 150_000; i++) guard.reserve(`X${i}`, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
  assert.ok(guard.size.crewIds <= 10_000, `crew ids held: ${guard.size.crewIds}`);
  assert.ok(guard.size.sources <= 10_000, `addresses held: ${guard.size.sources}`);
});

test("a flood of invented ids cannot evict a real crew member's delay", () => {
  let now = 0;
  const guard = new LoginGuard(
    (id) => known.has(id),
    () => now,
  );
  for (let i = 0; i < 5; i++) {
    guard.reserve('C200', `10.0.0.${i}`);
    now += CREW_MAX_DELAY_MS;
  }
  now -= CREW_MAX_DELAY_MS; // right after the fifth failure
  for (let i = 0; i < 20_000; i++) guard.reserve(`X${i}`, `10.1.${i >> 8}.${i & 255}`);
  assert.throws(() => guard.reserve('C200', '10.2.0.1'), LoginLockedError);
});

test('a source is blocked after five failures; a correct PIN refunds its attempt', () => {
  let now = 0;
  const guard = new LoginGuard(
    (id) => known.has(id),
    () => now,
  );
  const ticket = guard.reserve('P100', '10.0.0.1');
  guard.succeeded(ticket);
  for (let i = 0; i < SOURCE_MAX_FAILURES; i++) {
    guard.reserve(`Y${i}`, '10.0.0.1');
    now += 1;
  }
  assert.throws(
    () => guard.reserve('P100', '10.0.0.1'),
    (e: LoginLockedError) => e.retryAfterS > 60,
  );
  assert.doesNotThrow(() => guard.reserve('P100', '10.0.0.2'));
});

test('the aggregate report counts failures and lockouts, then starts over', () => {
  const guard = new LoginGuard((id) => known.has(id));
  for (let i = 0; i < 7; i++) {
    try {
      guard.reserve('C200', '10.0.0.9');
    } catch {
      /* counted as locked out */
    }
  }
  const report = guard.takeReport();
  assert.ok(report.failures >= 4 && report.lockedOut >= 1, JSON.stringify(report));
  assert.deepEqual(guard.takeReport(), { failures: 0, lockedOut: 0, busy: 0, sources: 0, crewIds: 0 });
});
