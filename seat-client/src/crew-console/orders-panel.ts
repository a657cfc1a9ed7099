/**
 * The crew console's shop panel: the order queue (accept, deliver, cancel, out of stock),
 * this flight's stock and the galley summary (what to prepare for open orders). One element
 * for the console's life with its own 2 s poll, like the flight panel: the console redraws
 * its other panels and must not rebuild this one under a crew member's finger.
 */
import { adPaths, type OrderRecord, type ShopAnomaly, shopAnomalyPaths, shopPaths } from '@ifec/protocol';
import { ApiClient } from '../api/api-client.ts';
import { fill } from '../i18n/screen-strings.ts';
import { h, replace } from '../ui/dom.ts';
import { crewLanguageFor, crewStrings, failureReason } from './crew-strings.ts';
import { type OrdersStrings, ordersStringsFor } from './orders-strings.ts';
import './orders-panel.css';

export interface OrdersPanelDeps {
  baseUrl: string;
  token: string;
  fetchFn?: typeof fetch;
  /** The console's language (crew-strings.ts CREW_LANGUAGES). */
  lang?: () => string;
}

interface Stock {
  sku: string;
  name: string;
  loaded: number;
  sold: number;
  left: number;
}
interface Galley {
  openOrders: number;
  items: { sku: string; units: number; seats: string[] }[];
}

const POLL_MS = 2000;
type Label = keyof OrdersStrings;
const NEXT: Record<string, { status: string; label: Label }[]> = {
  placed: [
    { status: 'accepted', label: 'accept' },
    { status: 'delivered', label: 'delivered' },
    { status: 'out-of-stock', label: 'outOfStock' },
    { status: 'cancelled', label: 'cancel' },
  ],
  accepted: [
    { status: 'delivered', label: 'delivered' },
    { status: 'out-of-stock', label: 'outOfStock' },
    { status: 'cancelled', label: 'cancel' },
  ],
  fulfilled: [{ status: 'cancelled', label: 'cancelRefund' }],
};

/** Why a seat is flagged, in the crew's words (the rules come from the airline's policy). */
const FLAG_REASONS: Record<
  ShopAnomaly['rule'],
  (t: OrdersStrings, observed: number, threshold: number, amount: (minor: number) => string) => string
> = {
  'declined-attempts': (t, n, at) => fill(t.declinedAttempts, { n, t: at }),
  'distinct-cards': (t, n, at) => fill(t.distinctCards, { n, t: at }),
  'session-total': (t, n, _at, amount) => fill(t.sessionTotal, { amount: amount(n) }),
  'order-total': (t, n, _at, amount) => fill(t.orderTotal, { amount: amount(n) }),
};

const money = (lang: string, minor: number, currency: string) =>
  new Intl.NumberFormat(lang, { style: 'currency', currency }).format(minor / 100);

export class OrdersPanel {
  readonly el: HTMLElement;
  private readonly heading = h('h2', { id: 'orders-heading' });
  private readonly body = h('div', { class: 'orders-body' });
  private readonly message = h('p', { class: 'muted', id: 'crew-orders-message', role: 'status' });
  private readonly client: ApiClient;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Item names in the console's language by sku (from the stock answer); a sku is shown only when unknown. */
  private names: Record<string, string> = {};
  /** What the last refresh drew, to draw it again in another language at once. */
  private last?: Parameters<OrdersPanel['render']>;

  constructor(private readonly deps: OrdersPanelDeps) {
    this.client = new ApiClient(deps.baseUrl, deps.fetchFn);
    this.heading.textContent = this.t.title;
    replace(this.body, h('p', { class: 'muted' }, this.t.loading));
    this.el = h(
      'section',
      { class: 'panel orders', id: 'crew-orders', 'aria-labelledby': 'orders-heading' },
      this.heading,
      this.body,
      this.message,
    );
  }

  private get lang(): string {
    return this.deps.lang?.() ?? 'en';
  }

  private get t(): OrdersStrings {
    return ordersStringsFor(this.lang);
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The console's language changed: its words now, the item names with the next answer. */
  relabel(): void {
    this.heading.textContent = this.t.title;
    if (this.last) this.render(...this.last);
    void this.refresh();
  }

  private call<T>(path: string, init: { method?: 'POST'; body?: unknown } = {}): Promise<T> {
    return this.client.request<T>(path, { ...init, headers: { authorization: `Bearer ${this.deps.token}` } });
  }

  async refresh(): Promise<void> {
    try {
      const [orders, stock, galley, anomalies, ads] = await Promise.all([
        this.call<{ orders: OrderRecord[] }>(shopPaths.crewOrders),
        this.call<{ stock: Stock[]; names?: Record<string, string> }>(
          `${shopPaths.crewStock}?lang=${encodeURIComponent(this.lang)}`,
        ),
        this.call<Galley>(shopPaths.crewGalley),
        this.call<{ flagged: ShopAnomaly[] }>(shopAnomalyPaths.crewAnomalies),
        this.call<{ enabled: boolean }>(adPaths.crewSwitch),
      ]);
      this.names = stock.names ?? {};
      this.last = [orders.orders, stock.stock, galley, anomalies.flagged, ads.enabled];
      this.render(...this.last);
    } catch (error) {
      this.message.textContent = fill(this.t.notLoaded, { reason: this.reason(error) });
    }
  }

  private async setStatus(order: OrderRecord, status: string): Promise<void> {
    try {
      await this.call(shopPaths.crewOrderStatus.replace(':orderId', order.orderId), {
        method: 'POST',
        body: { status },
      });
      this.message.textContent = fill(this.t.orderChanged, {
        id: order.orderId.slice(0, 8),
        seat: order.seatId,
        status: this.statusName(status),
      });
    } catch (error) {
      this.message.textContent = this.reason(error);
    }
    await this.refresh();
  }

  private async switchAds(enabled: boolean): Promise<void> {
    try {
      await this.call(adPaths.crewSwitch, { method: 'POST', body: { enabled } });
      this.message.textContent = enabled ? this.t.adsOnMsg : this.t.adsOffMsg;
    } catch (error) {
      this.message.textContent = this.reason(error);
    }
    await this.refresh();
  }

  /** Why it failed, in the console's language (the appliance's message is English, for the log). */
  private reason(error: unknown): string {
    return failureReason(crewStrings[crewLanguageFor(this.lang)], error);
  }

  private statusName(status: string): string {
    return (this.t as Record<string, string>)[`st_${status}`] ?? status;
  }

  private render(orders: OrderRecord[], stock: Stock[], galley: Galley, flagged: ShopAnomaly[], adsOn: boolean): void {
    const t = this.t;
    const lang = this.lang;
    this.heading.textContent = t.title;
    const currency = orders[0]?.currency;
    const amount = (minor: number) => (currency ? money(lang, minor, currency) : (minor / 100).toFixed(2));
    const open = orders.filter((o) => o.status === 'placed' || o.status === 'accepted');
    replace(
      this.body,
      flagged.length
        ? h(
            'ul',
            { class: 'flagged-seats', id: 'crew-flagged-seats', role: 'alert' },
            flagged.map((f) =>
              h(
                'li',
                { 'data-seat': f.seatId, 'data-rule': f.rule },
                h('strong', {}, fill(t.flagged, { seat: f.seatId })),
                ` — ${FLAG_REASONS[f.rule](t, f.observed, f.threshold, amount)}`,
              ),
            ),
          )
        : '',
      h(
        'p',
        { class: 'summary', id: 'crew-orders-summary' },
        fill(t.summary, { open: open.length, total: orders.length }),
      ),
      h(
        'ul',
        { class: 'order-queue' },
        orders.slice(0, 30).map((o) =>
          h(
            'li',
            { class: `order order-${o.status}`, 'data-order-id': o.orderId, 'data-status': o.status },
            h('strong', {}, fill(t.seat, { seat: o.seatId })),
            h('span', {}, o.lines.map((l) => `${l.qty} × ${this.names[l.sku] ?? l.sku}`).join(', ')),
            h('span', { class: 'order-status' }, this.statusName(o.status)),
            h('span', { class: 'muted' }, new Date(o.placedAt).toISOString().slice(11, 16)),
            h('span', {}, `${money(lang, o.totalMinor, o.currency)} · ${o.card.brand} •••• ${o.card.last4}`),
            h('span', {}, o.placedBy.startsWith('phone:') ? t.fromPhone : t.fromSeat),
            h(
              'span',
              { class: 'buttons' },
              (NEXT[o.status] ?? []).map((n) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'button',
                    'data-action': n.status,
                    onClick: () => void this.setStatus(o, n.status),
                  },
                  t[n.label],
                ),
              ),
            ),
          ),
        ),
      ),
      h('h3', {}, t.galley),
      galley.items.length
        ? h(
            'ul',
            { id: 'crew-galley' },
            galley.items.map((g) =>
              h(
                'li',
                { 'data-sku': g.sku },
                fill(t.galleyLine, { units: g.units, sku: this.names[g.sku] ?? g.sku, seats: g.seats.join(', ') }),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t.nothingToPrepare),
      h(
        'p',
        { class: 'ads-switch' },
        `${adsOn ? t.adsOn : t.adsOff} `,
        h(
          'button',
          { type: 'button', class: 'button', id: 'crew-ads-switch', onClick: () => void this.switchAds(!adsOn) },
          adsOn ? t.switchOff : t.switchOn,
        ),
      ),
      h('h3', {}, t.stock),
      h(
        'table',
        { class: 'stock', id: 'crew-stock' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, t.item), h('th', {}, t.loaded), h('th', {}, t.sold), h('th', {}, t.left)),
        ),
        h(
          'tbody',
          {},
          stock.map((s) =>
            h(
              'tr',
              { 'data-sku': s.sku },
              h('td', {}, s.name),
              h('td', {}, s.loaded),
              h('td', {}, s.sold),
              h('td', {}, s.left),
            ),
          ),
        ),
      ),
    );
  }
}
