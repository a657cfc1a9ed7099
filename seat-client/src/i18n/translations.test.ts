/**
 * Every UI string table of the seat app (strings.ts and every `*-strings.ts` under src/, found
 * on disk so a new table is covered without editing this file) has every key in every UI
 * language, with the same {placeholders}, and no value left in English. A value that is
 * rightly the same word as in English ("Jazz" in Spanish) is named in SAME_AS_ENGLISH.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { translations } from './strings.ts';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LANGUAGES = Object.keys(translations);

/** `table.key` per language: the same word as English, checked by a speaker of it. */
const SAME_AS_ENGLISH: Record<string, ReadonlySet<string>> = {
  fr: new Set([
    'strings.audioLanguages',
    'strings.cyan',
    'strings.pause',
    'strings.seek',
    'strings.volume',
    'map.altitude',
    'map.atDestination',
    'screen.genres.romance',
    'screen.genres.animation',
    'screen.genres.jazz',
    'crew.role_maintenance',
    'crew.maintenance',
    'crew.fp_phase',
    'shop.total',
  ]),
  de: new Set([
    'strings.cyan',
    'strings.pause',
    'strings.seek',
    'screen.genres.drama',
    'crew.pin',
    'crew.role_purser',
    'crew.decks',
    'crew.class_first',
    'crew.class_business',
    'crew.class_economy',
    'crew.legendOnline',
    'crew.legendOffline',
    'crew.state_online',
    'crew.fp_phase',
    'shop.title',
  ]),
  es: new Set([
    'strings.audioLanguages',
    'screen.genres.drama',
    'screen.genres.jazz',
    'screen.genres.pop',
    'crew.pin',
    'crew.class_business',
    'shop.total',
  ]),
  pt: new Set([
    'strings.volume',
    'map.altitude',
    'screen.genres.drama',
    'screen.genres.romance',
    'screen.genres.jazz',
    'screen.genres.pop',
    'crew.pin',
    'shop.total',
  ]),
  it: new Set([
    'strings.home',
    'strings.audioLanguages',
    'strings.volume',
    'screen.genres.sport',
    'screen.genres.jazz',
    'screen.genres.pop',
    'crew.pin',
    'crew.class_business',
    'crew.class_premium',
    'crew.class_economy',
    'crew.legendOnline',
    'crew.legendOffline',
    'crew.state_online',
  ]),
  // The keypad says PIN on the seat units there too.
  ja: new Set(['crew.pin']),
  ko: new Set(['crew.pin']),
};

type Flat = Map<string, string>;

function flatten(value: unknown, prefix: string, out: Flat): Flat {
  if (typeof value === 'string') out.set(prefix, value);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

function stringTables(): Promise<{ name: string; table: Record<string, unknown> }[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'strings.ts' || entry.name.endsWith('-strings.ts')) files.push(p);
    }
  };
  walk(SRC);
  return Promise.all(
    files.map(async (file) => {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      // The table: the export keyed by language, holding objects (not languageNames' plain strings).
      const table = Object.values(mod).find(
        (v): v is Record<string, unknown> =>
          !!v &&
          typeof v === 'object' &&
          'en' in v &&
          typeof (v as Record<string, unknown>).en === 'object' &&
          'fr' in v,
      );
      assert.ok(table, `${path.relative(SRC, file)} exports no table keyed by language`);
      return { name: path.basename(file, '.ts').replace(/-strings$/, ''), table };
    }),
  );
}

test('every string table has every key, the same placeholders and no English left in any UI language', async () => {
  const tables = await stringTables();
  assert.ok(tables.length >= 3, `found ${tables.map((t) => t.name).join(', ')}`);
  const problems: string[] = [];
  for (const { name, table } of tables) {
    const english = flatten(table.en, '', new Map());
    for (const lang of LANGUAGES) {
      if (lang === 'en') continue;
      const own = table[lang];
      if (!own) {
        problems.push(`${name}: no ${lang} table`);
        continue;
      }
      const words = flatten(own, '', new Map());
      for (const [key, en] of english) {
        const value = words.get(key);
        const id = `${name}.${key}`;
        if (value === undefined || value.trim() === '') problems.push(`${id} [${lang}] missing`);
        else {
          const holes = (s: string) =>
            [...s.matchAll(/\{(\w+)\}/g)]
              .map((m) => m[1])
              .sort()
              .join(',');
          if (holes(value) !== holes(en)) problems.push(`${id} [${lang}] placeholders ${holes(value)} ≠ ${holes(en)}`);
          if (value === en && /[A-Za-z]{3}/.test(en) && !SAME_AS_ENGLISH[lang]?.has(id))
            problems.push(`${id} [${lang}] still English: "${en}"`);
        }
      }
      for (const key of words.keys()) if (!english.has(key)) problems.push(`${name}.${key} [${lang}] not in English`);
      // The list of words rightly the same stays exact: an entry that differs from English now is stale.
      for (const id of SAME_AS_ENGLISH[lang] ?? [])
        if (
          id.startsWith(`${name}.`) &&
          words.get(id.slice(name.length + 1)) !== english.get(id.slice(name.length + 1))
        )
          problems.push(`${id} [${lang}] is listed as the same as English but is not`);
    }
  }
  assert.deepEqual(problems, []);
});

test('Arabic says "Play" and "On" with different words', () => {
  assert.notEqual(translations.ar.play, translations.ar.on);
});
