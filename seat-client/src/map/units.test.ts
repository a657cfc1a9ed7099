import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forgetMapPreferences } from './map-preferences.ts';
import {
  formatAltitude,
  formatDistance,
  formatDuration,
  formatLocalTime,
  formatSpeed,
  formatTemperature,
  saveUnitSystem,
  secondsToGo,
  unitSystemFor,
} from './units.ts';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

test('the unit system follows the device region until the passenger picks one', () => {
  const store = new Map<string, string>();
  const storage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
  };
  assert.equal(unitSystemFor(storage, 'en-US'), 'imperial');
  assert.equal(unitSystemFor(storage, 'en-GB'), 'metric');
  assert.equal(unitSystemFor(storage, 'ar'), 'metric');
  saveUnitSystem(storage, 'imperial');
  assert.equal(unitSystemFor(storage, 'fr-FR'), 'imperial');
  store.set('ifec.map.units', 'parsecs');
  assert.equal(unitSystemFor(storage, 'fr-FR'), 'metric', 'a damaged choice falls back to the region');
  saveUnitSystem(storage, 'imperial');
  forgetMapPreferences({ removeItem: (k: string) => void store.delete(k) });
  assert.equal(unitSystemFor(storage, 'fr-FR'), 'metric', "a new flight forgets the last passenger's choice");
});

test('cruise figures in metric and imperial, in English', () => {
  assert.equal(nbsp(formatAltitude(10_668, 'metric', 'en')), '10,670 m');
  assert.equal(nbsp(formatAltitude(10_668, 'imperial', 'en')), '35,000 ft');
  assert.equal(nbsp(formatSpeed(250, 'metric', 'en')), '900 km/h');
  assert.equal(nbsp(formatSpeed(250, 'imperial', 'en')), '559 mph');
  assert.equal(nbsp(formatTemperature(-54, 'metric', 'en')), '-54°C');
  assert.equal(nbsp(formatTemperature(-54, 'imperial', 'en')), '-65°F');
  assert.equal(nbsp(formatDistance(10_880_000, 'metric', 'en')), '10,880 km');
  assert.equal(nbsp(formatDistance(10_880_000, 'imperial', 'en')), '6,761 mi');
});

test('numbers and units follow the language: German separators, Arabic unit names', () => {
  assert.equal(nbsp(formatDistance(10_880_000, 'metric', 'de')), '10.880 km');
  const ar = formatSpeed(250, 'metric', 'ar');
  assert.match(ar, /كم/, `the Arabic abbreviation for km in ${ar}`);
  assert.match(formatTemperature(-54, 'metric', 'ja'), /54/);
});

test('durations are hours and minutes, never seconds', () => {
  assert.equal(nbsp(formatDuration(2 * 3600 + 5 * 60 + 20, 'en')), '2 hr 5 min');
  assert.equal(nbsp(formatDuration(45 * 60, 'en')), '45 min');
  assert.equal(nbsp(formatDuration(-10, 'en')), '0 min');
});

test('local times come from the UTC offset, formatted in the seat language', () => {
  const at = new Date('2026-12-01T14:30:00Z');
  assert.equal(nbsp(formatLocalTime(at, 480, 'en-GB')), '22:30');
  assert.equal(nbsp(formatLocalTime(at, -300, 'en-US')), '9:30 AM');
  assert.equal(nbsp(formatLocalTime(at, 330, 'en-GB')), '20:00');
});

test('time to go: the ETA when there is one, else distance over ground speed, nothing on the ground', () => {
  const now = new Date('2026-12-01T14:00:00Z');
  assert.equal(
    secondsToGo({ at: now.toISOString(), eta: '2026-12-01T16:00:00Z', distanceToGoM: 5, groundSpeedMps: 1 }, now),
    7200,
  );
  assert.equal(
    secondsToGo({ at: now.toISOString(), eta: null, distanceToGoM: 900_000, groundSpeedMps: 250 }, now),
    3600,
  );
  assert.equal(secondsToGo({ at: now.toISOString(), eta: null, distanceToGoM: 900_000, groundSpeedMps: 5 }, now), null);
  assert.equal(secondsToGo({ at: now.toISOString(), eta: null, distanceToGoM: null, groundSpeedMps: 250 }, now), null);
});
