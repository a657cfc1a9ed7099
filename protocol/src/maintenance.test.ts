import assert from 'node:assert/strict';
import test from 'node:test';
import { SYNC_ERROR_CODES, SYNC_ERROR_WORDS, syncErrorCode, syncErrorInWords } from './maintenance.ts';

test('a sync error is read by its code, from "CODE: message" or a bare code; an unknown code is not one', () => {
  assert.equal(syncErrorCode('NO_LINK: connect ECONNREFUSED 10.0.0.1:443'), 'NO_LINK');
  assert.equal(syncErrorCode('BUNDLE_MALFORMED'), 'BUNDLE_MALFORMED');
  assert.equal(syncErrorCode('FLUX_CAPACITOR: gone'), null);
  assert.equal(syncErrorCode('no code here'), null);
  assert.equal(syncErrorCode(null), null);
  assert.deepEqual(SYNC_ERROR_CODES, Object.keys(SYNC_ERROR_WORDS));
});

test('the CLI and the appliance keep the English words; an unknown code keeps its message', () => {
  assert.equal(syncErrorInWords('BUNDLE_EXPIRED: 31 days'), 'The bundle is older than 30 days. Export a fresh one.');
  assert.equal(syncErrorInWords('FLUX_CAPACITOR: gone'), 'FLUX_CAPACITOR: gone');
  assert.equal(syncErrorInWords(''), null);
});
