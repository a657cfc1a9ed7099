import assert from 'node:assert/strict';
import { test } from 'node:test';
import { airspacePolicy, policyCurrent } from '@ifec/protocol';
import { blockingRule, DEMO_AIRSPACE_POLICY, decide, sameDecision } from './airspace-policy.ts';

const at = '2026-12-01T12:00:00.000Z';

test('the demo policy: connectivity only above 3,000 m, premium over the oceans, no VoIP over some states, a genre blocked over the Gulf', () => {
  const low = decide(DEMO_AIRSPACE_POLICY, { region: 'GB', altitudeM: 1500, phase: 'climb' }, at);
  assert.deepEqual(
    [low.wifi, low.messaging],
    [
      { value: false, rule: 'connectivity-above-3000m' },
      { value: false, rule: 'connectivity-above-3000m' },
    ],
  );
  const ocean = decide(DEMO_AIRSPACE_POLICY, { region: null, altitudeM: 11000, phase: 'cruise' }, at);
  assert.deepEqual(ocean.priceZone, { value: 'oceanic-premium', rule: 'oceanic-premium' });
  assert.deepEqual(ocean.voip, { value: true, rule: 'oceanic-premium' });
  assert.deepEqual(ocean.wifi, { value: true, rule: 'default' });
  const india = decide(DEMO_AIRSPACE_POLICY, { region: 'IN', altitudeM: 11000, phase: 'cruise' }, at);
  assert.deepEqual(india.voip, { value: false, rule: 'no-voip-states' });
  const gulf = decide(DEMO_AIRSPACE_POLICY, { region: 'AE', altitudeM: 11000, phase: 'cruise' }, at);
  assert.deepEqual(gulf.blocked, { titles: [], genres: ['horror'], rules: ['gulf-content'] });
  assert.ok(policyCurrent.safeParse(gulf).success);
  assert.equal(
    blockingRule(
      DEMO_AIRSPACE_POLICY,
      { region: 'AE', altitudeM: 11000, phase: 'cruise' },
      { id: 'x', genres: ['Horror', 'drama'] },
    ),
    'gulf-content',
  );
  assert.equal(
    blockingRule(
      DEMO_AIRSPACE_POLICY,
      { region: 'GB', altitudeM: 11000, phase: 'cruise' },
      { id: 'x', genres: ['horror'] },
    ),
    undefined,
  );
});

test('phases and altitude bands select rules; the last matching rule wins a setting, blocks add up', () => {
  const policy = airspacePolicy.parse({
    id: 'p',
    version: 2,
    regionTags: {},
    defaults: { wifi: true, voip: true, messaging: true, priceZone: 'standard' },
    rules: [
      { id: 'ground-free', when: { phases: ['gate', 'taxi_in'] }, priceZone: 'free' },
      { id: 'a', when: { regions: ['FR'] }, blockTitles: ['t1'], voip: false },
      { id: 'b', when: { regions: ['FR'], minAltitudeM: 3000 }, blockTitles: ['t2'], voip: true },
    ],
  });
  assert.deepEqual(decide(policy, { region: 'FR', altitudeM: 10000, phase: 'cruise' }, at).voip, {
    value: true,
    rule: 'b',
  });
  assert.deepEqual(decide(policy, { region: 'FR', altitudeM: 10000, phase: 'cruise' }, at).blocked.titles, [
    't1',
    't2',
  ]);
  assert.deepEqual(decide(policy, { region: 'FR', altitudeM: 1000, phase: 'climb' }, at).voip, {
    value: false,
    rule: 'a',
  });
  assert.deepEqual(decide(policy, { region: 'FR', altitudeM: 100, phase: 'gate' }, at).priceZone, {
    value: 'free',
    rule: 'ground-free',
  });
  const one = decide(policy, { region: 'DE', altitudeM: 100, phase: 'climb' }, at);
  assert.ok(
    sameDecision(one, decide(policy, { region: 'DE', altitudeM: 9000, phase: 'cruise' }, '2026-12-01T13:00:00.000Z')),
    'time and phase alone are no new decision',
  );
  assert.ok(!sameDecision(one, decide(policy, { region: 'FR', altitudeM: 100, phase: 'climb' }, at)));
});

test('a policy document is checked: unknown fields, bad regions and bad rule ids are refused', () => {
  const base = {
    id: 'p',
    version: 1,
    defaults: { wifi: true, voip: true, messaging: true, priceZone: 'standard' },
    rules: [],
  };
  assert.ok(airspacePolicy.safeParse(base).success);
  assert.ok(!airspacePolicy.safeParse({ ...base, extra: 1 }).success);
  assert.ok(!airspacePolicy.safeParse({ ...base, rules: [{ id: 'Bad Id', when: {} }] }).success);
  assert.ok(!airspacePolicy.safeParse({ ...base, rules: [{ id: 'r', when: { regions: ['France'] } }] }).success);
  assert.ok(!airspacePolicy.safeParse({ ...base, regionTags: { fr: ['eu'] } }).success);
  assert.ok(!airspacePolicy.safeParse({ ...base, version: 0 }).success);
});
