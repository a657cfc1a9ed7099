/**
 * Pairing guesses spread over many addresses (each stays under its per-address limit) cannot
 * pair a stranger's phone with a seat: a shown code outlives only a few wrong guesses in the cabin.
 */

import assert from 'node:assert/strict';
import test, { after, before } from 'node:test';
import { pairingPaths } from '@ifec/protocol';
import { address, requestFrom } from './hostile-support.ts';
import { pairingCode, registerPhone } from './resume-support.ts';
import { startTestAppliance, type TestAppliance } from './support.ts';

let app: TestAppliance;
before(async () => {
  app = await startTestAppliance();
});
after(async () => {
  await app.stop();
});

test('40 addresses × 4 guesses do not pair with seat 1C, even when the 160th guess is its code', {
  timeout: 120_000,
}, async () => {
  const { code } = await pairingCode(app, '1C');
  const statuses: number[] = [];
  for (let guess = 0; guess < 160; guess++) {
    const phone = await registerPhone(app);
    const tried = guess === 159 ? code : String((Number(code) + 1 + guess) % 1_000_000).padStart(6, '0');
    const res = await requestFrom(address(60, guess % 40), `${app.url}${pairingPaths.claim}`, {
      body: { ...phone, code: tried },
    });
    statuses.push(res.status);
    if (guess === 159) assert.match(JSON.parse(res.body).error.code, /CODE_EXPIRED|PAIRING_LOCKED/, res.body);
  }
  assert.ok(!statuses.includes(200), 'no guess paired');
  assert.equal(app.passengers.pairings.phonesOf('1C').length, 0);
  // The passenger's own phone pairs with a new code from the seat.
  const fresh = await pairingCode(app, '1C');
  const own = await requestFrom(address(61, 0), `${app.url}${pairingPaths.claim}`, {
    body: { ...(await registerPhone(app)), code: fresh.code },
  });
  assert.equal(own.status, 200, own.body);
});
