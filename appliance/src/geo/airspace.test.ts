import assert from 'node:assert/strict';
import { test } from 'node:test';
import { destinationPoint } from '../flight/great-circle.ts';
import { AirspaceIndex } from './airspace.ts';

const index = AirspaceIndex.bundled();

test('land, territorial waters and international waters are told apart', () => {
  assert.equal(index.lookup(51.4706, -0.4619), 'GB', 'Heathrow');
  assert.equal(index.lookup(1.3502, 103.994), 'SG', 'Changi');
  assert.equal(index.lookup(48.85, 2.35), 'FR');
  // Dover's cliffs at 51.13 N 1.33 E: 8 km out to sea is British water, 60 km out into the North Sea is not.
  assert.equal(index.lookup(...latLon(destinationPoint({ lat: 51.13, lon: 1.33 }, 30, 8000))), 'GB');
  assert.equal(index.lookup(55.5, 3.0), null, 'the middle of the North Sea');
  assert.equal(index.lookup(15, 88), null, 'the Bay of Bengal');
  assert.equal(index.lookup(0, -150), null, 'the Pacific');
});

test('enclaves answer the enclave, not the country around it, and every region is a two-letter code', () => {
  assert.equal(index.lookup(41.9029, 12.4534), 'VA');
  assert.equal(index.lookup(41.89, 12.5), 'IT');
  assert.equal(index.lookup(-29.5, 28.2), 'LS');
  assert.equal(index.lookup(-28, 25), 'ZA');
  assert.ok(index.regions.size > 240);
  for (const r of index.regions) assert.match(r, /^[A-Z]{2}$/);
});

test('either side of the antimeridian and at the poles', () => {
  assert.equal(index.lookup(-17.7, 178.0), 'FJ');
  assert.equal(index.lookup(-16.5, -179.9), 'FJ');
  assert.equal(index.lookup(65, 179.5), 'RU');
  assert.equal(index.lookup(65, -179.5), 'RU');
  assert.equal(index.lookup(90, 0), null);
  // OSM's Antarctica stops at 85° S (the Web Mercator limit); nobody's airspace beyond.
  assert.equal(index.lookup(-85, 0), 'AQ');
});

test('a lookup tests only the polygons whose box holds the point', () => {
  const empty = new AirspaceIndex([]);
  assert.equal(empty.lookup(0, 0), null);
  const square = new AirspaceIndex([
    {
      properties: { isoA2: 'XX' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [10, 0],
            [10, 10],
            [0, 10],
            [0, 0],
          ],
          [
            [4, 4],
            [6, 4],
            [6, 6],
            [4, 6],
            [4, 4],
          ],
        ],
      },
    },
  ]);
  assert.equal(square.lookup(1, 1), 'XX');
  assert.equal(square.lookup(5, 5), null, 'inside the hole');
  assert.equal(square.lookup(11, 5), null);
});

function latLon(p: { lat: number; lon: number }): [number, number] {
  return [p.lat, p.lon];
}
