/** Settings: language, text size, contrast, caption style, parental lock. */
import type { AppContext, View } from '../app/context.ts';
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
    pattern: '[0-9]{4}',
    maxlength: 4,
    autocomplete: 'off',
  });
  const pinMessage = h('p', { class: 'field-message', role: 'status', id: 'parental-message' });
  const parental = ctx.parental;
  const parentalSection = h(
    'fieldset',
    { class: 'group' },
    h('legend', {}, t.parentalLock),
    parental.byCrew ? h('p', { class: 'notice' }, t.lockedByCrew) : null,
    h('div', { class: 'field' }, h('label', { for: 'parental-pin' }, t.pin), pinInput),
    h(
      'button',
      {
        type: 'button',
        class: 'button primary',
        id: 'parental-toggle',
        onClick: async () => {
          const ok = parental.byPassenger ? await parental.unlock(pinInput.value) : await parental.lock(pinInput.value);
          pinMessage.textContent = ok ? (parental.byPassenger ? t.parentalHidden : '') : t.wrongPin;
          pinInput.value = '';
        },
      },
      parental.byPassenger ? t.unlock : t.lock,
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
