import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { decryptSegment, encryptSegment, sequenceIv } from './encrypt.ts';

test('a segment IV is its media sequence number, 16 bytes big-endian (RFC 8216 §5.2)', () => {
  assert.equal(sequenceIv(0).toString('hex'), '00'.repeat(16));
  assert.equal(sequenceIv(258).toString('hex'), `${'00'.repeat(14)}0102`);
  assert.equal(sequenceIv(2 ** 40).toString('hex'), `${'00'.repeat(10)}010000000000`);
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => sequenceIv(bad), /not a media sequence number/);
});

test('AES-128-CBC over the whole segment: the right IV gives the bytes back, a wrong one garbles the first block only', () => {
  const key = crypto.randomBytes(16);
  const clear = crypto.randomBytes(1000);
  const encrypted = encryptSegment(clear, key, sequenceIv(3));
  assert.equal(encrypted.length, 1008, 'PKCS#7 pads to the next 16 bytes');
  assert.deepEqual(decryptSegment(encrypted, key, sequenceIv(3)), clear);
  const wrong = decryptSegment(encrypted, key, sequenceIv(4));
  assert.notDeepEqual(wrong.subarray(0, 16), clear.subarray(0, 16));
  assert.deepEqual(wrong.subarray(16), clear.subarray(16), 'why tests check the first box: a decoder may not notice');
});
