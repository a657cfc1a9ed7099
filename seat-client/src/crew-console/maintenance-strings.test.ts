/**
 * Every code the appliance sends to the maintenance screen (sync errors, refusals of the
 * updates panel, a rollout's stop, a unit's timed-out detail) has its words in every UI
 * language, not English; i18n/translations.test.ts checks the table's keys and placeholders.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROLLOUT_STOP_CODES, type RolloutStop, SYNC_ERROR_CODES, SYNC_ERROR_WORDS } from '@ifec/protocol';
import { CREW_LANGUAGES } from './crew-strings.ts';
import {
  CREW_UPDATE_REFUSALS,
  type MaintenanceStrings,
  maintenanceStrings,
  rolloutStopWordsIn,
  syncErrorWordsIn,
  unitDetailWordsIn,
  updateRefusalWordsIn,
} from './maintenance-strings.ts';

const STOPS: Record<(typeof ROLLOUT_STOP_CODES)[number], RolloutStop> = {
  STOPPED_BY_CREW: { code: 'STOPPED_BY_CREW' },
  CANARY_FAILED: { code: 'CANARY_FAILED', seatId: '12A', state: 'timed-out', detail: null, detailCode: null },
};

/** `lang.code` of every code whose words are missing or still the English ones. */
function untranslated(table: Record<string, MaintenanceStrings>): string[] {
  const en = table.en!;
  // A dropped key may make the words throw: that counts as missing.
  const safe = (f: () => string | null) => {
    try {
      return f();
    } catch {
      return null;
    }
  };
  const words = (t: MaintenanceStrings) => [
    ...SYNC_ERROR_CODES.map((c) => [c, safe(() => syncErrorWordsIn(t, `${c}: raw message`))] as const),
    ...CREW_UPDATE_REFUSALS.map((c) => [c, safe(() => updateRefusalWordsIn(t, c))] as const),
    ...ROLLOUT_STOP_CODES.map((c) => [c, safe(() => rolloutStopWordsIn(t, STOPS[c]))] as const),
    [
      'NO_HEALTH_REPORT',
      safe(() => unitDetailWordsIn(t, { code: 'NO_HEALTH_REPORT', afterS: 900, was: 'installed' })),
    ] as const,
  ];
  const english = new Map(words(en));
  const missing: string[] = [];
  for (const lang of CREW_LANGUAGES) {
    const t = table[lang];
    for (const [code, w] of t ? words(t) : [['(table)', null] as const])
      if (!w?.trim() || /\{\w+\}/.test(w) || (lang !== 'en' && w === english.get(code)))
        missing.push(`${lang}.${code}`);
  }
  return missing;
}

test('every sync error, refusal, stop reason and unit detail code is worded in every UI language', () => {
  assert.deepEqual(untranslated(maintenanceStrings), []);
  assert.equal(CREW_LANGUAGES.length, 11);
});

test('a language that leaves a code in English or drops it is caught', () => {
  const english = {
    ...maintenanceStrings,
    ja: { ...maintenanceStrings.ja, syncError_NO_LINK: SYNC_ERROR_WORDS.NO_LINK },
  };
  assert.deepEqual(untranslated(english), ['ja.NO_LINK']);
  const { stop_CANARY_FAILED: _, ...dropped } = maintenanceStrings.ar;
  assert.deepEqual(untranslated({ ...maintenanceStrings, ar: dropped as MaintenanceStrings }), ['ar.CANARY_FAILED']);
});

test("English is the CLI's words; an unknown code has none (the screen shows the message as sent)", () => {
  assert.equal(syncErrorWordsIn(maintenanceStrings.en, 'BUNDLE_EXPIRED: 31 days'), SYNC_ERROR_WORDS.BUNDLE_EXPIRED);
  assert.equal(syncErrorWordsIn(maintenanceStrings.ja, 'FLUX_CAPACITOR: gone'), null);
  assert.equal(updateRefusalWordsIn(maintenanceStrings.ja, 'HTTP_500'), null);
  assert.match(syncErrorWordsIn(maintenanceStrings.ja, 'BUNDLE_MALFORMED: short read')!, /IFEC パッケージ/);
});

test('a canary stop names the seat and its state in the language', () => {
  assert.equal(rolloutStopWordsIn(maintenanceStrings.ja, STOPS.CANARY_FAILED).includes('12A'), true);
  assert.match(
    rolloutStopWordsIn(maintenanceStrings.ja, STOPS.CANARY_FAILED),
    new RegExp(maintenanceStrings.ja['unit_timed-out']),
  );
  assert.equal(
    unitDetailWordsIn(maintenanceStrings.fr, { code: 'NO_HEALTH_REPORT', afterS: 5, was: 'rebooted' }),
    `aucun rapport de santé en 5 s (était : ${maintenanceStrings.fr.unit_rebooted})`,
  );
});
