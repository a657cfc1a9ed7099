/**
 * Settlement: every order an aircraft sent (uplink record kind `order`) is charged exactly
 * once. A payment row per order id is claimed first (primary key); the card is opened with
 * the ground's card key and checked against what the aircraft was told (last four, expiry,
 * the order it pays); the gateway is called with the order id as idempotency key, so a
 * charge retried after a crash or by a second ground process is the same charge. Orders the
 * crew cancelled are refunded (or never charged). Outcomes land in the ground's audit:
 * `PaymentProcessed`, `payment.failed`, `PaymentRefunded`.
 */
import { luhnValid, ORDER_STATUS_RECORD, type OrderRecord, type OrderStatusRecord } from '@ifec/protocol';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../store/database.ts';
import type { CardKey } from './card-key.ts';
import type { PaymentGateway } from './gateway.ts';

export type PaymentState = 'pending' | 'approved' | 'declined' | 'failed' | 'refunded' | 'voided';

export interface SettlementDeps {
  db: Database;
  cardKey: CardKey;
  gateway: PaymentGateway;
  log: Logger;
  now?: () => Date;
}

async function audit(
  q: Queryable,
  e: { tenantId: string; aircraftId: string; event: string; subject: string; detail: Record<string, unknown> },
): Promise<void> {
  await q.query(
    `INSERT INTO ground_audit (tenant_id, aircraft_id, event, subject, detail) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event, subject) DO NOTHING`,
    [e.tenantId, e.aircraftId, e.event, e.subject, JSON.stringify(e.detail)],
  );
}

export class Settlement {
  constructor(private readonly deps: SettlementDeps) {}

  /** Claims orders that have no payment yet (one row per order id, whatever re-sent it). */
  private async claim(limit: number): Promise<number> {
    const { affected } = await this.deps.db.query(
      `INSERT INTO shop_payments (order_id, aircraft_id, tenant_id, seq, amount_minor, currency, state)
       SELECT r.record_id, r.aircraft_id, a.tenant_id, r.seq, (r.data->'order'->>'totalMinor')::bigint, r.data->'order'->>'currency', 'pending'
       FROM uplink_records r JOIN aircraft a USING (aircraft_id)
       WHERE r.kind = 'order' AND NOT EXISTS (SELECT 1 FROM shop_payments p WHERE p.order_id = r.record_id)
       ORDER BY r.received_at LIMIT $1
       ON CONFLICT (order_id) DO NOTHING`,
      [limit],
    );
    return affected;
  }

  /** One pass: claim, charge what is pending, refund what was cancelled. Returns payments settled. */
  async runOnce(limit = 200): Promise<{ settled: number; refunded: number }> {
    await this.claim(limit);
    const { rows } = await this.deps.db.query<{
      order_id: string;
      aircraft_id: string;
      tenant_id: string;
      data: { order: OrderRecord };
    }>(
      `SELECT p.order_id, p.aircraft_id, p.tenant_id, r.data FROM shop_payments p
       JOIN uplink_records r ON r.aircraft_id = p.aircraft_id AND r.seq = p.seq
       WHERE p.state = 'pending' ORDER BY p.created_at LIMIT $1`,
      [limit],
    );
    // Orders cancelled aboard before the ground saw them are never charged (one query per pass).
    const { rows: cancelled } = await this.deps.db.query<{ id: string }>(
      `SELECT data->>'orderId' AS id FROM uplink_records WHERE kind = $1 AND data->>'orderId' = ANY($2::text[])
       AND data->>'status' IN ('cancelled', 'out-of-stock')`,
      [ORDER_STATUS_RECORD, rows.map((r) => r.order_id)],
    );
    const voided = new Set(cancelled.map((c) => c.id));
    let settled = 0;
    for (const row of rows) {
      await this.settle(row.order_id, row.aircraft_id, row.tenant_id, row.data.order, voided.has(row.order_id));
      settled++;
    }
    const refunded = await this.refundCancelled(limit);
    return { settled, refunded };
  }

  private async settle(
    orderId: string,
    aircraftId: string,
    tenantId: string,
    order: OrderRecord,
    cancelledAboard: boolean,
  ): Promise<void> {
    const { db, gateway } = this.deps;
    await db.query('UPDATE shop_payments SET attempts = attempts + 1 WHERE order_id = $1', [orderId]);
    if (cancelledAboard) {
      await this.finish(orderId, aircraftId, tenantId, 'voided', null, null, 'payment.failed', {
        reason: 'cancelled aboard before settlement',
      });
      return;
    }
    const card = this.deps.cardKey.open(order.card.ciphertext);
    const problem = !card
      ? 'the card data does not open with the ground key'
      : card.orderId !== orderId
        ? 'the card data was sealed for another order'
        : card.pan.slice(-4) !== order.card.last4 || card.expMonth !== order.card.expMonth
          ? 'the card data does not match the last four and expiry the aircraft was given'
          : !luhnValid(card.pan)
            ? 'the card number fails its check digit'
            : undefined;
    if (problem || !card) {
      await this.finish(orderId, aircraftId, tenantId, 'failed', 'invalid_card_data', null, 'payment.failed', {
        reason: problem,
        seatId: order.seatId,
        amountMinor: order.totalMinor,
      });
      return;
    }
    const result = await gateway.charge({
      idempotencyKey: orderId,
      pan: card.pan,
      expMonth: card.expMonth,
      expYear: card.expYear,
      amountMinor: order.totalMinor,
      currency: order.currency,
    });
    if (result.outcome === 'approved')
      await this.finish(orderId, aircraftId, tenantId, 'approved', null, result.reference, 'PaymentProcessed', {
        amountMinor: order.totalMinor,
        currency: order.currency,
        gateway: gateway.name,
        reference: result.reference,
        seatId: order.seatId,
      });
    else
      await this.finish(orderId, aircraftId, tenantId, 'declined', result.code, result.reference, 'payment.failed', {
        reason: result.code,
        amountMinor: order.totalMinor,
        currency: order.currency,
        seatId: order.seatId,
        last4: order.card.last4,
      });
  }

  private async finish(
    orderId: string,
    aircraftId: string,
    tenantId: string,
    state: PaymentState,
    code: string | null,
    reference: string | null,
    event: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE shop_payments SET state = $2, decline_code = $3, reference = $4, settled_at = now() WHERE order_id = $1 AND state = 'pending'`,
        [orderId, state, code, reference],
      );
      await audit(tx, { tenantId, aircraftId, event, subject: orderId, detail: { orderId, ...detail } });
    });
    if (state !== 'approved') this.deps.log.info({ orderId, aircraftId, state, code }, 'payment not taken');
  }

  /** Approved payments whose order the crew cancelled aboard: refunded once (key `refund:<orderId>`). */
  private async refundCancelled(limit: number): Promise<number> {
    const { rows } = await this.deps.db.query<{ order_id: string; data: OrderStatusRecord }>(
      `SELECT p.order_id, r.data FROM shop_payments p JOIN uplink_records r
         ON r.aircraft_id = p.aircraft_id AND r.kind = $1 AND r.data->>'orderId' = p.order_id
       WHERE p.state = 'approved' AND r.data->>'status' IN ('cancelled', 'out-of-stock') LIMIT $2`,
      [ORDER_STATUS_RECORD, limit],
    );
    for (const row of rows) await this.refund(row.order_id, `cancelled aboard (${row.data.status}) by ${row.data.by}`);
    return rows.length;
  }

  /** Refunds an approved payment in full, once; the admin API calls this too. */
  async refund(orderId: string, reason: string): Promise<{ state: PaymentState; reference?: string }> {
    const { rows } = await this.deps.db.query<{
      state: PaymentState;
      reference: string | null;
      amount_minor: number;
      currency: string;
      tenant_id: string;
      aircraft_id: string;
    }>(
      'SELECT state, reference, amount_minor, currency, tenant_id, aircraft_id FROM shop_payments WHERE order_id = $1',
      [orderId],
    );
    const p = rows[0];
    if (p?.state !== 'approved') return { state: p?.state ?? 'pending' };
    const refund = await this.deps.gateway.refund({
      idempotencyKey: `refund:${orderId}`,
      chargeReference: p.reference ?? '',
      amountMinor: p.amount_minor,
      currency: p.currency,
    });
    await this.deps.db.transaction(async (tx) => {
      await tx.query("UPDATE shop_payments SET state = 'refunded', refunded_at = now() WHERE order_id = $1", [orderId]);
      await audit(tx, {
        tenantId: p.tenant_id,
        aircraftId: p.aircraft_id,
        event: 'PaymentRefunded',
        subject: orderId,
        detail: { orderId, reason, amountMinor: p.amount_minor, reference: refund.reference },
      });
    });
    return { state: 'refunded', reference: refund.reference };
  }

  /** Runs `runOnce` every `intervalMs` until stopped (one pass at a time). */
  start(intervalMs: number): () => Promise<void> {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = running.then(() =>
        this.runOnce().catch((error) => this.deps.log.warn({ err: error }, 'settlement pass failed')),
      );
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}

/** The admin API's view of one tenant's payments. */
export async function listPayments(
  db: Queryable,
  tenantId: string,
  filter: { state?: string; aircraftId?: string; limit: number },
) {
  const { rows } = await db.query(
    `SELECT order_id AS "orderId", aircraft_id AS "aircraftId", amount_minor AS "amountMinor", currency, state,
            decline_code AS "declineCode", reference, attempts, created_at AS "createdAt", settled_at AS "settledAt", refunded_at AS "refundedAt"
     FROM shop_payments WHERE tenant_id = $1 AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR aircraft_id = $3)
     ORDER BY created_at DESC LIMIT $4`,
    [tenantId, filter.state ?? null, filter.aircraftId ?? null, filter.limit],
  );
  return rows;
}

export async function listAudit(db: Queryable, tenantId: string, filter: { event?: string; limit: number }) {
  const { rows } = await db.query(
    `SELECT id, at, aircraft_id AS "aircraftId", event, subject, detail FROM ground_audit
     WHERE tenant_id = $1 AND ($2::text IS NULL OR event = $2) ORDER BY id DESC LIMIT $3`,
    [tenantId, filter.event ?? null, filter.limit],
  );
  return rows;
}
