import assert from 'node:assert/strict';
import test from 'node:test';
import type { PaState } from '@ifec/protocol';
import { type CabinEvents, dispatchCabinMessage } from './cabin-messages.ts';

function recorder() {
  const calls: unknown[][] = [];
  const warnings: { topic: string; reason: string }[] = [];
  const events: CabinEvents = {
    onPa: (pa) => calls.push(['pa', pa]),
    onControls: (c) => calls.push(['controls', c]),
    onCommand: (a) => calls.push(['command', a]),
    onBusStatus: () => {},
    onSession: (s) => calls.push(['session', s]),
    onRemote: (r) => calls.push(['remote', r]),
  };
  return { calls, warnings, events, warn: (_m: string, d: { topic: string; reason: string }) => warnings.push(d) };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const pa: PaState = {
  active: true,
  id: 'p1',
  startedAt: '2026-12-01T10:00:00Z',
  by: 'crew P100',
  announcementId: 'seatbelt',
  texts: { en: 'Fasten' },
};

test('good messages reach their handlers, checked and typed', () => {
  const r = recorder();
  const go = (topic: string, payload: string) => dispatchCabinMessage(topic, bytes(payload), '12A', r.events, r.warn);
  assert.equal(go('cabin/pa', JSON.stringify(pa)), 'handled');
  assert.equal(go('cabin/pa', ''), 'handled');
  assert.equal(
    go('seat/12A/state', JSON.stringify({ locked: true, parentalLock: false, updatedAt: 'now', by: 'crew P100' })),
    'handled',
  );
  assert.equal(go('seat/12A/command', JSON.stringify({ action: 'ack-call', at: 'now', by: 'crew P100' })), 'handled');
  assert.equal(
    go('seat/12A/session', JSON.stringify({ seatId: '12A', sessionId: 'session-0001', startedAt: 'now' })),
    'handled',
  );
  assert.equal(go('seat/12A/remote', JSON.stringify({ action: 'seek', positionS: 30 })), 'handled');
  assert.deepEqual(r.calls, [
    ['pa', pa],
    ['pa', null],
    ['controls', { locked: true, parentalLock: false }],
    ['command', 'ack-call'],
    ['session', 'session-0001'],
    ['remote', { action: 'seek', positionS: 30 }],
  ]);
  assert.deepEqual(r.warnings, []);
});

test('garbage is dropped with its topic and a reason, and no handler runs', () => {
  const r = recorder();
  const garbage: [string, Uint8Array][] = [
    ['cabin/pa', bytes('{"action":"start","text":"a crew command is not a PA state"}')],
    ['cabin/pa', bytes('{"active":true}')],
    ['cabin/pa', bytes('not json at all')],
    ['cabin/pa', new Uint8Array([0xc3, 0x28, 0x00, 0xff])],
    ['cabin/pa', bytes(`{"active":true,"id":"x","startedAt":"t","by":"b","text":"${'x'.repeat(20_000)}"}`)],
    ['cabin/mystery', bytes('{}')],
    ['seat/12A/state', bytes('{"locked":1,"parentalLock":"no"}')],
    ['seat/12A/state', bytes('')],
    ['seat/12A/command', bytes('{"action":"reset"}')],
    ['seat/12A/command', bytes('[1,2,3]')],
    ['seat/12A/session', bytes('{"sessionId":42}')],
    ['seat/12A/remote', bytes('{"action":"volume","level":1000}')],
    ['seat/12B/command', bytes(JSON.stringify({ action: 'reset', at: 'now', by: 'x' }))],
  ];
  for (const [topic, payload] of garbage)
    assert.equal(dispatchCabinMessage(topic, payload, '12A', r.events, r.warn), 'dropped', topic);
  assert.deepEqual(r.calls, []);
  assert.equal(r.warnings.length, garbage.length);
  for (const [i, w] of r.warnings.entries()) {
    assert.equal(w.topic, garbage[i]![0]);
    assert.ok(w.reason.length > 0);
  }
  assert.match(r.warnings[0]!.reason, /active|action/);
  assert.match(r.warnings[4]!.reason, /exceeds/);
  assert.match(r.warnings[5]!.reason, /not a cabin bus channel/);
  assert.match(r.warnings[12]!.reason, /not this seat/);
});

test('a phone takes broadcasts only; Yjs frames pass to the resume client untouched', () => {
  const r = recorder();
  assert.equal(dispatchCabinMessage('seat/12A/session', bytes('{}'), undefined, r.events, r.warn), 'ignored');
  assert.equal(dispatchCabinMessage('cabin/pa', bytes(JSON.stringify(pa)), undefined, r.events, r.warn), 'handled');
  assert.equal(
    dispatchCabinMessage('seat/12A/resume/s1/updates', new Uint8Array([0, 1, 2]), '12A', r.events, r.warn),
    'ignored',
  );
  assert.equal(
    dispatchCabinMessage(
      'seat/12A/playback',
      bytes('{"titleId":null,"positionS":0,"playing":false,"volume":5,"subtitles":null,"at":1}'),
      '12A',
      r.events,
      r.warn,
    ),
    'ignored',
  );
  assert.deepEqual(r.calls, [['pa', pa]]);
  assert.deepEqual(r.warnings, []);
});
