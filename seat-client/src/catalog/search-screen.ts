/** Search: every word must match, accents and case ignored, any language a title has. */
import type { AppContext, View } from '../app/context.ts';
import { recommendationsApiOf, searchSignaller } from '../recommendations/reco-api.ts';
import { h, replace } from '../ui/dom.ts';
import { grid } from './cards.ts';
import { searchTitles } from './model.ts';

export function searchScreen(ctx: AppContext, initial: string): View {
  const locale = ctx.locale();
  const { t } = locale;
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  // Kept by the appliance only if the passenger opted in to personalisation.
  const signalSearch = searchSignaller(recommendationsApiOf(ctx));
  const show = (q: string) => {
    replace(results, q.trim() ? grid(searchTitles(ctx.titles(), q), locale, t.noResults) : null);
  };
  const input = h('input', {
    type: 'search',
    id: 'search-input',
    class: 'search-input',
    placeholder: t.searchPlaceholder,
    value: initial,
    autocomplete: 'off',
    spellcheck: 'false',
    onInput: (e: Event) => {
      const q = (e.target as HTMLInputElement).value;
      history.replaceState(null, '', `#/search?q=${encodeURIComponent(q)}`);
      show(q);
      signalSearch(q);
    },
  });
  show(initial);
  const el = h(
    'div',
    { class: 'search' },
    h('h1', {}, h('label', { for: 'search-input' }, t.search)),
    h('form', { role: 'search', onSubmit: (e: Event) => e.preventDefault() }, input),
    results,
  );
  queueMicrotask(() => input.focus());
  return { el, title: t.search };
}
