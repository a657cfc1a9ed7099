/**
 * The payment gateway as settlement sees it: charge and refund, each with an idempotency key
 * (the order id), as real gateways take them, so a charge retried after a crash is the same
 * charge. The sandbox acquirer below approves or declines by test card number the way the big
 * gateways' test cards do, and keeps its charges by key in the ground's database.
 */
import crypto from 'node:crypto';
import type { Queryable } from '../store/database.ts';

export type DeclineCode = 'insufficient_funds' | 'stolen_card' | 'expired_card' | 'card_declined' | 'invalid_number';

export interface ChargeRequest {
  idempotencyKey: string;
  pan: string;
  expMonth: number;
  expYear: number;
  amountMinor: number;
  currency: string;
}

export type ChargeResult =
  | { outcome: 'approved'; reference: string }
  | { outcome: 'declined'; code: DeclineCode; reference: string };

export interface PaymentGateway {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: { idempotencyKey: string; chargeReference: string; amountMinor: number; currency: string }): Promise<{
    reference: string;
  }>;
}

/** Test cards (the numbers Stripe, Adyen and others document for their sandboxes). */
export const SANDBOX_CARDS: Readonly<Record<string, 'approved' | DeclineCode>> = {
  '4242424242424242': 'approved',
  '5555555555554444': 'approved',
  '378282246310005': 'approved',
  '4000000000009995': 'insufficient_funds',
  '4000000000009979': 'stolen_card',
  '4000000000000069': 'expired_card',
  '4000000000000002': 'card_declined',
};

export class SandboxAcquirer implements PaymentGateway {
  readonly name = 'sandbox';
  constructor(
    private readonly db: Queryable,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private decide(r: ChargeRequest): 'approved' | DeclineCode {
    const n = this.now();
    if (r.expYear < n.getUTCFullYear() || (r.expYear === n.getUTCFullYear() && r.expMonth < n.getUTCMonth() + 1))
      return 'expired_card';
    // Unknown numbers decline, as a sandbox does for anything but its test cards.
    return SANDBOX_CARDS[r.pan] ?? 'card_declined';
  }

  async charge(r: ChargeRequest): Promise<ChargeResult> {
    const decision = this.decide(r);
    const reference = `ch_${crypto.randomBytes(8).toString('hex')}`;
    await this.db.query(
      `INSERT INTO sandbox_acquirer_charges (idempotency_key, kind, amount_minor, currency, outcome, code, reference, card_last4)
       VALUES ($1, 'charge', $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        r.idempotencyKey,
        r.amountMinor,
        r.currency,
        decision === 'approved' ? 'approved' : 'declined',
        decision,
        reference,
        r.pan.slice(-4),
      ],
    );
    // The same key answers what it answered the first time.
    const { rows } = await this.db.query<{ outcome: string; code: string; reference: string }>(
      'SELECT outcome, code, reference FROM sandbox_acquirer_charges WHERE idempotency_key = $1',
      [r.idempotencyKey],
    );
    const row = rows[0]!;
    return row.outcome === 'approved'
      ? { outcome: 'approved', reference: row.reference }
      : { outcome: 'declined', code: row.code as DeclineCode, reference: row.reference };
  }

  async refund(r: { idempotencyKey: string; chargeReference: string; amountMinor: number; currency: string }) {
    const reference = `re_${crypto.randomBytes(8).toString('hex')}`;
    await this.db.query(
      `INSERT INTO sandbox_acquirer_charges (idempotency_key, kind, amount_minor, currency, outcome, code, reference, card_last4)
       VALUES ($1, 'refund', $2, $3, 'approved', $4, $5, '') ON CONFLICT (idempotency_key) DO NOTHING`,
      [r.idempotencyKey, r.amountMinor, r.currency, r.chargeReference, reference],
    );
    const { rows } = await this.db.query<{ reference: string }>(
      'SELECT reference FROM sandbox_acquirer_charges WHERE idempotency_key = $1',
      [r.idempotencyKey],
    );
    return { reference: rows[0]!.reference };
  }
}
