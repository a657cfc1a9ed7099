/**
 * The chosen language: UI words, metadata with fallback, and Intl formatting. One instance
 * per app (passed in, not a global).
 */
import { RTL_LANGUAGES, translations, type UiLanguage, type UiStrings } from './strings.ts';

export function isUiLanguage(code: string): code is UiLanguage {
  return Object.hasOwn(translations, code);
}

export class Locale {
  readonly t: UiStrings;
  readonly dir: 'ltr' | 'rtl';

  constructor(readonly lang: UiLanguage) {
    this.t = translations[lang];
    this.dir = RTL_LANGUAGES.has(lang) ? 'rtl' : 'ltr';
  }

  /** Metadata text in this language, else English, else the first one the content has. */
  pick(texts: Record<string, string> | undefined): string {
    if (!texts) return '';
    return texts[this.lang] ?? texts[this.lang.split('-')[0]!] ?? texts.en ?? Object.values(texts)[0] ?? '';
  }

  /** One formatter per unit: building an Intl.NumberFormat per card cost home ~150 ms at 4x CPU throttling. */
  private readonly units = new Map<string, Intl.NumberFormat>();

  /** "1 h 52 min" in this language. */
  duration(seconds: number): string {
    const unit = (value: number, u: 'hour' | 'minute' | 'second') => {
      let format = this.units.get(u);
      if (!format) {
        format = new Intl.NumberFormat(this.lang, { style: 'unit', unit: u, unitDisplay: 'short' });
        this.units.set(u, format);
      }
      return format.format(value);
    };
    if (seconds < 60) return unit(Math.round(seconds), 'second');
    const h = Math.floor(seconds / 3600);
    const m = Math.round((seconds % 3600) / 60);
    return h > 0 ? `${unit(h, 'hour')} ${unit(m, 'minute')}` : unit(m, 'minute');
  }

  clock(seconds: number): string {
    const s = Math.max(0, Math.floor(seconds));
    const hh = Math.floor(s / 3600),
      mm = Math.floor((s % 3600) / 60),
      ss = s % 60;
    const two = (n: number) => String(n).padStart(2, '0');
    return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
  }

  money(amount: number, currency: string): string {
    return new Intl.NumberFormat(this.lang, { style: 'currency', currency }).format(amount);
  }

  date(iso: string): string {
    return new Intl.DateTimeFormat(this.lang, { dateStyle: 'medium' }).format(new Date(iso));
  }

  time(date: Date): string {
    return new Intl.DateTimeFormat(this.lang, { timeStyle: 'short' }).format(date);
  }

  /** A language code ("fr", "pt-BR") named in the UI language. */
  languageName(code: string): string {
    try {
      return new Intl.DisplayNames([this.lang], { type: 'language' }).of(code) ?? code;
    } catch {
      return code;
    }
  }
}
