/**
 * The crew console's shop panel: the order queue (accept, deliver, cancel, out of stock),
 * this flight's stock and the galley summary (what to prepare for open orders). One element
 * for the console's life with its own 2 s poll, like the flight panel: the console redraws
 * its other panels and must not rebuild this one under a crew member's finger.
 */
import { adPaths, type OrderRecord, type ShopAnomaly, shopAnomalyPaths, shopPaths } from '@ifec/protocol';
import { ApiClient, ApiError } from '../api/api-client.ts';
import { h, replace } from '../ui/dom.ts';
import './orders-panel.css';

export interface OrdersPanelDeps {
  baseUrl: string;
  token: string;
  fetchFn?: typeof fetch;
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
const NEXT: Record<string, { status: string; label: string }[]> = {
  placed: [
    { status: 'accepted', label: 'Accept' },
    { status: 'delivered', label: 'Delivered' },
    { status: 'out-of-stock', label: 'Out of stock' },
    { status: 'cancelled', label: 'Cancel' },
  ],
  accepted: [
    { status: 'delivered', label: 'Delivered' },
    { status: 'out-of-stock', label: 'Out of stock' },
    { status: 'cancelled', label: 'Cancel' },
  ],
  fulfilled: [{ status: 'cancelled', label: 'Cancel (refund)' }],
};

/** Why a seat is flagged, in the crew's words (the rules come from the airline's policy). */
const FLAG_REASONS: Record<ShopAnomaly['rule'], (observed: number, threshold: number) => string> = {
  'declined-attempts': (n, t) => `${n} card payments refused (alert at ${t})`,
  'distinct-cards': (n, t) => `${n} different cards tried (alert at ${t})`,
  'session-total': (n) => `orders totalling ${(n / 100).toFixed(2)} this flight`,
  'order-total': (n) => `one order of ${(n / 100).toFixed(2)}`,
};

const money = (minor: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 100);

export class OrdersPanel {
  readonly el: HTMLElement;
  private readonly body = h('div', { class: 'orders-body' }, h('p', { class: 'muted' }, 'Loading orders…'));
  private readonly message = h('p', { class: 'muted', id: 'crew-orders-message', role: 'status' });
  private readonly client: ApiClient;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: OrdersPanelDeps) {
    this.client = new ApiClient(deps.baseUrl, deps.fetchFn);
    this.el = h(
      'section',
      { class: 'panel orders', id: 'crew-orders', 'aria-labelledby': 'orders-heading' },
      h('h2', { id: 'orders-heading' }, 'Shop orders'),
      this.body,
      this.message,
    );
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private call<T>(path: string, init: { method?: 'POST'; body?: unknown } = {}): Promise<T> {
    return this.client.request<T>(path, { ...init, headers: { authorization: `Bearer ${this.deps.token}` } });
  }

  async refresh(): Promise<void> {
    try {
      const [orders, stock, galley, anomalies, ads] = await Promise.all([
        this.call<{ orders: OrderRecord[] }>(shopPaths.crewOrders),
        this.call<{ stock: Stock[] }>(shopPaths.crewStock),
        this.call<Galley>(shopPaths.crewGalley),
        this.call<{ flagged: ShopAnomaly[] }>(shopAnomalyPaths.crewAnomalies),
        this.call<{ enabled: boolean }>(adPaths.crewSwitch),
      ]);
      this.render(orders.orders, stock.stock, galley, anomalies.flagged, ads.enabled);
    } catch (error) {
      this.message.textContent = `Orders not loaded: ${(error as Error).message}`;
    }
  }

  private async setStatus(order: OrderRecord, status: string): Promise<void> {
    try {
      await this.call(shopPaths.crewOrderStatus.replace(':orderId', order.orderId), {
        method: 'POST',
        body: { status },
      });
      this.message.textContent = `Order ${order.orderId.slice(0, 8)} (seat ${order.seatId}): ${status}`;
    } catch (error) {
      this.message.textContent = error instanceof ApiError ? error.message : String(error);
    }
    await this.refresh();
  }

  private async switchAds(enabled: boolean): Promise<void> {
    try {
      await this.call(adPaths.crewSwitch, { method: 'POST', body: { enabled } });
      this.message.textContent = enabled ? 'Ads are on in the cabin' : 'Ads are off in the cabin';
    } catch (error) {
      this.message.textContent = error instanceof ApiError ? error.message : String(error);
    }
    await this.refresh();
  }

  private render(orders: OrderRecord[], stock: Stock[], galley: Galley, flagged: ShopAnomaly[], adsOn: boolean): void {
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
                h('strong', {}, `Seat ${f.seatId} flagged`),
                ` — ${FLAG_REASONS[f.rule](f.observed, f.threshold)}`,
              ),
            ),
          )
        : '',
      h('p', { class: 'summary', id: 'crew-orders-summary' }, `${open.length} open · ${orders.length} this flight`),
      h(
        'ul',
        { class: 'order-queue' },
        orders.slice(0, 30).map((o) =>
          h(
            'li',
            { class: `order order-${o.status}`, 'data-order-id': o.orderId, 'data-status': o.status },
            h('strong', {}, `Seat ${o.seatId}`),
            h('span', {}, o.lines.map((l) => `${l.qty} × ${l.sku}`).join(', ')),
            h('span', { class: 'order-status' }, o.status),
            h('span', { class: 'muted' }, new Date(o.placedAt).toISOString().slice(11, 16)),
            h('span', {}, `${money(o.totalMinor, o.currency)} · ${o.card.brand} •••• ${o.card.last4}`),
            h('span', {}, o.placedBy.startsWith('phone:') ? 'from phone' : 'from seat'),
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
                  n.label,
                ),
              ),
            ),
          ),
        ),
      ),
      h('h3', {}, 'Galley'),
      galley.items.length
        ? h(
            'ul',
            { id: 'crew-galley' },
            galley.items.map((g) => h('li', {}, `${g.units} × ${g.sku} — seats ${g.seats.join(', ')}`)),
          )
        : h('p', { class: 'muted' }, 'Nothing to prepare'),
      h(
        'p',
        { class: 'ads-switch' },
        `Ads: ${adsOn ? 'on' : 'off'} `,
        h(
          'button',
          { type: 'button', class: 'button', id: 'crew-ads-switch', onClick: () => void this.switchAds(!adsOn) },
          adsOn ? 'Switch ads off' : 'Switch ads on',
        ),
      ),
      h('h3', {}, 'Stock'),
      h(
        'table',
        { class: 'stock', id: 'crew-stock' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, 'Item'), h('th', {}, 'Loaded'), h('th', {}, 'Sold'), h('th', {}, 'Left')),
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
