import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { brandOf, luhnConsistent, luhnValid } from '@ifec/protocol';
import { cardHash, cardProblem, SoftwareCardReader, sealCard } from './card-capture.ts';

const now = new Date('2026-12-01T12:00:00Z');

test('Luhn, brand and expiry are checked before anything is sent', () => {
  assert.equal(cardProblem({ pan: '4242 4242 4242 4242', expMonth: 12, expYear: 2026 }, now), undefined);
  assert.equal(cardProblem({ pan: '4242424242424241', expMonth: 12, expYear: 2030 }, now)?.code, 'CARD_INVALID_NUMBER');
  assert.equal(cardProblem({ pan: '4242424242424242', expMonth: 11, expYear: 2026 }, now)?.code, 'CARD_EXPIRED');
  assert.equal(cardProblem({ pan: '9999999999999995', expMonth: 1, expYear: 2030 }, now)?.code, 'CARD_BRAND_UNKNOWN');
  assert.deepEqual(['4242424242424242', '5555555555554444', '378282246310005', '6011111111111117'].map(brandOf), [
    'visa',
    'mastercard',
    'amex',
    'discover',
  ]);
});

test('the sealed card opens only with the ground key, holds the order id, and the aircraft can check its Luhn digit', async () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const key = { alg: 'RSA-OAEP-256' as const, spki, keyId: 'ab'.repeat(16) };
  const reader = new SoftwareCardReader({ pan: '4242424242424242', expMonth: 1, expYear: 2030 });
  const orderId = crypto.randomUUID();
  const token = await sealCard(await reader.read(), orderId, key, '00'.repeat(16), { source: 'reader', now });
  assert.equal(JSON.stringify(token).includes('4242424242424242'), false, 'no number in the token');
  assert.deepEqual([token.last4, token.brand, token.source], ['4242', 'visa', 'reader']);
  assert.ok(luhnConsistent(token.last4, token.luhnRest));
  assert.equal(luhnConsistent('4241', token.luhnRest), false);
  const plain = JSON.parse(
    crypto
      .privateDecrypt(
        { key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        Buffer.from(token.ciphertext, 'base64'),
      )
      .toString(),
  );
  assert.deepEqual(plain, { pan: '4242424242424242', expMonth: 1, expYear: 2030, orderId });
  assert.equal(token.hash, await cardHash('4242424242424242', '00'.repeat(16)));
  assert.notEqual(token.hash, await cardHash('4242424242424242', '11'.repeat(16)), 'the salt keys the hash');
  assert.ok(luhnValid('4000000000009995'));
});
