/** Settings: language, text size, contrast, caption style, parental lock. */
import type { AppContext, View } from '../app/context.ts';
import { PARENTAL_AGES } from '../catalog/model.ts';
import { fill, screenStrings } from '../i18n/screen-strings.ts';
import { languageNames, type UiLanguage } from '../i18n/strings.ts';
import { h } from '../ui/dom.ts';
import type { CaptionStyle, PassengerSettings } from './settings.ts';

export function settingsScreen(ctx: AppContext): View {
  const locale = ctx.locale();
  const { t } = locale;
  const s = ctx.settings.current;
  const choice = <V extends string>(
    id: string,
    label: string,
    value: V,
    options: [V, string][],
    apply: (v: V) => void,
  ) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      h(
        'select',
        { id, onChange: (e: Event) => apply((e.target as HTMLSelectElement).value as V) },
        options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
      ),
    );
  const update = (patch: Partial<PassengerSettings>) => ctx.settings.update(patch);
  const caption = (patch: Partial<CaptionStyle>) => update({ captions: { ...s.captions, ...patch } });

  const pinInput = h('input', {
    id: 'parental-pin',
    type: 'password',
    inputmode: 'numeric',
    maxlength: 4,
    autocomplete: 'off',
  });
  const parental = ctx.parental;
  const words = screenStrings[locale.lang];
  // The lock's state is always said (the screen is rebuilt when it changes); refusals go below the field.
  const state = h(
    'p',
    { class: 'parental-state', id: 'parental-state', 'data-locked': String(parental.active) },
    parental.active ? fill(words.pinLocked, { age: parental.maxAge }) : words.pinUnlocked,
  );
  const pinMessage = h('p', { class: 'field-message', role: 'status', id: 'parental-message' });
  const submit = async () => {
    const outcome = await parental.toggle(pinInput.value);
    pinInput.value = '';
    if (outcome === 'too-short') pinMessage.textContent = words.pinTooShort;
    else if (outcome === 'wrong') pinMessage.textContent = t.wrongPin;
  };
  const parentalSection = h(
    'fieldset',
    { class: 'group' },
    h('legend', {}, t.parentalLock),
    parental.byCrew ? h('p', { class: 'notice' }, t.lockedByCrew) : null,
    state,
    choice(
      'parental-age',
      words.ageLimit,
      String(parental.maxAge),
      PARENTAL_AGES.map((a) => [String(a), fill(words.ageYears, { age: a })] as [string, string]),
      (v) => parental.setMaxAge(Number(v)),
    ),
    h(
      'form',
      {
        class: 'parental-form',
        novalidate: true,
        onSubmit: (e: Event) => {
          e.preventDefault();
          void submit();
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'parental-pin' }, t.pin), pinInput),
      h(
        'button',
        { type: 'submit', class: 'button primary', id: 'parental-toggle' },
        parental.byPassenger ? t.unlock : t.lock,
      ),
    ),
    pinMessage,
  );

  const el = h(
    'div',
    { class: 'settings' },
    h('h1', {}, t.settings),
    h(
      'fieldset',
      { class: 'group' },
      h('legend', {}, t.language),
      choice('ui-language', t.language, s.uiLanguage, Object.entries(languageNames) as [UiLanguage, string][], (v) =>
        update({ uiLanguage: v }),
      ),
      choice(
        'text-size',
        t.textSize,
        s.textSize,
        [
          ['normal', t.medium],
          ['large', t.large],
          ['x-large', `${t.large} +`],
        ],
        (v) => update({ textSize: v }),
      ),
      h(
        'label',
        { class: 'check', for: 'high-contrast' },
        h('input', {
          type: 'checkbox',
          id: 'high-contrast',
          checked: s.highContrast,
          onChange: (e: Event) => update({ highContrast: (e.target as HTMLInputElement).checked }),
        }),
        t.highContrast,
      ),
    ),
    h(
      'fieldset',
      { class: 'group' },
      h('legend', {}, t.captions),
      choice(
        'caption-size',
        t.captionSize,
        s.captions.size,
        [
          ['small', t.small],
          ['medium', t.medium],
          ['large', t.large],
          ['x-large', `${t.large} +`],
        ],
        (v) => caption({ size: v }),
      ),
      choice(
        'caption-colour',
        t.captionColour,
        s.captions.colour,
        [
          ['white', t.white],
          ['yellow', t.yellow],
          ['cyan', t.cyan],
          ['black', t.black],
        ],
        (v) => caption({ colour: v }),
      ),
      choice(
        'caption-background',
        t.captionBackground,
        s.captions.background,
        [
          ['semi-transparent', `${t.black} 70%`],
          ['black', t.black],
          ['white', t.white],
          ['transparent', t.transparent],
        ],
        (v) => caption({ background: v }),
      ),
      h('p', { class: 'caption-preview', 'aria-hidden': 'true' }, h('span', {}, 'Aa — 字幕 — ترجمة')),
    ),
    parentalSection,
  );
  return { el, title: t.settings };
}
