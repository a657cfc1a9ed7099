/**
 * The passenger's settings (shape of protocol's SeatSettings) and how they show on the page:
 * language and direction, text size, contrast, caption style. Kept on the device and, when
 * the replica is open, replicated with the seat's own state.
 */
import type { SeatSettings } from '@ifec/protocol';
import { isUiLanguage } from '../i18n/i18n.ts';
import type { UiLanguage } from '../i18n/strings.ts';

type Captions = NonNullable<SeatSettings['captions']>;

/** The caption choices the settings screen offers (a subset of what the protocol allows). */
export interface CaptionStyle {
  size: NonNullable<Captions['size']>;
  colour: Extract<NonNullable<Captions['colour']>, 'white' | 'yellow' | 'cyan' | 'black'>;
  background: NonNullable<Captions['background']>;
}

/** SeatSettings with every choice made (defaults filled in) and the UI language one the app has. */
export type PassengerSettings = Required<
  Pick<SeatSettings, 'audioDescription' | 'textSize' | 'highContrast' | 'doNotDisturb'>
> &
  Pick<SeatSettings, 'audioLanguage' | 'subtitleLanguage'> & { uiLanguage: UiLanguage; captions: CaptionStyle };

const KEY = 'ifec.settings.v1';

export function defaultSettings(browserLanguage: string): PassengerSettings {
  const lang = browserLanguage.split('-')[0] ?? 'en';
  return {
    uiLanguage: isUiLanguage(lang) ? lang : 'en',
    audioDescription: false,
    textSize: 'normal',
    highContrast: false,
    captions: { size: 'medium', colour: 'white', background: 'semi-transparent' },
    doNotDisturb: false,
  };
}

export class SettingsStore {
  private value: PassengerSettings;
  private readonly listeners = new Set<(s: PassengerSettings) => void>();

  constructor(
    private readonly storage: Storage,
    browserLanguage: string,
  ) {
    const base = defaultSettings(browserLanguage);
    let saved: Partial<PassengerSettings> = {};
    try {
      saved = JSON.parse(storage.getItem(KEY) ?? '{}') as Partial<PassengerSettings>;
    } catch {
      /* a damaged copy falls back to defaults */
    }
    this.value = { ...base, ...saved, captions: { ...base.captions, ...saved.captions } };
    if (!isUiLanguage(this.value.uiLanguage)) this.value.uiLanguage = base.uiLanguage;
  }

  get current(): PassengerSettings {
    return this.value;
  }

  update(patch: Partial<PassengerSettings>): void {
    this.value = { ...this.value, ...patch, captions: { ...this.value.captions, ...patch.captions } };
    this.storage.setItem(KEY, JSON.stringify(this.value));
    for (const l of this.listeners) l(this.value);
  }

  /** Replaces with what another device or the replica holds (no echo back to it). */
  adopt(value: Partial<PassengerSettings>): void {
    this.update(value);
  }

  subscribe(listener: (s: PassengerSettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reset(browserLanguage: string): void {
    this.storage.removeItem(KEY);
    this.value = defaultSettings(browserLanguage);
    for (const l of this.listeners) l(this.value);
  }
}

const CAPTION_PX: Record<CaptionStyle['size'], string> = {
  small: '0.8em',
  medium: '1em',
  large: '1.35em',
  'x-large': '1.7em',
};
const CAPTION_BG: Record<CaptionStyle['background'], string> = {
  black: '#000',
  white: '#fff',
  transparent: 'transparent',
  'semi-transparent': 'rgba(0,0,0,0.7)',
};

/** Applies settings to the document: lang/dir, root font size, contrast, caption CSS variables. */
export function applyToDocument(doc: Document, s: PassengerSettings, dir: 'ltr' | 'rtl'): void {
  const root = doc.documentElement;
  root.lang = s.uiLanguage;
  root.dir = dir;
  root.dataset.textSize = s.textSize;
  root.dataset.contrast = s.highContrast ? 'high' : 'normal';
  root.style.setProperty('--caption-size', CAPTION_PX[s.captions.size]);
  root.style.setProperty('--caption-colour', s.captions.colour);
  root.style.setProperty('--caption-bg', CAPTION_BG[s.captions.background]);
}

/** PBKDF2 of a 4-digit passenger PIN (the PIN itself is never stored). */
export async function hashPin(pin: string, salt: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new TextEncoder().encode(salt), iterations: 100_000 },
    key,
    256,
  );
  return btoa(String.fromCharCode(...new Uint8Array(bits)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}
