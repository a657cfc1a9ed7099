/**
 * The shop's anomaly watch: counts, per passenger session, the orders refused for card
 * reasons, the different cards tried and what was ordered, and flags the seat once per rule
 * when the airspace policy's `shopAnomalies` thresholds are reached. The rules are read from
 * the latest policy publication at each event (data, not code): a new publication changes
 * the outcome at once. A flag is journalled (it goes to the ground's outbox, the ground
 * keeps the case) before the crew are told.
 */
import {
  type OrderRecord,
  type OrderRefusalCode,
  SHOP_ANOMALY_RECORD,
  type ShopAnomaly,
  type ShopAnomalyRule,
  type ShopAnomalyRules,
} from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Sql } from '../store/store.ts';

/** Refusals that say something about the card or the payer (not a stale client or a sold-out item). */
export const CARD_REFUSALS: ReadonlySet<OrderRefusalCode> = new Set([
  'CARD_INVALID_NUMBER',
  'CARD_EXPIRED',
  'CARD_DENIED',
  'ABOVE_FLOOR_LIMIT',
  'CARD_LIMIT_REACHED',
  'TOO_MANY_CARDS',
]);

/** What one passenger session did in the shop. */
export interface SessionShopping {
  declinedAttempts: number;
  cards: ReadonlySet<string>;
  totalMinor: number;
}

export interface RulesInForce {
  rules: ShopAnomalyRules;
  policyId: string;
  policyVersion: number;
}

/** The rules a session (and its latest order's total) has reached. Pure. */
export function anomaliesOf(
  s: SessionShopping,
  rules: ShopAnomalyRules,
  orderTotalMinor?: number,
): { rule: ShopAnomalyRule; observed: number; threshold: number }[] {
  const out: { rule: ShopAnomalyRule; observed: number; threshold: number }[] = [];
  const reach = (rule: ShopAnomalyRule, observed: number, threshold: number | undefined) => {
    if (threshold !== undefined && observed >= threshold) out.push({ rule, observed, threshold });
  };
  reach('declined-attempts', s.declinedAttempts, rules.declinedAttempts);
  reach('distinct-cards', s.cards.size, rules.distinctCards);
  reach('session-total', s.totalMinor, rules.sessionTotalMinor);
  if (orderTotalMinor !== undefined) reach('order-total', orderTotalMinor, rules.orderTotalMinor);
  return out;
}

export interface AnomalyWatchDeps {
  records: Pick<DurableRecords, 'write'>;
  db: Sql;
  aircraftId: string;
  rules: () => Promise<RulesInForce | undefined>;
  sessionOf: (seatId: string) => string | undefined;
  now?: () => number;
}

interface Tally {
  seatId: string;
  declinedAttempts: number;
  cards: Set<string>;
  totalMinor: number;
}

/** At most this many sessions are tallied (a flood of fake sessions cannot grow memory without end). */
const MAX_SESSIONS = 20_000;

export class AnomalyWatch {
  private readonly tallies = new Map<string, Tally>();
  private readonly flags = new Map<string, ShopAnomaly>();
  private readonly listeners = new Set<(flag: ShopAnomaly) => void>();
  private readonly now: () => number;

  constructor(private readonly deps: AnomalyWatchDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * After a restart: the flags still in the outbox, and the totals and cards of the orders
   * the desk reloaded (refused attempts are not stored, so their count starts again).
   */
  async load(orders: readonly OrderRecord[]): Promise<void> {
    for (const order of orders) this.count(order.seatId, order.sessionId, order.card.hash, order.totalMinor);
    const { rows } = await this.deps.db.query<{ data: ShopAnomaly }>('SELECT data FROM outbox WHERE kind = $1', [
      SHOP_ANOMALY_RECORD,
    ]);
    for (const r of rows) this.flags.set(r.data.caseId, r.data);
  }

  /** The rules the next event is judged by (the policy publication held now, read at most twice a second). */
  rulesInForce(): Promise<RulesInForce | undefined> {
    return this.deps.rules();
  }

  onFlag(listener: (flag: ShopAnomaly) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An order refused: counted if the reason is the card's. */
  async refused(seatId: string, code: string, cardHash: string | undefined): Promise<void> {
    const sessionId = this.deps.sessionOf(seatId);
    if (!sessionId || !CARD_REFUSALS.has(code as OrderRefusalCode)) return;
    const t = this.tally(seatId, sessionId);
    if (!t) return;
    t.declinedAttempts++;
    if (cardHash) t.cards.add(cardHash);
    await this.evaluate(t, sessionId);
  }

  async accepted(order: OrderRecord): Promise<void> {
    const t = this.count(order.seatId, order.sessionId, order.card.hash, order.totalMinor);
    if (t) await this.evaluate(t, order.sessionId, order.totalMinor);
  }

  /** Flags of the seats' current sessions, newest first (a seat reset for the next flight drops off). */
  current(): ShopAnomaly[] {
    return [...this.flags.values()]
      .filter((f) => this.deps.sessionOf(f.seatId) === f.sessionId)
      .sort((a, b) => b.flaggedAt.localeCompare(a.flaggedAt));
  }

  private tally(seatId: string, sessionId: string): Tally | undefined {
    let t = this.tallies.get(sessionId);
    if (!t) {
      if (this.tallies.size >= MAX_SESSIONS) return undefined;
      t = { seatId, declinedAttempts: 0, cards: new Set(), totalMinor: 0 };
      this.tallies.set(sessionId, t);
    }
    return t;
  }

  private count(seatId: string, sessionId: string, cardHash: string, totalMinor: number): Tally | undefined {
    const t = this.tally(seatId, sessionId);
    if (!t) return undefined;
    t.cards.add(cardHash);
    t.totalMinor += totalMinor;
    return t;
  }

  private async evaluate(t: Tally, sessionId: string, orderTotalMinor?: number): Promise<void> {
    const inForce = await this.deps.rules();
    if (!inForce) return;
    for (const hit of anomaliesOf(t, inForce.rules, orderTotalMinor)) {
      const caseId = `${sessionId}:${hit.rule}`;
      if (this.flags.has(caseId)) continue;
      const flag: ShopAnomaly = {
        caseId,
        aircraftId: this.deps.aircraftId,
        seatId: t.seatId,
        sessionId,
        ...hit,
        policyId: inForce.policyId,
        policyVersion: inForce.policyVersion,
        flaggedAt: new Date(this.now()).toISOString(),
      };
      // Held first so a concurrent event does not flag twice; dropped again if the journal refuses it.
      this.flags.set(caseId, flag);
      try {
        await this.deps.records.write<ShopAnomaly>(SHOP_ANOMALY_RECORD, caseId, flag);
      } catch (error) {
        this.flags.delete(caseId);
        throw error;
      }
      for (const listener of this.listeners) listener(flag);
    }
  }
}
