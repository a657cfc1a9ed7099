/**
 * The airline's view of settlement (admin API, one tenant per API key): payments and their
 * declines after the flight, refunds, the payment audit, and the card key's public half for
 * the shop catalogue it publishes.
 */

import { parseBody } from '@ifec/http-kit';
import { IfecError, shopAnomalyPaths } from '@ifec/protocol';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Database } from '../store/database.ts';
import { type Tenant, tenantForApiKey } from '../tenants/tenants.ts';
import { adCountsQuery, sumAdCounts } from './ad-counts.ts';
import { anomalyCasesQuery, listAnomalyCases } from './anomaly-cases.ts';
import type { CardKey } from './card-key.ts';
import { listAudit, listPayments, type Settlement } from './settlement.ts';

export const paymentsQuery = z
  .object({
    state: z.enum(['pending', 'approved', 'declined', 'failed', 'refunded', 'voided']).optional(),
    aircraftId: z
      .string()
      .regex(/^[A-Z0-9-]{2,10}$/)
      .optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();
export const auditQuery = z
  .object({
    event: z.string().min(1).max(64).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();
export const refundRequest = z.object({ reason: z.string().min(1).max(500) }).strict();

export function settlementRouter(db: Database, settlement: Settlement, cardKey: CardKey): Router {
  const router = Router();
  const auth = async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const tenant = header.startsWith('Bearer ') ? await tenantForApiKey(db, header.slice(7)) : undefined;
    if (!tenant) throw new IfecError('API_KEY_REQUIRED', 'send Authorization: Bearer <your airline API key>');
    res.locals.tenant = tenant;
    next();
  };
  const tenantOf = (res: Response) => (res.locals.tenant as Tenant).tenantId;

  router.get('/admin/v1/card-key', auth, (_req, res) => {
    res.json({ cardKey: cardKey.publicKey });
  });

  router.get('/admin/v1/payments', auth, async (req, res) => {
    res.json({ payments: await listPayments(db, tenantOf(res), parseBody(paymentsQuery, req.query)) });
  });

  router.post('/admin/v1/payments/:orderId/refund', auth, express.json({ limit: '4kb' }), async (req, res) => {
    const orderId = parseBody(z.string().uuid(), req.params.orderId);
    const { reason } = parseBody(refundRequest, req.body ?? {});
    const { rows } = await db.query<{ tenant_id: string; state: string }>(
      'SELECT tenant_id, state FROM shop_payments WHERE order_id = $1',
      [orderId],
    );
    if (rows[0]?.tenant_id !== tenantOf(res)) throw new IfecError('PAYMENT_UNKNOWN', `no payment for order ${orderId}`);
    if (rows[0].state !== 'approved')
      throw new IfecError(
        'PAYMENT_NOT_REFUNDABLE',
        `the payment of order ${orderId} is ${rows[0].state}, not approved`,
      );
    const result = await settlement.refund(orderId, reason);
    if (result.state !== 'refunded')
      throw new IfecError('PAYMENT_NOT_REFUNDABLE', `the payment of order ${orderId} is ${result.state}, not approved`);
    res.json({ orderId, ...result });
  });

  router.get('/admin/v1/audit', auth, async (req, res) => {
    res.json({ events: await listAudit(db, tenantOf(res), parseBody(auditQuery, req.query)) });
  });

  router.get(shopAnomalyPaths.groundCases, auth, async (req, res) => {
    res.json({ cases: await listAnomalyCases(db, tenantOf(res), parseBody(anomalyCasesQuery, req.query)) });
  });

  router.get('/admin/v1/ads/counts', auth, async (req, res) => {
    res.json({ counts: await sumAdCounts(db, tenantOf(res), parseBody(adCountsQuery, req.query)) });
  });

  return router;
}
