import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, UNREACHABLE } from '../api/api-client.ts';
import { cabinStrings } from '../cabin/cabin-strings.ts';
import { translations } from '../i18n/strings.ts';
import { CREW_LANGUAGES, crewLanguageFor, crewStrings, failureReason, fill } from './crew-strings.ts';

/** Words that are the same in English and some languages (loanwords, codes). */
const SAME_AS_ENGLISH = new Set([
  'PIN',
  'Maintenance',
  'Business',
  'Economy',
  'Premium economy',
  'Online',
  'Offline',
  'online',
  'offline',
  'First',
  'Purser',
  'Decks',
  'Flight',
  'Stairs',
  'Phase',
]);
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** Latin letters left in a string of a non-Latin script, apart from placeholders and codes (PA, PIN, ID). */
const latinLeft = (s: string) =>
  s
    .replace(/\{\w+\}/g, '')
    .replace(/\b(PA|PIN|ID)\b/g, '')
    .match(/[A-Za-z]{2,}/g);

function checkComplete(name: string, table: Record<string, Record<string, string>>): void {
  assert.deepEqual(
    Object.keys(table).sort(),
    Object.keys(translations).sort(),
    `${name}: every UI language of the seat`,
  );
  const en = table.en!;
  for (const [lang, strings] of Object.entries(table)) {
    assert.deepEqual(Object.keys(strings).sort(), Object.keys(en).sort(), `${name}.${lang}: the same keys as English`);
    for (const [key, value] of Object.entries(strings)) {
      assert.ok(value.trim().length > 0, `${name}.${lang}.${key} is empty`);
      assert.deepEqual(placeholders(value), placeholders(en[key]!), `${name}.${lang}.${key} keeps the placeholders`);
      if (lang === 'en') continue;
      if (value === en[key] && !SAME_AS_ENGLISH.has(value))
        assert.fail(`${name}.${lang}.${key} is still English: "${value}"`);
      if (['ar', 'zh', 'ja', 'ko', 'hi'].includes(lang))
        assert.equal(latinLeft(value), null, `${name}.${lang}.${key} has Latin words left: "${value}"`);
    }
  }
}

test('the crew console speaks every UI language, every key translated with its placeholders', () => {
  checkComplete('crewStrings', crewStrings);
  assert.equal(crewLanguageFor('pt-BR'), 'pt');
  assert.equal(crewLanguageFor('xx'), 'en');
  assert.deepEqual([...CREW_LANGUAGES].sort(), Object.keys(translations).sort());
});

test('the cabin state words (queued, received, crew is coming) are in every UI language', () => {
  checkComplete('cabinStrings', cabinStrings);
});

test('fill puts values in and leaves an unknown placeholder visible', () => {
  assert.equal(fill('Seat {seat} · {class}', { seat: '12A', class: 'Economy' }), 'Seat 12A · Economy');
  assert.equal(fill('{what}: done', {}), '{what}: done');
});

test('a language that drops a key or a placeholder is caught', () => {
  const broken = { ...crewStrings, fr: { ...crewStrings.fr, seat: 'Siège' } };
  assert.throws(() => checkComplete('crewStrings', broken), /keeps the placeholders/);
  const english = { ...crewStrings, de: { ...crewStrings.de, calls: 'Calls' } };
  assert.throws(() => checkComplete('crewStrings', english), /still English/);
});

test("a failed crew action says why in the console's language, from the appliance's code, never its English", () => {
  const { ja, en } = crewStrings;
  const refusal = (status: number, code: string) => new ApiError(status, code, 'English words from the appliance');
  assert.equal(failureReason(ja, refusal(403, 'ROLE_NOT_ALLOWED')), ja.reason_role);
  assert.equal(failureReason(ja, refusal(401, 'CREW_LOGIN_REQUIRED')), ja.reason_session);
  assert.equal(failureReason(ja, refusal(409, 'NO_ACTIVE_PA')), ja.reason_noPa);
  assert.equal(failureReason(ja, refusal(400, 'UNKNOWN_AIRPORT')), ja.reason_unknownAirport);
  assert.equal(failureReason(ja, refusal(400, 'PA_TEXT_REQUIRED')), ja.reason_invalid);
  assert.equal(failureReason(ja, refusal(503, 'SOMETHING_NEW')), ja.reason_busy);
  assert.equal(failureReason(ja, refusal(0, UNREACHABLE)), ja.reason_unreachable);
  assert.equal(failureReason(ja, new TypeError('Failed to fetch')), ja.reason_unreachable);
  // A code the console does not know yet is named, in the console's words around it.
  assert.equal(failureReason(en, refusal(422, 'CONTENT_LOAD_REFUSED')), 'refused (CONTENT_LOAD_REFUSED)');
  for (const t of Object.values(crewStrings))
    assert.doesNotMatch(failureReason(t, refusal(403, 'ROLE_NOT_ALLOWED')), /English words/);
});
