import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute } from './router.ts';

test('hash routes parse, and anything unknown goes home', () => {
  assert.deepEqual(parseRoute('#/play/night-flight?from=42'), { name: 'play', id: 'night-flight', from: 42 });
  assert.deepEqual(parseRoute('#/search?q=caf%C3%A9'), { name: 'search', query: 'café' });
  assert.deepEqual(parseRoute('#/browse/tv'), { name: 'browse', shelf: 'tv' });
  assert.deepEqual(parseRoute('#/browse/nope'), { name: 'home' });
  assert.deepEqual(parseRoute(''), { name: 'home' });
  assert.deepEqual(parseRoute('#/pair?code=042133'), { name: 'pair', code: '042133' });
  assert.deepEqual(parseRoute('#/pair'), { name: 'pair' });
});
