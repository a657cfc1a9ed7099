/** How the maintenance screen writes times, sizes and counts: Intl in the console's language. */
import { fill } from './crew-strings.ts';
import { type MaintenanceStrings, maintenanceStringsFor } from './maintenance-strings.ts';

/** Dates, durations, sizes and counts in the console's language (Intl), words from maintenance-strings.ts. */
export function maintenanceFormat(lang: string) {
  const t: MaintenanceStrings = maintenanceStringsFor(lang);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'always' });
  const num = new Intl.NumberFormat(lang);
  return {
    t,
    num: (n: number) => num.format(n),
    dateTime: (iso: string) => new Date(iso).toLocaleString(lang),
    date: (iso: string) => new Date(iso).toLocaleDateString(lang),
    when(iso: string | null): string {
      if (!iso) return t.never;
      const s = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
      const a = Math.abs(s);
      const rel =
        a < 90
          ? rtf.format(s, 'second')
          : a < 5400
            ? rtf.format(Math.round(s / 60), 'minute')
            : rtf.format(Math.round(s / 3600), 'hour');
      return `${new Date(iso).toLocaleString(lang)} (${rel})`;
    },
    bytes(n: number): string {
      const [value, unit] =
        n < 1024 ? [n, 'byte'] : n < 1024 ** 2 ? [n / 1024, 'kilobyte'] : [n / 1024 ** 2, 'megabyte'];
      return new Intl.NumberFormat(lang, {
        style: 'unit',
        unit,
        unitDisplay: 'short',
        maximumFractionDigits: 1,
      }).format(value);
    },
    records: (n: number) => fill(n === 1 ? t.recordsOne : t.records, { count: num.format(n) }),
  };
}
