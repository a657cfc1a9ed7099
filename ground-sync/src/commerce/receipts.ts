/**
 * Receipts after landing: an order whose passenger gave an e-mail address gets one receipt
 * through the airline's SMTP relay once the ground has settled it (paid, declined, refunded
 * or not charged). The address is personal data: when the payment is settled it moves from
 * the uplink record into `shop_receipts` (the uplink copy is erased in the same transaction)
 * and is erased there as soon as the relay took the mail or refused it for good. It is never
 * logged: the relay's errors carry the recipient, so only their codes are.
 *
 * Exactly once across processes and restarts: a receipt is leased (`sending`) in a committed
 * statement before the relay is called and marked `sent` after; a second process skips a
 * leased row. Only a process that died between the relay's "250 queued" and its own commit
 * leaves a lease that expires; that receipt is sent again with the same Message-ID, so the
 * mailbox can tell it is the same mail.
 */
import { type OrderRecord, receiptEmail } from '@ifec/protocol';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../store/database.ts';
import type { PaymentState } from './settlement.ts';

export interface ReceiptMessage {
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

/** Where receipts go out: the SMTP relay in production (smtpRelay), any transport in a test. */
export interface ReceiptRelay {
  send(message: ReceiptMessage): Promise<void>;
  close(): void;
}

/** A relay refusal: `permanent` for a 5xx reply (this address will never take it). */
export class RelayError extends Error {
  constructor(
    readonly code: string,
    readonly permanent: boolean,
  ) {
    super(`the mail relay refused the receipt (${code})`);
  }
}

/** The relay's whole conversation is bounded well inside the lease, so a live sender never outlives it. */
const RELAY_TIMEOUT_MS = 15_000;

export function smtpRelay(url: string, from: string): ReceiptRelay {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: RELAY_TIMEOUT_MS,
    greetingTimeout: RELAY_TIMEOUT_MS,
    socketTimeout: RELAY_TIMEOUT_MS,
    // Its own logger would print recipients.
    logger: false,
    debug: false,
  });
  return {
    async send(m) {
      try {
        await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, messageId: m.messageId });
      } catch (error) {
        const e = error as { code?: string; responseCode?: number };
        const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
        throw new RelayError(
          responseCode ? `smtp ${responseCode}` : (e.code ?? 'unreachable'),
          responseCode !== undefined && responseCode >= 500,
        );
      }
    },
    close: () => transport.close(),
  };
}

export interface ReceiptMailerDeps {
  db: Database;
  /** Absent: no relay is configured; nothing is mailed and the addresses stay where they are. */
  relay?: ReceiptRelay;
  /** The domain of the Message-ID (the sender's). */
  domain: string;
  log: Logger;
  leaseMs?: number;
  /** A receipt the relay keeps deferring is given up after this many tries (its address erased). */
  maxAttempts?: number;
}

interface Due {
  order_id: string;
  email: string | null;
  attempts: number;
  state: PaymentState;
  decline_code: string | null;
  order: OrderRecord | null;
  items: { sku: string; name?: Record<string, string> }[] | null;
}

export class ReceiptMailer {
  private readonly leaseMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly deps: ReceiptMailerDeps) {
    this.leaseMs = deps.leaseMs ?? 60_000;
    this.maxAttempts = deps.maxAttempts ?? 8;
  }

  /** Moves the addresses of settled orders out of their uplink records; returns how many. */
  private async collect(limit: number): Promise<number> {
    return this.deps.db.transaction(async (tx) => {
      const { affected } = await tx.query(
        `INSERT INTO shop_receipts (order_id, tenant_id, aircraft_id, email)
         SELECT p.order_id, p.tenant_id, p.aircraft_id, r.data->'order'->>'email'
         FROM uplink_records r JOIN shop_payments p ON p.aircraft_id = r.aircraft_id AND p.seq = r.seq
         WHERE r.kind = 'order' AND (r.data->'order') ? 'email' AND p.state <> 'pending'
         ORDER BY p.settled_at LIMIT $1
         ON CONFLICT (order_id) DO NOTHING`,
        [limit],
      );
      await eraseUplinkCopies(tx);
      return affected;
    });
  }

  /** Leases receipts that are due (or whose sender died); a second process skips them. */
  private async lease(limit: number): Promise<Due[]> {
    const { rows } = await this.deps.db.query<Due>(
      `WITH leased AS (
         UPDATE shop_receipts SET state = 'sending', attempts = attempts + 1,
           lease_until = now() + $2::int * interval '1 millisecond'
         WHERE order_id IN (
           SELECT order_id FROM shop_receipts
           WHERE (state = 'due' AND next_at <= now()) OR (state = 'sending' AND lease_until < now())
           ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING order_id, email, attempts, tenant_id)
       SELECT l.order_id, l.email, l.attempts, p.state, p.decline_code, r.data->'order' AS order,
         (SELECT pub.signed->'payload'->'items' FROM publications pub
           WHERE pub.tenant_id = l.tenant_id AND pub.kind = 'price-list' AND pub.name = 'shop'
           ORDER BY pub.seq DESC LIMIT 1) AS items
       FROM leased l JOIN shop_payments p USING (order_id)
       LEFT JOIN uplink_records r ON r.aircraft_id = p.aircraft_id AND r.seq = p.seq`,
      [limit, this.leaseMs],
    );
    return rows;
  }

  /** One pass: collect, lease, send. */
  async runOnce(limit = 100): Promise<{ sent: number; retried: number; failed: number }> {
    const out = { sent: 0, retried: 0, failed: 0 };
    const relay = this.deps.relay;
    if (!relay) return out;
    await this.collect(limit);
    for (const due of await this.lease(limit)) {
      const to = due.email === null ? undefined : receiptEmail.safeParse(due.email);
      if (!to?.success || !due.order) {
        await this.finish(due.order_id, 'failed', 'no valid address or order');
        out.failed++;
        continue;
      }
      const message = composeReceipt(due.order, due.state, due.decline_code, due.items ?? [], this.deps.domain);
      try {
        await relay.send({ ...message, to: to.data });
        await this.finish(due.order_id, 'sent', null, message.messageId);
        out.sent++;
      } catch (error) {
        const code = error instanceof RelayError ? error.code : 'relay error';
        if ((error instanceof RelayError && error.permanent) || due.attempts >= this.maxAttempts) {
          await this.finish(due.order_id, 'failed', code);
          out.failed++;
        } else {
          // Deferred: back off (30 s, 1 min, 2 min, …) and try again in a later pass.
          await this.deps.db.query(
            `UPDATE shop_receipts SET state = 'due', lease_until = NULL, last_error = $2,
               next_at = now() + $3::int * interval '1 millisecond' WHERE order_id = $1 AND state = 'sending'`,
            [due.order_id, code, Math.min(30_000 * 2 ** (due.attempts - 1), 3_600_000)],
          );
          out.retried++;
        }
        this.deps.log.warn({ orderId: due.order_id, code, attempts: due.attempts }, 'receipt not sent');
      }
    }
    return out;
  }

  /** Final state: the address is erased with it. */
  private async finish(orderId: string, state: 'sent' | 'failed', error: string | null, messageId?: string) {
    await this.deps.db.query(
      `UPDATE shop_receipts SET state = $2, email = NULL, lease_until = NULL, last_error = $3, message_id = $4,
         sent_at = CASE WHEN $2 = 'sent' THEN now() END WHERE order_id = $1`,
      [orderId, state, error, messageId ?? null],
    );
  }

  /** Runs `runOnce` every `intervalMs` until stopped (one pass at a time). */
  start(intervalMs: number): () => Promise<void> {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = running.then(() =>
        this.runOnce().catch((error) =>
          this.deps.log.warn({ code: (error as { code?: string }).code }, 'receipt pass failed'),
        ),
      );
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
      this.close();
    };
  }

  /** Closes the relay's connections. */
  close(): void {
    this.deps.relay?.close();
  }
}

/** Erases the address from every uplink copy of an order that has its receipt row. */
async function eraseUplinkCopies(q: Queryable): Promise<void> {
  await q.query(
    `UPDATE uplink_records r SET data = jsonb_set(r.data, '{order}', (r.data->'order') - 'email')
     FROM shop_receipts s
     WHERE r.kind = 'order' AND (r.data->'order') ? 'email' AND r.aircraft_id = s.aircraft_id AND r.record_id = s.order_id`,
  );
}

/** `EUR 12.50`: plain ASCII, so the receipt reads the same in every mail client (amounts are cents, as everywhere in the shop). */
export function money(minor: number, currency: string): string {
  return `${currency} ${(minor / 100).toFixed(2)}`;
}

const OUTCOME: Record<PaymentState, string> = {
  approved: 'Your card was charged',
  refunded: 'Your card was charged and the amount refunded in full',
  declined: 'Your bank declined the payment: nothing was charged',
  failed: 'The payment could not be taken: nothing was charged',
  voided: 'The order was cancelled on board: nothing was charged',
  pending: 'The payment is being processed',
};

/** The receipt's words (English: the order does not carry the passenger's language). */
export function composeReceipt(
  order: OrderRecord,
  state: PaymentState,
  declineCode: string | null,
  items: { sku: string; name?: Record<string, string> }[],
  domain: string,
): Omit<ReceiptMessage, 'to'> {
  const nameOf = (sku: string) => items.find((i) => i.sku === sku)?.name?.en ?? sku;
  const lines = order.lines.map(
    (l) => `  ${l.qty} x ${nameOf(l.sku)}  ${money(l.unitPriceMinor * l.qty, order.currency)}`,
  );
  const paid = state === 'approved' || state === 'refunded';
  const text = [
    `Thank you for your order on board (aircraft ${order.aircraftId}, seat ${order.seatId}).`,
    '',
    `Order: ${order.orderId}`,
    `Placed: ${order.placedAt}`,
    '',
    ...lines,
    '',
    `Total: ${money(order.totalMinor, order.currency)}`,
    `Card: ${order.card.brand.toUpperCase()} ending ${order.card.last4}`,
    '',
    `${OUTCOME[state]}${state === 'declined' && declineCode ? ` (${declineCode.replaceAll('_', ' ')})` : ''}.`,
    '',
    'Your e-mail address was used for this receipt only and has been erased.',
  ].join('\n');
  return {
    subject: `${paid ? 'Your receipt' : 'Your order'} ${order.orderId}: ${money(order.totalMinor, order.currency)}${paid ? '' : ' (not charged)'}`,
    text,
    messageId: `<receipt.${order.orderId}@${domain}>`,
  };
}

/** The domain part of a sender such as `Shop <receipts@airline.example>`. */
export function domainOf(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1] ?? 'ifec.invalid';
}
