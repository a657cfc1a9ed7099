import assert from 'node:assert/strict';
import test from 'node:test';
import type { Principal } from '../access/principal.ts';
import { mayPublish, maySubscribe } from './acl.ts';

const seat: Principal = { role: 'seat', seatId: '12A' };
const purser: Principal = { role: 'crew', crewId: 'P1', crewRole: 'purser' };
const cabinCrew: Principal = { role: 'crew', crewId: 'C1', crewRole: 'cabin_crew' };
const mechanic: Principal = { role: 'crew', crewId: 'M1', crewRole: 'maintenance' };
const phone: Principal = { role: 'phone', deviceId: 'abc' };
const service: Principal = { role: 'service', name: 'position' };

test('a seat reads and writes only its own subtree, reads broadcasts', () => {
  assert.ok(maySubscribe(seat, 'seat/12A/#'));
  assert.ok(maySubscribe(seat, 'seat/12A/command'));
  assert.ok(maySubscribe(seat, 'cabin/pa'));
  assert.ok(maySubscribe(seat, 'flight/#'));
  for (const filter of ['seat/12B/#', 'seat/+/health', 'seat/#', '#', '+/pa', 'seat/12AB/#', 'crew/#', 'phone/abc/#']) {
    assert.equal(maySubscribe(seat, filter), false, filter);
  }
  assert.ok(mayPublish(seat, 'seat/12A/health'));
  for (const topic of ['seat/12B/health', 'cabin/pa', 'flight/position', 'policy/current', 'seat/12A', 'seat/12AB/x']) {
    assert.equal(mayPublish(seat, topic), false, topic);
  }
});

test('only purser and cabin crew publish crew/pa; other crew commands go under crew/', () => {
  assert.ok(mayPublish(purser, 'crew/pa'));
  assert.ok(mayPublish(cabinCrew, 'crew/pa'));
  assert.equal(mayPublish(mechanic, 'crew/pa'), false);
  assert.ok(mayPublish(mechanic, 'crew/M1/notes'));
  assert.ok(mayPublish(mechanic, 'seat/12A/command'));
  for (const topic of ['crew/pa', 'crew/x']) {
    assert.equal(mayPublish(seat, topic), false, topic);
    assert.equal(mayPublish(phone, topic), false, topic);
  }
});

const everyoneButServices: Principal[] = [seat, purser, cabinCrew, mechanic, phone];

test('nobody but the appliance publishes a broadcast tree, the PA state included', () => {
  for (const topic of ['cabin/pa', 'cabin/x', 'flight/position', 'flight/phase', 'policy/current', 'sync/status']) {
    for (const who of everyoneButServices)
      assert.equal(mayPublish(who, topic), false, `${JSON.stringify(who)} ${topic}`);
    assert.ok(mayPublish(service, topic), `service ${topic}`);
  }
  assert.equal(mayPublish(service, 'seat/12A/command'), false);
});

test('crew see every seat; phones only their own subtree', () => {
  assert.ok(maySubscribe(purser, 'seat/+/health'));
  assert.ok(maySubscribe(phone, 'phone/abc/#'));
  assert.equal(maySubscribe(phone, 'phone/abd/#'), false);
  assert.equal(maySubscribe(phone, 'seat/12A/#'), false);
});

test('a phone paired with 12A reaches 12A resume, playback and remote topics, never 12B', () => {
  const paired = (deviceId: string) => (deviceId === 'abc' ? '12A' : undefined);
  assert.ok(maySubscribe(phone, 'seat/12A/resume/s1/updates', paired));
  assert.ok(maySubscribe(phone, 'seat/12A/resume/#', paired));
  assert.ok(maySubscribe(phone, 'seat/12A/playback', paired));
  assert.ok(mayPublish(phone, 'seat/12A/remote', paired));
  assert.ok(mayPublish(phone, 'seat/12A/resume/s1/up/phone-abc', paired));
  for (const filter of [
    'seat/12B/resume/#',
    'seat/12B/playback',
    'seat/12A/#',
    'seat/12A/health',
    'seat/12A/command',
    'seat/+/playback',
    'seat/12AB/resume/#',
  ]) {
    assert.equal(maySubscribe(phone, filter, paired), false, filter);
  }
  for (const topic of [
    'seat/12B/remote',
    'seat/12B/resume/s1/up/phone-abc',
    'seat/12A/command',
    'seat/12A/health',
    'seat/12A/playback',
    'seat/12A/resume/s1/down/seat',
    'seat/12A/resume/s1/updates',
  ]) {
    assert.equal(mayPublish(phone, topic, paired), false, topic);
  }
  // Not paired (or unpaired): nothing of any seat.
  assert.equal(maySubscribe(phone, 'seat/12A/playback'), false);
  assert.equal(mayPublish(phone, 'seat/12A/remote'), false);
  assert.equal(mayPublish({ role: 'phone', deviceId: 'other' }, 'seat/12A/remote', paired), false);
});
