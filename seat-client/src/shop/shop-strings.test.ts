import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translations } from '../i18n/strings.ts';
import { fill, shopStrings, shopStringsFor } from './shop-strings.ts';

test('the shop speaks every UI language, with no empty entry and every placeholder kept', () => {
  assert.deepEqual(Object.keys(shopStrings).sort(), Object.keys(translations).sort());
  const en = shopStrings.en!;
  for (const [lang, strings] of Object.entries(shopStrings)) {
    for (const [key, value] of Object.entries(strings)) {
      assert.ok(value.trim().length > 0, `${lang}.${key}`);
      const wanted = (en[key as keyof typeof en].match(/\{\w+\}/g) ?? []).sort();
      assert.deepEqual((value.match(/\{\w+\}/g) ?? []).sort(), wanted, `${lang}.${key} keeps its placeholders`);
    }
    if (lang !== 'en' && lang !== 'de') assert.notEqual(strings.title, en.title, `${lang} title is translated`);
  }
  assert.equal(shopStringsFor('pt-BR').basket, shopStrings.pt!.basket);
  assert.equal(shopStringsFor('xx').basket, en.basket);
  assert.equal(fill(en.left, { n: 3 }), '3 left');
});
