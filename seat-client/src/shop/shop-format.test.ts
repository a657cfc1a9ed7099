import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationLabel, passengerCurrency, priceLabels } from './shop-format.ts';

const rates = { USD: 1.08, GBP: 0.86, JPY: 160.2 };
const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

test("the passenger's currency: the one picked, else the seat language's, only at a published rate", () => {
  assert.equal(passengerCurrency('en', 'EUR', rates), 'USD');
  assert.equal(passengerCurrency('ja', 'EUR', rates), 'JPY');
  assert.equal(passengerCurrency('fr', 'EUR', rates), undefined, 'French seats already see euros');
  assert.equal(passengerCurrency('hi', 'EUR', rates), undefined, 'no published INR rate: nothing invented');
  assert.equal(passengerCurrency('en', 'EUR', rates, 'GBP'), 'GBP');
  assert.equal(passengerCurrency('ja', 'EUR', rates, 'EUR'), undefined, 'picking the airline currency hides the other');
  assert.equal(passengerCurrency('en', 'EUR', rates, 'CHF'), 'USD', 'a pick without a rate falls back');
  assert.equal(passengerCurrency('en', 'EUR', {}), undefined);
});

test('prices: charged in the airline currency, the other converted at the rate and rounded to its minor unit', () => {
  assert.deepEqual(priceLabels('en', 350, 'EUR', undefined), { charge: '€3.50' });
  assert.deepEqual(priceLabels('en', 350, 'EUR', { currency: 'USD', rate: 1.08 }), {
    charge: '€3.50',
    approx: '$3.78',
  });
  // 3.50 EUR × 160.2 = 560.7 JPY: yen have no minor unit shown.
  assert.equal(priceLabels('en', 350, 'EUR', { currency: 'JPY', rate: 160.2 }).approx, '¥561');
  assert.equal(
    nbsp(priceLabels('fr', 1299, 'EUR', { currency: 'GBP', rate: 0.86 }).approx!),
    '11,17 £GB',
    'as French writes pounds',
  );
  assert.equal(nbsp(priceLabels('de', 0, 'EUR', undefined).charge), '0,00 €');
});

test('pass durations in the seat language; no duration is the whole flight', () => {
  assert.equal(durationLabel('en', 60, 'Whole flight'), '1 hour');
  assert.equal(durationLabel('en', 30, 'Whole flight'), '30 minutes');
  assert.equal(durationLabel('en', 150, 'Whole flight'), '2 hours 30 minutes');
  assert.equal(durationLabel('en', null, 'Whole flight'), 'Whole flight');
  assert.equal(nbsp(durationLabel('fr', 120, 'Tout le vol')), '2 heures');
  assert.equal(durationLabel('de', 60, 'Ganzer Flug'), '1 Stunde');
  assert.equal(durationLabel('ja', undefined, 'フライト中ずっと'), 'フライト中ずっと');
});
