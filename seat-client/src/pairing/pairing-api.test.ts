import test from 'node:test';
import assert from 'node:assert/strict';
import { pairingPaths } from '@ifec/protocol';
import { PATHS, PairingRefused, PhonePairing } from './pairing-api.ts';

test('the paths are the protocol\'s', () => {
  assert.equal(PATHS.seatCodes, pairingPaths.seatCodes);
  assert.equal(PATHS.seatPhones, pairingPaths.seatPhones);
  assert.equal(PATHS.claim, pairingPaths.claim);
  assert.equal(PATHS.phone, pairingPaths.phone);
});

test('a refusal carries the appliance\'s code and message', async () => {
  const fake = (async () => new Response(JSON.stringify({ error: { code: 'CODE_EXPIRED', message: 'this pairing code has expired: ask the seat for a new one' } }), { status: 410 })) as typeof fetch;
  const phone = new PhonePairing('http://appliance', fake);
  await assert.rejects(phone.claim({ deviceId: 'd', password: 'p' }, '123456'), (e: unknown) => e instanceof PairingRefused && e.code === 'CODE_EXPIRED' && e.status === 410 && /expired/.test(e.message));
});
