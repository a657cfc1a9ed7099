import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translations } from '../i18n/strings.ts';
import { distanceM } from './geo-math.ts';
import { CITIES, CITY_LANGUAGES, cityName, nearestCity } from './map-cities.ts';
import { mapStrings, mapStringsFor } from './map-strings.ts';

test('the map speaks every UI language, with no empty or untranslated-looking entry', () => {
  const ui = Object.keys(translations).sort();
  assert.deepEqual(Object.keys(mapStrings).sort(), ui);
  assert.deepEqual([...CITY_LANGUAGES].sort(), ui);
  for (const [lang, strings] of Object.entries(mapStrings)) {
    for (const [key, value] of Object.entries(strings)) assert.ok(value.trim().length > 0, `${lang}.${key}`);
    assert.ok(strings.over.includes('{place}'), `${lang}.over has the place`);
    if (lang !== 'en') assert.notEqual(strings.title, mapStrings.en!.title, `${lang} title is translated`);
  }
  assert.equal(mapStringsFor('pt-BR').title, mapStrings.pt!.title);
  assert.equal(mapStringsFor('xx').title, mapStrings.en!.title);
});

test('cities have a name in every language, falling back to English only where the name is the same', () => {
  const london = CITIES.find((c) => c.names.en === 'London')!;
  assert.equal(cityName(london, 'ar'), 'لندن');
  assert.equal(cityName(london, 'ja'), 'ロンドン');
  assert.equal(cityName(london, 'fr'), 'Londres');
  for (const c of CITIES) for (const l of CITY_LANGUAGES) assert.ok(cityName(c, l).length > 0);
  // Scripts other than Latin are never left in English.
  for (const c of CITIES)
    for (const l of ['ar', 'zh', 'ja', 'ko', 'hi'])
      assert.doesNotMatch(cityName(c, l), /[A-Za-z]/, `${c.names.en} in ${l}`);
});

test('an airport finds its city in the list when it is near one, and nothing when it is not', () => {
  assert.equal(nearestCity([-0.4614, 51.4775], 60, distanceM)?.names.en, 'London');
  assert.equal(nearestCity([103.9915, 1.3502], 60, distanceM)?.names.en, 'Singapore');
  assert.equal(nearestCity([-30, 40], 60, distanceM), undefined, 'mid-Atlantic');
});
