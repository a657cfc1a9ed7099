import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACKNOWLEDGED_SHOWN_MS, CabinState } from './cabin-state.ts';

test('a call made offline is queued, sending once the bus is up, received on the PUBACK of the report that carries it', () => {
  const state = new CabinState();
  const rev = state.setCall(true);
  assert.equal(state.view().call, 'queued');
  state.busStatus(true);
  assert.equal(state.view().call, 'sending');
  state.deliveredUpTo(rev - 1);
  assert.equal(state.view().call, 'sending', 'an older report does not deliver the call');
  state.deliveredUpTo(state.currentRevision);
  assert.equal(state.view().call, 'received');
  state.busStatus(false);
  assert.equal(state.view().call, 'received', 'once received it stays received when the bus drops');
});

test('an acknowledged call says crew is coming for a while, and a new call starts over', () => {
  let now = 1_000;
  const state = new CabinState(() => now);
  state.busStatus(true);
  state.setCall(true);
  state.deliveredUpTo(state.currentRevision);
  state.acknowledged();
  assert.equal(state.view().call, 'acknowledged');
  assert.equal(state.callLight, false);
  now += ACKNOWLEDGED_SHOWN_MS + 1;
  assert.equal(state.view().call, 'idle');
  state.setCall(true);
  assert.equal(state.view().call, 'sending');
  assert.equal(state.view().acknowledgedAt, null);
});

test('DND changes are queued offline and saved when delivered; listeners hear every change', () => {
  const state = new CabinState();
  let heard = 0;
  state.subscribe(() => heard++);
  state.setDnd(true);
  assert.deepEqual(state.view().dnd, { on: true, state: 'queued' });
  state.busStatus(true);
  state.deliveredUpTo(state.currentRevision);
  assert.deepEqual(state.view().dnd, { on: true, state: 'saved' });
  const before = state.currentRevision;
  state.setDnd(true);
  assert.equal(state.currentRevision, before, 'the same DND again is no change');
  assert.equal(heard, 3);
});
