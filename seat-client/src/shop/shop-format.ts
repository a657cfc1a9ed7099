/**
 * How the shop writes prices and pass durations. Pure (the unit test runs it in Node).
 *
 * Prices are charged in the airline's currency; beside each, the passenger's currency at the
 * catalogue's published display rate, marked as approximate. The passenger's currency is
 * guessed from the seat's language and can be changed with the shop's picker.
 */
import { displayPrice } from '@ifec/protocol';

/** A likely currency for a UI language (the UI languages carry no region). */
const CURRENCY_OF_LANGUAGE: Record<string, string> = {
  en: 'USD',
  fr: 'EUR',
  de: 'EUR',
  es: 'EUR',
  pt: 'EUR',
  it: 'EUR',
  ar: 'AED',
  zh: 'CNY',
  ja: 'JPY',
  ko: 'KRW',
  hi: 'INR',
};

/** The passenger's currency to show: the one picked, else the language's, when the catalogue has a rate for it. */
export function passengerCurrency(
  lang: string,
  airline: string,
  rates: Record<string, number>,
  picked?: string,
): string | undefined {
  for (const c of [picked, CURRENCY_OF_LANGUAGE[lang.slice(0, 2)]])
    if (c === airline) return undefined;
    else if (c && rates[c] !== undefined) return c;
  return undefined;
}

export function money(lang: string, minor: number, currency: string): string {
  return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(minor / 100);
}

/** `€3.50` and, when another currency is shown, `≈ $3.78` (the charge is always the first). */
export function priceLabels(
  lang: string,
  priceMinor: number,
  airline: string,
  shown: { currency: string; rate: number } | undefined,
): { charge: string; approx?: string } {
  const charge = money(lang, priceMinor, airline);
  if (!shown) return { charge };
  return { charge, approx: money(lang, displayPrice(priceMinor, shown.rate), shown.currency) };
}

/** "1 hour", "30 minutes", "1 hour 30 minutes" in the seat's language; `wholeFlight` when unlimited. */
export function durationLabel(lang: string, durationMin: number | null | undefined, wholeFlight: string): string {
  if (durationMin === null || durationMin === undefined) return wholeFlight;
  const unit = (value: number, u: 'hour' | 'minute') =>
    new Intl.NumberFormat(lang, { style: 'unit', unit: u, unitDisplay: 'long' }).format(value);
  const h = Math.floor(durationMin / 60);
  const m = durationMin % 60;
  if (h === 0) return unit(m, 'minute');
  return m === 0 ? unit(h, 'hour') : `${unit(h, 'hour')} ${unit(m, 'minute')}`;
}
