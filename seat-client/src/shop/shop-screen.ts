/**
 * `#/shop` and `#/shop/title/<titleId>` on the seat and on a paired phone: the catalogue, a
 * basket, card entry (sealed for the ground in this page: card-capture.ts), the receipt. A
 * bought title offers "Watch now" at once (the key server asks the shop).
 */
import type { CardEncryptionKey, OrderReceipt } from '@ifec/protocol';
import { ApiClient, ApiError } from '../api/api-client.ts';
import type { AppContext, View } from '../app/context.ts';
import { h, replace } from '../ui/dom.ts';
import { CardRefused, cardProblem, sealCard } from './card-capture.ts';
import './shop.css';
import { durationLabel, passengerCurrency, priceLabels } from './shop-format.ts';
import { fill, type ShopStrings, shopStringsFor } from './shop-strings.ts';

interface ShopItemView {
  sku: string;
  kind: string;
  name: string;
  unitPriceMinor: number;
  displayPriceMinor: number;
  left: number | null;
  maxQty: number;
  titleId?: string;
  /** Passes: minutes one lasts; null = the whole flight. */
  durationMin?: number | null;
}

interface CatalogueView {
  open: boolean;
  reason?: string;
  currency: string;
  displayCurrency: string;
  /** Display rates of the airline's currency (shown, never charged). */
  rates?: Record<string, number>;
  cardKey: CardEncryptionKey;
  cardHashSalt: string;
  items: ShopItemView[];
}

const KIND_ORDER = ['title', 'pass', 'wifi', 'drink', 'food', 'duty-free', 'bundle'];

export function shopScreen(ctx: AppContext, titleId?: string): View {
  const locale = ctx.locale();
  const s = shopStringsFor(locale.lang);
  const api = new ApiClient(ctx.screen.baseUrl);
  const body = h('div', { class: 'shop-body' }, h('p', { class: 'muted' }, '…'));
  const el = h('section', { class: 'shop', 'data-testid': 'shop' }, h('h1', {}, titleId ? s.buyTitle : s.title), body);
  const basket = new Map<string, number>();
  let catalogue: CatalogueView | undefined;
  /** The passenger's pick of a currency to see prices in (else the seat language's). */
  let picked: string | undefined;
  let disposed = false;

  const auth = async (): Promise<Record<string, string>> => {
    const c = await ctx.credentials();
    return c ? { authorization: `Basic ${btoa(`${c.username}:${c.password}`)}` } : {};
  };
  const money = (minor: number, currency: string) => locale.money(minor / 100, currency);

  const render = () => {
    if (!catalogue) return;
    if (!catalogue.open) return replace(body, h('p', { class: 'shop-closed' }, s.closed));
    const c = catalogue;
    const rates = c.rates ?? {};
    const other = passengerCurrency(locale.lang, c.currency, rates, picked);
    const shownIn = other ? { currency: other, rate: rates[other]! } : undefined;
    const note = other ? fill(s.approxNote, { shown: other, charge: c.currency }) : '';
    /** The charge in the airline's currency, and beside it the approximate one in the passenger's. */
    const price = (minor: number, id?: string) => {
      const p = priceLabels(locale.lang, minor, c.currency, shownIn);
      return [
        h('span', id ? { id } : {}, p.charge),
        p.approx
          ? h('span', { class: 'shop-approx muted', title: note }, ` ${fill(s.approx, { price: p.approx })}`)
          : null,
      ];
    };
    const shown = titleId ? c.items.filter((i) => i.titleId === titleId || i.kind === 'pass') : c.items;
    const groups = KIND_ORDER.map((kind) => shown.filter((i) => i.kind === kind)).filter((g) => g.length);
    const list = h(
      'ul',
      { class: 'shop-items' },
      groups.flat().map((item) => {
        const inBasket = basket.get(item.sku) ?? 0;
        const soldOut = item.left !== null && item.left <= inBasket;
        return h(
          'li',
          { class: 'shop-item', 'data-sku': item.sku },
          h(
            'span',
            { class: 'shop-item-name' },
            item.name,
            item.kind === 'wifi' || item.kind === 'pass'
              ? h(
                  'span',
                  { class: 'shop-item-duration', 'data-duration': String(item.durationMin ?? 'flight') },
                  durationLabel(locale.lang, item.durationMin, s.wholeFlight),
                )
              : null,
          ),
          h('span', { class: 'shop-item-price' }, ...price(item.unitPriceMinor)),
          item.left !== null
            ? h('span', { class: 'shop-item-left muted' }, item.left > 0 ? fill(s.left, { n: item.left }) : s.soldOut)
            : null,
          h(
            'button',
            {
              class: 'button',
              type: 'button',
              'data-add': item.sku,
              disabled: soldOut || inBasket >= item.maxQty,
              'aria-label': `${s.add}: ${item.name}`,
              onclick: () => {
                basket.set(item.sku, inBasket + 1);
                render();
              },
            },
            s.add,
          ),
        );
      }),
    );
    const lines = [...basket].map(([sku, qty]) => ({ item: c.items.find((i) => i.sku === sku)!, qty }));
    const total = lines.reduce((sum, l) => sum + l.item.unitPriceMinor * l.qty, 0);
    const basketEl = h(
      'aside',
      { class: 'shop-basket', 'aria-label': s.basket },
      h('h2', {}, s.basket),
      lines.length === 0
        ? h('p', { class: 'muted' }, s.empty)
        : h(
            'ul',
            { class: 'basket-lines' },
            lines.map((l) =>
              h(
                'li',
                { 'data-line': l.item.sku },
                h('span', {}, `${l.qty} × ${l.item.name}`),
                h('span', {}, money(l.item.unitPriceMinor * l.qty, c.currency)),
                h(
                  'button',
                  {
                    class: 'button secondary',
                    type: 'button',
                    'aria-label': `${s.remove}: ${l.item.name}`,
                    onclick: () => {
                      if (l.qty > 1) basket.set(l.item.sku, l.qty - 1);
                      else basket.delete(l.item.sku);
                      render();
                    },
                  },
                  s.remove,
                ),
              ),
            ),
          ),
      h('p', { class: 'basket-total' }, h('strong', {}, `${s.total}: `), ...price(total, 'basket-total')),
      other ? h('p', { class: 'muted shop-approx-note' }, note) : null,
      lines.length ? cardForm(lines, total) : null,
    );
    const currencies = Object.keys(rates).filter((k) => k !== c.currency);
    const picker = currencies.length
      ? h(
          'label',
          { class: 'shop-currency' },
          `${s.showIn} `,
          h(
            'select',
            {
              id: 'shop-currency',
              onchange: (event: Event) => {
                picked = (event.target as HTMLSelectElement).value;
                render();
              },
            },
            [c.currency, ...currencies].map((code) =>
              h('option', { value: code, selected: code === (other ?? c.currency) }, code),
            ),
          ),
        )
      : null;
    replace(body, h('div', { class: 'shop-top' }, picker), h('div', { class: 'shop-layout' }, list, basketEl));
  };

  const cardForm = (lines: { item: ShopItemView; qty: number }[], total: number) => {
    const c = catalogue!;
    const number = h('input', { id: 'card-number', inputmode: 'numeric', autocomplete: 'cc-number', maxlength: 23 });
    const expiry = h('input', {
      id: 'card-expiry',
      inputmode: 'numeric',
      autocomplete: 'cc-exp',
      placeholder: 'MM/YY',
      maxlength: 5,
    });
    const email = h('input', { id: 'card-email', type: 'email', autocomplete: 'email' });
    const status = h('p', { id: 'shop-status', role: 'status', 'aria-live': 'polite' });
    const pay = h(
      'button',
      { id: 'pay', class: 'button primary', type: 'submit' },
      `${s.pay} ${money(total, c.currency)}`,
    );
    const form = h(
      'form',
      {
        class: 'card-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void submit();
        },
      },
      h('label', { for: 'card-number' }, s.cardNumber),
      number,
      h('label', { for: 'card-expiry' }, s.expiry),
      expiry,
      h('label', { for: 'card-email' }, s.email),
      email,
      h('p', { class: 'muted card-note' }, s.cardNote),
      pay,
      status,
    );
    const submit = async () => {
      const [mm, yy] = expiry.value.split('/').map((x) => Number.parseInt(x.trim(), 10));
      const card = { pan: number.value.replace(/[\s-]/g, ''), expMonth: mm ?? 0, expYear: 2000 + (yy ?? 0) };
      const problem =
        card.expMonth >= 1 && card.expMonth <= 12 ? cardProblem(card) : new CardRefused('CARD_EXPIRED', '');
      if (problem) {
        status.textContent = problem.code === 'CARD_EXPIRED' ? s.expiredCard : s.invalidCard;
        status.className = 'error';
        return;
      }
      pay.disabled = true;
      status.className = '';
      status.textContent = s.paying;
      const orderId = crypto.randomUUID();
      try {
        const sealed = await sealCard(card, orderId, c.cardKey, c.cardHashSalt);
        number.value = '';
        const seatId = await seatOf();
        const receipt = await api.request<OrderReceipt>('/api/shop/orders', {
          method: 'POST',
          headers: await auth(),
          body: {
            orderId,
            seatId,
            lines: lines.map((l) => ({ sku: l.item.sku, qty: l.qty, unitPriceMinor: l.item.unitPriceMinor })),
            currency: c.currency,
            totalMinor: total,
            card: sealed,
            ...(email.value ? { email: email.value } : {}),
          },
        });
        basket.clear();
        showReceipt(receipt);
      } catch (error) {
        pay.disabled = false;
        status.className = 'error';
        status.textContent = messageOf(error, s);
        if (error instanceof ApiError && error.code === 'PRICE_CHANGED') void load();
      }
    };
    return form;
  };

  const seatOf = async (): Promise<string> => {
    if (ctx.screen.seat) return ctx.screen.seat.seatId;
    const mine = await api.request<{ seatId: string }>('/api/shop/orders', { headers: await auth() });
    return mine.seatId;
  };

  const showReceipt = (r: OrderReceipt) => {
    const c = catalogue!;
    const film = r.lines.map((l) => c.items.find((i) => i.sku === l.sku)?.titleId).find(Boolean);
    replace(
      body,
      h(
        'div',
        { id: 'receipt', class: 'receipt', 'data-order-id': r.orderId, 'data-status': r.status },
        h('h2', {}, s.thanks),
        h(
          'p',
          {},
          `${s.order} ${r.orderId.slice(0, 8).toUpperCase()} · ${r.card.brand.toUpperCase()} •••• ${r.card.last4}`,
        ),
        h(
          'ul',
          {},
          r.lines.map((l) =>
            h(
              'li',
              {},
              `${l.qty} × ${c.items.find((i) => i.sku === l.sku)?.name ?? l.sku} — ${money(l.qty * l.unitPriceMinor, r.currency)}`,
            ),
          ),
        ),
        h('p', {}, h('strong', {}, `${s.total}: ${money(r.totalMinor, r.currency)}`)),
        r.status === 'placed' ? h('p', { class: 'muted' }, fill(s.toSeat, { seat: r.seatId })) : null,
        film
          ? h(
              'button',
              {
                id: 'watch-now',
                class: 'button primary',
                type: 'button',
                onclick: () => ctx.navigate(`#/play/${encodeURIComponent(film)}`),
              },
              s.watchNow,
            )
          : null,
        h('button', { class: 'button secondary', type: 'button', onclick: () => void load() }, s.title),
      ),
    );
  };

  const load = async () => {
    const lang = encodeURIComponent(locale.lang);
    try {
      const next = await api.request<CatalogueView>(`/api/shop/catalogue?lang=${lang}`);
      if (disposed) return;
      catalogue = next;
      if (titleId && basket.size === 0) {
        const item = next.items.find((i) => i.titleId === titleId);
        if (item) basket.set(item.sku, 1);
      }
      render();
    } catch (error) {
      replace(body, h('p', { class: 'error' }, messageOf(error, s)));
    }
  };
  void load();
  return {
    el,
    title: s.title,
    dispose: () => {
      disposed = true;
    },
  };
}

function messageOf(error: unknown, s: ShopStrings): string {
  if (error instanceof ApiError) {
    if (error.code === 'CARD_INVALID_NUMBER') return s.invalidCard;
    if (error.code === 'CARD_EXPIRED') return s.expiredCard;
    if (error.code === 'PRICE_CHANGED') return s.priceChanged;
    if (error.code === 'OUT_OF_STOCK') return s.soldOut;
    return fill(s.refused, { reason: error.message });
  }
  return fill(s.refused, { reason: (error as Error).message });
}
