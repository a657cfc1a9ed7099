import assert from 'node:assert/strict';
import { test } from 'node:test';
import { greatCircle } from './geo-math.ts';
import { fitProjection, screenHeadingDeg } from './map-view.ts';

const KIOSK = { width: 1280, height: 800, margin: 40 };
const PHONE = { width: 390, height: 500, margin: 24 };
const LHR = [-0.4614, 51.4775] as const;
const SIN = [103.9915, 1.3502] as const;
const LAX = [-118.4081, 33.9425] as const;
const SYD = [151.1772, -33.9461] as const;

function inside(frame: typeof KIOSK, p: [number, number] | null, slack = 0.5): boolean {
  return (
    p !== null &&
    p[0] >= frame.margin - slack &&
    p[0] <= frame.width - frame.margin + slack &&
    p[1] >= frame.margin - slack &&
    p[1] <= frame.height - frame.margin + slack
  );
}

test('the whole-route view fits every point of the great circle inside the frame, kiosk and phone', () => {
  for (const frame of [KIOSK, PHONE]) {
    const p = fitProjection('route', frame, { origin: LHR, destination: SIN, aircraft: null, zoom: 0 });
    for (const pt of greatCircle(LHR, SIN, 32))
      assert.ok(inside(frame, p(pt)), `${pt} at ${p(pt)} in ${frame.width}x${frame.height}`);
    // The fit is tight: the route touches at least two opposite edges.
    const xs = greatCircle(LHR, SIN, 64).map((pt) => p(pt)![0]);
    const ys = greatCircle(LHR, SIN, 64).map((pt) => p(pt)![1]);
    const spanX = Math.max(...xs) - Math.min(...xs),
      spanY = Math.max(...ys) - Math.min(...ys);
    assert.ok(
      Math.abs(spanX - (frame.width - 2 * frame.margin)) < 2 || Math.abs(spanY - (frame.height - 2 * frame.margin)) < 2,
    );
  }
});

test('a trans-Pacific route is one piece: rotated so the antimeridian does not cut it', () => {
  const p = fitProjection('route', KIOSK, { origin: LAX, destination: SYD, aircraft: null, zoom: 0 });
  const pts = greatCircle(LAX, SYD, 64).map((pt) => p(pt)!);
  for (const pt of pts) assert.ok(inside(KIOSK, pt));
  // No jump across the screen between neighbouring points.
  for (let i = 1; i < pts.length; i++) assert.ok(Math.abs(pts[i]![0] - pts[i - 1]![0]) < 100, `jump at ${i}`);
  // LAX is east of Sydney: on the right of the map.
  assert.ok(p([...LAX])![0] > p([...SYD])![0]);
});

test('the aircraft view puts the aircraft in the middle and zooming in shows less of the world', () => {
  const aircraft = [68.5, 37.8] as const;
  const scales = [0, 1, 2].map((zoom) => {
    const p = fitProjection('aircraft', KIOSK, { origin: LHR, destination: SIN, aircraft, zoom });
    const at = p([...aircraft])!;
    assert.ok(Math.abs(at[0] - 640) < 0.5 && Math.abs(at[1] - 400) < 0.5, `centred at ${at}`);
    return p.scale();
  });
  assert.ok(scales[0]! < scales[1]! && scales[1]! < scales[2]!);
  // Near the antimeridian as well.
  const p = fitProjection('aircraft', PHONE, { origin: LAX, destination: SYD, aircraft: [179.9, -5], zoom: 1 });
  assert.ok(Math.abs(p([179.9, -5])![0] - 195) < 0.5);
  assert.ok(p([-179.9, -5])![0] > 195, 'just across the antimeridian is further right, not on the far side');
});

test('the world view shows the whole sphere centred on the aircraft longitude', () => {
  const p = fitProjection('world', KIOSK, { origin: null, destination: null, aircraft: [120, 10], zoom: 0 });
  assert.ok(Math.abs(p([120, 0])![0] - 640) < 1);
  assert.ok(inside(KIOSK, p([-60, 0])));
});

test('the aircraft symbol points along the track as drawn: east is right, north is up on Mercator', () => {
  const p = fitProjection('aircraft', KIOSK, { origin: LHR, destination: SIN, aircraft: [10, 50], zoom: 1 });
  assert.ok(Math.abs(screenHeadingDeg(p, [10, 50], 90) - 90) < 1);
  assert.ok(
    Math.abs(screenHeadingDeg(p, [10, 50], 0)) < 0.01 || Math.abs(screenHeadingDeg(p, [10, 50], 0) - 360) < 0.01,
  );
  assert.ok(Math.abs(screenHeadingDeg(p, [10, 50], 225) - 225) < 1);
});
