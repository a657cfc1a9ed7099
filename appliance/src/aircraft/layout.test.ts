import assert from 'node:assert/strict';
import test from 'node:test';
import { cabinLayout, LayoutError, loadLayout, seatsOf } from './layout.ts';

test('built-in layouts have realistic seat counts and unique ids', () => {
  const counts = { a320: [170, 190], b789: [270, 310], a380: [480, 530] } as const;
  for (const [name, [min, max]] of Object.entries(counts)) {
    const seats = seatsOf(loadLayout(name));
    assert.ok(seats.length >= min && seats.length <= max, `${name}: ${seats.length} seats`);
    assert.equal(new Set(seats.map((s) => s.seatId)).size, seats.length);
  }
});

test('skipped rows and missing seats are left out, exit rows marked', () => {
  const seats = seatsOf(loadLayout('a320'));
  assert.ok(!seats.some((s) => s.row === 13));
  assert.ok(!seats.some((s) => s.seatId === '33C'));
  assert.ok(seats.find((s) => s.seatId === '11A')?.exitRow);
});

test('a seat in two classes is refused', () => {
  const layout = cabinLayout.parse({
    type: 'x',
    tailNumber: 'X-AAAA',
    classes: [
      { name: 'a', rows: [1, 2], letters: 'AB' },
      { name: 'b', rows: [2, 3], letters: 'AB' },
    ],
  });
  assert.throws(() => seatsOf(layout), LayoutError);
});

test('an unreadable or invalid layout file names the problem', () => {
  assert.throws(() => loadLayout('/nonexistent.json'), /aircraft layout \/nonexistent.json/);
});
