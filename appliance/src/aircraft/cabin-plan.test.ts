import assert from 'node:assert/strict';
import test from 'node:test';
import { cabinPlanOf, defaultGroups } from './cabin-plan.ts';
import { cabinLayout, LayoutError, loadLayout, seatsOf } from './layout.ts';

test('the A380 plan has an upper and a main deck, every seat once, aisles from the layout file', () => {
  const layout = loadLayout('a380');
  const plan = cabinPlanOf(layout);
  assert.deepEqual(
    plan.decks.map((d) => d.deck),
    ['upper', 'main'],
  );
  const [upper, main] = plan.decks;
  assert.deepEqual(main!.columns, [
    ['A', 'B', 'C'],
    ['D', 'E', 'F', 'G'],
    ['H', 'J', 'K'],
  ]);
  assert.equal(upper!.columns.length, 3, 'first and business: 1-2-1, two aisles');
  const planned = plan.decks
    .flatMap((d) => d.rows.flatMap((r) => r.groups.flat().map((s) => s.seatId)))
    .filter(Boolean);
  assert.deepEqual(
    planned.sort(),
    seatsOf(layout)
      .map((s) => s.seatId)
      .sort(),
  );
  const row55 = main!.rows.find((r) => r.row === 55)!;
  assert.ok(row55.exit);
  assert.deepEqual(row55.groups[1], [
    { letter: 'D', seatId: null },
    { letter: 'E', seatId: null },
    { letter: 'F', seatId: null },
    { letter: 'G', seatId: null },
  ]);
  assert.ok(main!.monuments.some((m) => m.kind === 'galley' && m.beforeRow === 55));
  assert.ok(upper!.monuments.some((m) => m.kind === 'stairs'));
  // Business 1-2-1 lines up over the columns: A left, D G middle, K right.
  assert.deepEqual(
    upper!.rows[0]!.groups.map((g) => g.map((s) => s.letter).join('')),
    ['A', 'DG', 'K'],
  );
});

test('a layout without groups or decks (provisioned before they existed) gets the usual seat groups', () => {
  assert.deepEqual(defaultGroups('ABCDEF'), ['ABC', 'DEF']);
  assert.deepEqual(defaultGroups('ABCDEFGHJK'), ['ABC', 'DEFG', 'HJK']);
  const plan = cabinPlanOf(
    cabinLayout.parse({
      type: 'x',
      tailNumber: 'X-AAAA',
      classes: [{ name: 'economy', rows: [1, 2], letters: 'ABCDEF' }],
    }),
  );
  assert.equal(plan.decks.length, 1);
  assert.equal(plan.decks[0]!.deck, 'main');
  assert.equal(plan.decks[0]!.rows[1]!.groups[1]![2]!.seatId, '2F');
});

test('seat groups that do not match the letters are refused with the class named', () => {
  const layout = cabinLayout.parse({
    type: 'x',
    tailNumber: 'X-AAAA',
    classes: [{ name: 'economy', rows: [1, 2], letters: 'ABCDEF', groups: 'ABC DEG' }],
  });
  assert.throws(
    () => seatsOf(layout),
    (e: unknown) => e instanceof LayoutError && /class economy: groups/.test(e.message),
  );
  assert.equal(
    cabinLayout.safeParse({
      type: 'x',
      tailNumber: 'X-AAAA',
      classes: [{ name: 'e', rows: [1, 2], letters: 'AB', groups: 'A  B' }],
    }).success,
    false,
  );
});
