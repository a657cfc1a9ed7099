/**
 * The order desk: checks an order against the catalogue, the stock, the card rules and the
 * seat, then journals it (fdatasync, group commit) before it is acknowledged; the journal
 * record goes to the ground's outbox with the order id as its idempotency key. Stock, card
 * velocity and entitlements are kept in memory, reserved synchronously before the journal
 * write, so two seats racing for the last bottle cannot both get it.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import {
  cardExpired,
  IfecError,
  luhnConsistent,
  ORDER_RECORD,
  ORDER_STATUS_RECORD,
  type OrderReceipt,
  type OrderRecord,
  type OrderRefusalCode,
  type OrderRequest,
  type OrderStatus,
  type OrderStatusRecord,
  PHYSICAL_KINDS,
  SHOP_ANOMALY_RECORD,
} from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Sql } from '../store/store.ts';
import { groundOnly, toGround } from '../sync/outbox.ts';
import type { CatalogueProblem, LiveCatalogue } from './catalogue.ts';

export class ShopRefused extends IfecError<OrderRefusalCode> {}

/** What the journal holds for an order (and the ground receives). */
export interface OrderJournalData {
  order: OrderRecord;
  catalogueSeq: number;
  /** sha256 of the request as sent: a retry with the same body is the same order. */
  requestHash: string;
}

export async function applyOrder(tx: Transaction, record: JournalRecord): Promise<void> {
  const d = record.data as OrderJournalData;
  await tx.query(
    `INSERT INTO shop_orders (order_id, seq, catalogue_seq, seat_id, session_id, status, placed_at, request_hash, record)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (order_id) DO NOTHING`,
    [
      d.order.orderId,
      record.seq,
      d.catalogueSeq,
      d.order.seatId,
      d.order.sessionId,
      d.order.status,
      d.order.placedAt,
      d.requestHash,
      JSON.stringify(d.order),
    ],
  );
}

export async function applyOrderStatus(tx: Transaction, record: JournalRecord): Promise<void> {
  const d = record.data as OrderStatusRecord;
  await tx.query('UPDATE shop_orders SET status = $2 WHERE order_id = $1', [d.orderId, d.status]);
}

/** Many orders in one statement per table (the desk writes the orders of one group commit together). */
async function applyOrders(tx: Transaction, records: JournalRecord[]): Promise<void> {
  const data = records.map((r) => r.data as OrderJournalData);
  await tx.query(
    `INSERT INTO shop_orders (order_id, seq, catalogue_seq, seat_id, session_id, status, placed_at, request_hash, record)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::jsonb[])
     ON CONFLICT (order_id) DO NOTHING`,
    [
      data.map((d) => d.order.orderId),
      records.map((r) => r.seq),
      data.map((d) => d.catalogueSeq),
      data.map((d) => d.order.seatId),
      data.map((d) => d.order.sessionId),
      data.map((d) => d.order.status),
      data.map((d) => d.order.placedAt),
      data.map((d) => d.requestHash),
      data.map((d) => JSON.stringify(d.order)),
    ],
  );
  await groundOnly.applyMany!(tx, records);
}

/** The shop's record kinds: both go to the ground (the order on the critical stream). */
export const commerceRecords = {
  [ORDER_RECORD]: Object.assign(toGround(applyOrder), { applyMany: applyOrders }),
  [ORDER_STATUS_RECORD]: toGround(applyOrderStatus),
  [SHOP_ANOMALY_RECORD]: groundOnly,
};

interface HeldOrder {
  order: OrderRecord;
  catalogueSeq: number;
  requestHash: string;
}

/** Per passenger session: what it may watch and use. */
interface Entitled {
  titles: Set<string>;
  /** Entertainment pass: every pay-per-view title until then (ms). */
  passUntil: number;
  wifiUntil: number;
}

export interface OrderDeskDeps {
  records: Pick<DurableRecords, 'write' | 'writeMany'>;
  db: Sql;
  aircraftId: string;
  catalogue: () => Promise<LiveCatalogue | CatalogueProblem>;
  sessionOf: (seatId: string) => string | undefined;
  region: () => string | null;
  now?: () => number;
  /** Orders per seat: a burst, then one per `refillMs`. */
  rate?: { burst: number; refillMs: number };
  /** Told of every order checked, accepted or refused (the anomaly rules). */
  watch?: {
    refused(seatId: string, code: string, cardHash: string | undefined): Promise<void>;
    accepted(order: OrderRecord): Promise<void>;
  };
}

const FLIGHT_LONG_MS = 24 * 3600_000;
/** What lasts a while once bought: a Wi-Fi or entertainment pass (titles stay for the session). */
const TIMED_KINDS: ReadonlySet<string> = new Set(['wifi', 'pass']);

/**
 * Until when a pass bought at `from` lasts, given what the session held: a timed pass adds its
 * minutes (per unit) after the one still running, so a second hour follows the first; a
 * whole-flight pass lasts the flight (its session ends with it).
 */
export function passUntil(held: number, from: number, qty: number, durationMin: number | undefined): number {
  if (durationMin === undefined) return Math.max(held, from + FLIGHT_LONG_MS);
  return Math.max(held, from) + qty * durationMin * 60_000;
}
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  placed: ['accepted', 'delivered', 'cancelled', 'out-of-stock'],
  accepted: ['delivered', 'cancelled', 'out-of-stock'],
  fulfilled: ['cancelled'],
  delivered: [],
  cancelled: [],
  'out-of-stock': [],
};

export class OrderDesk {
  private readonly orders = new Map<string, HeldOrder>();
  /** Orders being journalled: a concurrent retry waits for the first. */
  private readonly pending = new Map<string, Promise<OrderReceipt>>();
  /** `${catalogueSeq}:${sku}` -> units sold (not cancelled). */
  private readonly sold = new Map<string, number>();
  /** `${catalogueSeq}:${hash}` -> spent and orders. */
  private readonly cardUse = new Map<string, { spent: number; orders: number }>();
  /** `${catalogueSeq}:${seatId}` -> card hashes used. */
  private readonly seatCards = new Map<string, Set<string>>();
  private readonly entitled = new Map<string, Entitled>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly listeners = new Set<(order: OrderRecord) => void>();
  /** Orders waiting for the next journal write: many seats' orders share one fdatasync and one store transaction. */
  private toJournal: { data: OrderJournalData; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private journalling = false;
  private readonly now: () => number;

  constructor(private readonly deps: OrderDeskDeps) {
    // Read at each call (not a captured Date.now): a test that moves the clock moves the desk's.
    this.now = deps.now ?? (() => Date.now());
  }

  /** Reads every order the store holds (after the journal replay). */
  async load(): Promise<void> {
    const { rows } = await this.deps.db.query<{
      record: OrderRecord;
      status: OrderStatus;
      catalogue_seq: number;
      request_hash: string;
    }>('SELECT record, status, catalogue_seq::int AS catalogue_seq, request_hash FROM shop_orders ORDER BY seq');
    for (const r of rows) {
      const held = {
        order: { ...r.record, status: r.status },
        catalogueSeq: r.catalogue_seq,
        requestHash: r.request_hash,
      };
      this.hold(held);
    }
  }

  onChange(listener: (order: OrderRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Checks and journals an order; resolves only once it is durable. `seatId` is the caller's own seat. */
  place(request: OrderRequest, caller: { seatId: string; placedBy: string }): Promise<OrderReceipt> {
    if (request.seatId !== caller.seatId)
      throw new ShopRefused(
        'NOT_YOUR_SEAT',
        `you are ${caller.placedBy} (seat ${caller.seatId}); an order for seat ${request.seatId} is not yours to place`,
      );
    const requestHash = crypto.createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const held = this.orders.get(request.orderId);
    if (held) return Promise.resolve(this.duplicate(held, requestHash, caller.seatId));
    const inFlight = this.pending.get(request.orderId);
    if (inFlight)
      return inFlight.then((receipt) => {
        const now = this.orders.get(request.orderId);
        return now ? this.duplicate(now, requestHash, caller.seatId) : receipt;
      });
    this.takeToken(caller.seatId);
    const placing = this.watched(request, caller, requestHash).finally(() => this.pending.delete(request.orderId));
    this.pending.set(request.orderId, placing);
    return placing;
  }

  private duplicate(held: HeldOrder, requestHash: string, seatId: string): OrderReceipt {
    if (held.requestHash !== requestHash || held.order.seatId !== seatId)
      throw new ShopRefused(
        'ORDER_ID_REUSED',
        `order ${held.order.orderId} exists already with other contents: a new order needs a new id`,
      );
    return receiptOf(held.order, true);
  }

  private takeToken(seatId: string): void {
    const { burst, refillMs } = this.deps.rate ?? { burst: 20, refillMs: 3000 };
    const now = this.now();
    const b = this.buckets.get(seatId) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) / refillMs);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(seatId, b);
      throw new ShopRefused('ORDER_RATE_LIMITED', `seat ${seatId} is ordering too fast; try again in a few seconds`);
    }
    b.tokens -= 1;
    this.buckets.set(seatId, b);
  }

  /** Places and tells the anomaly watch; a flag is journalled before the seat is answered. */
  private async watched(
    request: OrderRequest,
    caller: { seatId: string; placedBy: string },
    requestHash: string,
  ): Promise<OrderReceipt> {
    const watch = this.deps.watch;
    let receipt: OrderReceipt;
    try {
      receipt = await this.placeNew(request, caller, requestHash);
    } catch (error) {
      if (watch && error instanceof ShopRefused) await watch.refused(caller.seatId, error.code, request.card?.hash);
      throw error;
    }
    const held = this.orders.get(request.orderId);
    if (watch && held) await watch.accepted(held.order);
    return receipt;
  }

  private async placeNew(
    request: OrderRequest,
    caller: { seatId: string; placedBy: string },
    requestHash: string,
  ): Promise<OrderReceipt> {
    const live = await this.deps.catalogue();
    if (!('items' in live)) throw new ShopRefused('SHOP_CLOSED', `the shop is closed: ${live.reason}`);
    const sessionId = this.deps.sessionOf(caller.seatId);
    if (!sessionId) throw new ShopRefused('SHOP_CLOSED', `seat ${caller.seatId} has no passenger session`);
    // Everything below is synchronous until the journal write: checks and reservations cannot interleave.
    const order = this.check(request, live, { ...caller, sessionId });
    const held: HeldOrder = { order, catalogueSeq: live.seq, requestHash };
    this.hold(held);
    try {
      await this.journal({ order, catalogueSeq: live.seq, requestHash });
    } catch (error) {
      this.release(held);
      throw error;
    }
    this.emit(order);
    return receiptOf(order, false);
  }

  /** Resolves once the order is fdatasync'd and in the store; orders arriving meanwhile go in the next batch. */
  private journal(data: OrderJournalData): Promise<void> {
    return new Promise((resolve, reject) => {
      this.toJournal.push({ data, resolve, reject });
      if (!this.journalling) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.journalling = true;
    while (this.toJournal.length) {
      const batch = this.toJournal.splice(0, 500);

      try {
        await this.deps.records.writeMany<OrderJournalData>(
          ORDER_RECORD,
          batch.map((b) => ({ id: b.data.order.orderId, data: b.data })),
        );
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.journalling = false;
  }

  private check(
    request: OrderRequest,
    live: LiveCatalogue,
    caller: { seatId: string; placedBy: string; sessionId: string },
  ): OrderRecord {
    const { catalogue } = live;
    if (request.currency !== catalogue.currency)
      throw new ShopRefused(
        'WRONG_CURRENCY',
        `prices are in ${catalogue.currency}; the order says ${request.currency} (other currencies are shown, not charged)`,
      );
    const seen = new Set<string>();
    const lines: OrderRecord['lines'] = [];
    const units = new Map<string, number>();
    let total = 0;
    for (const line of request.lines) {
      if (seen.has(line.sku))
        throw new ShopRefused('ORDER_INVALID', `${line.sku} appears twice in the order: one line per item`);
      seen.add(line.sku);
      const item = live.items.get(line.sku);
      if (!item) throw new ShopRefused('UNKNOWN_ITEM', `no item ${line.sku} in this flight's shop`);
      if (line.qty > item.maxQty)
        throw new ShopRefused('QTY_TOO_LARGE', `at most ${item.maxQty} of ${line.sku} per order (asked ${line.qty})`);
      if (line.unitPriceMinor !== item.unitPriceMinor)
        throw new ShopRefused(
          'PRICE_CHANGED',
          `${line.sku} costs ${item.unitPriceMinor} (minor units of ${catalogue.currency}) now, not ${line.unitPriceMinor}: show the new price and ask again`,
        );
      total += item.unitPriceMinor * line.qty;
      for (const sku of [line.sku, ...(item.includes ?? [])]) units.set(sku, (units.get(sku) ?? 0) + line.qty);
      lines.push({
        ...line,
        kind: item.kind,
        ...(item.titleId ? { titleId: item.titleId } : {}),
        ...(item.includes?.length ? { includes: item.includes } : {}),
        ...(item.durationMin && TIMED_KINDS.has(item.kind) ? { durationMin: item.durationMin } : {}),
      });
    }
    if (total !== request.totalMinor)
      throw new ShopRefused('TOTAL_MISMATCH', `the lines add up to ${total}, the order says ${request.totalMinor}`);
    for (const [sku, qty] of units) {
      const stock = live.items.get(sku)?.stock;
      if (stock === undefined) continue;
      const left = stock - (this.sold.get(`${live.seq}:${sku}`) ?? 0);
      if (qty > left) throw new ShopRefused('OUT_OF_STOCK', `${sku}: ${left} left, ${qty} asked`);
    }
    const card = request.card;
    if (card.keyId !== catalogue.cardKey.keyId)
      throw new ShopRefused(
        'CARD_KEY_UNKNOWN',
        `the card was encrypted with key ${card.keyId}, not the ground's current key: reload the shop`,
      );
    if (!luhnConsistent(card.last4, card.luhnRest))
      throw new ShopRefused('CARD_INVALID_NUMBER', 'the card number is not valid (its check digit is wrong)');
    if (cardExpired(card.expMonth, card.expYear, new Date(this.now())))
      throw new ShopRefused('CARD_EXPIRED', `the card expired at the end of ${card.expMonth}/${card.expYear}`);
    if (live.deniedHashes.has(card.hash)) throw new ShopRefused('CARD_DENIED', 'this card cannot be used on board');
    const limits = catalogue.limits;
    if (total > limits.floorLimitMinor)
      throw new ShopRefused(
        'ABOVE_FLOOR_LIMIT',
        `orders above ${limits.floorLimitMinor} cannot be paid by card in the air (no authorisation is possible)`,
      );
    const use = this.cardUse.get(`${live.seq}:${card.hash}`) ?? { spent: 0, orders: 0 };
    if (use.spent + total > limits.perCardFlightMinor || use.orders + 1 > limits.perCardOrders)
      throw new ShopRefused('CARD_LIMIT_REACHED', "this card has reached this flight's limit on board");
    const cards = this.seatCards.get(`${live.seq}:${caller.seatId}`);
    if (cards && !cards.has(card.hash) && cards.size >= limits.cardsPerSeat)
      throw new ShopRefused('TOO_MANY_CARDS', `at most ${limits.cardsPerSeat} different cards per seat on a flight`);
    const { luhnRest: _checked, ...kept } = card;
    const physical = lines.some((l) => PHYSICAL_KINDS.has(l.kind));
    return {
      orderId: request.orderId,
      aircraftId: this.deps.aircraftId,
      seatId: caller.seatId,
      sessionId: caller.sessionId,
      placedBy: caller.placedBy,
      placedAt: new Date(this.now()).toISOString(),
      currency: catalogue.currency,
      lines,
      totalMinor: total,
      card: kept,
      priceZone: live.priceZone,
      region: this.deps.region(),
      ...(request.email ? { email: request.email } : {}),
      status: physical ? 'placed' : 'fulfilled',
    };
  }

  /** Counts an order in the stock, the card's use and the session's entitlements. */
  private hold(held: HeldOrder, sign = 1): void {
    const { order, catalogueSeq } = held;
    if (sign > 0) this.orders.set(order.orderId, held);
    else this.orders.delete(order.orderId);
    const counts = sign > 0 ? order.status !== 'cancelled' && order.status !== 'out-of-stock' : true;
    if (counts) this.countStock(held, sign);
    const cardKey = `${catalogueSeq}:${order.card.hash}`;
    const use = this.cardUse.get(cardKey) ?? { spent: 0, orders: 0 };
    this.cardUse.set(cardKey, { spent: use.spent + sign * order.totalMinor, orders: use.orders + sign });
    const seatKey = `${catalogueSeq}:${order.seatId}`;
    const cards = this.seatCards.get(seatKey) ?? new Set<string>();
    if (sign > 0) cards.add(order.card.hash);
    this.seatCards.set(seatKey, cards);
    if (sign > 0 && counts) this.entitle(order);
  }

  /** Units sold of each line's sku and of a bundle's items. */
  private countStock(held: HeldOrder, sign: number): void {
    for (const line of held.order.lines) {
      for (const sku of [line.sku, ...(line.includes ?? [])]) {
        const key = `${held.catalogueSeq}:${sku}`;
        this.sold.set(key, (this.sold.get(key) ?? 0) + sign * line.qty);
      }
    }
  }

  private release(held: HeldOrder): void {
    this.hold(held, -1);
    // Entitlements were not granted yet for a failed write (entitle runs after hold on success too).
    const e = this.entitled.get(held.order.sessionId);
    for (const line of held.order.lines) if (line.titleId) e?.titles.delete(line.titleId);
  }

  private entitle(order: OrderRecord): void {
    const e = this.entitled.get(order.sessionId) ?? { titles: new Set<string>(), passUntil: 0, wifiUntil: 0 };
    const from = Date.parse(order.placedAt);
    for (const line of order.lines) {
      if (line.titleId) e.titles.add(line.titleId);
      if (line.kind === 'pass') e.passUntil = passUntil(e.passUntil, from, line.qty, line.durationMin);
      if (line.kind === 'wifi') e.wifiUntil = passUntil(e.wifiUntil, from, line.qty, line.durationMin);
    }
    this.entitled.set(order.sessionId, e);
  }

  private emit(order: OrderRecord): void {
    for (const listener of this.listeners) listener(order);
  }

  /** The key server's question: may this seat's session watch this title now? */
  purchased(seatId: string | undefined, titleId: string): boolean {
    const session = seatId ? this.deps.sessionOf(seatId) : undefined;
    const e = session ? this.entitled.get(session) : undefined;
    return !!e && (e.titles.has(titleId) || e.passUntil > this.now());
  }

  entitlementsOf(seatId: string): {
    titles: string[];
    pass: boolean;
    wifi: boolean;
    passUntil: string | null;
    wifiUntil: string | null;
  } {
    const session = this.deps.sessionOf(seatId);
    const e = session ? this.entitled.get(session) : undefined;
    const now = this.now();
    const until = (t: number | undefined) => (t !== undefined && t > now ? new Date(t).toISOString() : null);
    return {
      titles: [...(e?.titles ?? [])].sort(),
      pass: (e?.passUntil ?? 0) > now,
      wifi: (e?.wifiUntil ?? 0) > now,
      passUntil: until(e?.passUntil),
      wifiUntil: until(e?.wifiUntil),
    };
  }

  ordersOf(seatId: string): OrderReceipt[] {
    return [...this.orders.values()]
      .filter((h) => h.order.seatId === seatId)
      .map((h) => receiptOf(h.order, false))
      .reverse();
  }

  /** The crew's queue: newest first, open ones before closed ones. */
  queue(): OrderRecord[] {
    const open = (s: OrderStatus) => s === 'placed' || s === 'accepted';
    return [...this.orders.values()]
      .map((h) => h.order)
      .sort((a, b) => Number(open(b.status)) - Number(open(a.status)) || b.placedAt.localeCompare(a.placedAt));
  }

  /** Units sold per sku under a catalogue (the crew's stock view). */
  soldUnder(catalogueSeq: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, n] of this.sold) {
      const [seq, sku] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      if (Number(seq) === catalogueSeq) out.set(sku, n);
    }
    return out;
  }

  /** A crew member moves an order on; journalled before it is answered. Cancelling returns the stock. */
  async setStatus(orderId: string, status: OrderStatus, by: string): Promise<OrderRecord> {
    const held = this.orders.get(orderId);
    if (!held) throw new ShopRefused('UNKNOWN_ORDER', `no order ${orderId}`);
    const from = held.order.status;
    if (!TRANSITIONS[from].includes(status))
      throw new ShopRefused('ORDER_STATUS_INVALID', `order ${orderId} is ${from}; it cannot become ${status}`);
    const change: OrderStatusRecord = { orderId, status, by, at: new Date(this.now()).toISOString() };
    await this.deps.records.write<OrderStatusRecord>(ORDER_STATUS_RECORD, crypto.randomUUID(), change);
    const returnsStock = status === 'cancelled' || status === 'out-of-stock';
    if (returnsStock) {
      this.countStock(held, -1);
      for (const line of held.order.lines)
        if (line.titleId) this.entitled.get(held.order.sessionId)?.titles.delete(line.titleId);
    }
    held.order = { ...held.order, status };
    this.emit(held.order);
    return held.order;
  }
}

export function receiptOf(order: OrderRecord, duplicate: boolean): OrderReceipt {
  return {
    orderId: order.orderId,
    seatId: order.seatId,
    status: order.status,
    totalMinor: order.totalMinor,
    currency: order.currency,
    lines: order.lines.map((l) => ({ sku: l.sku, qty: l.qty, unitPriceMinor: l.unitPriceMinor })),
    card: { brand: order.card.brand, last4: order.card.last4 },
    placedAt: order.placedAt,
    duplicate,
  };
}
