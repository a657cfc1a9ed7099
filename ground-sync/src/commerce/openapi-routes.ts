/** Settlement's admin routes for the ground's OpenAPI document (appended in http/openapi.ts). */
import type { RouteDoc } from '@ifec/http-kit';
import { shopAnomalyPaths } from '@ifec/protocol';
import { adCountsQuery } from './ad-counts.ts';
import { anomalyCasesQuery } from './anomaly-cases.ts';
import { auditQuery, paymentsQuery, refundRequest } from './http.ts';

const admin = ['apiKey'];

export const settlementRoutes: RouteDoc[] = [
  {
    method: 'get',
    path: '/admin/v1/card-key',
    summary: "The ground's RSA-OAEP card key (public half) for the shop catalogue publication",
    security: admin,
    responses: { 200: 'cardKey { alg, spki, keyId }' },
    errors: ['API_KEY_REQUIRED'],
  },
  {
    method: 'get',
    path: '/admin/v1/payments',
    summary:
      "Your aircraft's payments: approved, declined after the flight (insufficient funds, stolen, expired), failed card data, refunded",
    security: admin,
    query: paymentsQuery,
    responses: { 200: 'payments' },
    errors: ['API_KEY_REQUIRED'],
  },
  {
    method: 'post',
    path: '/admin/v1/payments/:orderId/refund',
    summary: 'Refund an approved payment in full (once; the order id is the idempotency key)',
    security: admin,
    body: refundRequest,
    responses: { 200: 'refunded' },
    errors: ['API_KEY_REQUIRED', 'PAYMENT_UNKNOWN', 'PAYMENT_NOT_REFUNDABLE'],
  },
  {
    method: 'get',
    path: '/admin/v1/audit',
    summary: 'The payment audit: PaymentProcessed, payment.failed, PaymentRefunded (one per order and event)',
    security: admin,
    query: auditQuery,
    responses: { 200: 'events' },
    errors: ['API_KEY_REQUIRED'],
  },
  {
    method: 'get',
    path: shopAnomalyPaths.groundCases,
    summary:
      "Shop anomaly cases your aircraft flagged (a seat's declined attempts, different cards or totals past the policy's thresholds), with the payments of the flagged session's orders",
    security: admin,
    query: anomalyCasesQuery,
    responses: { 200: 'cases' },
    errors: ['API_KEY_REQUIRED'],
  },
  {
    method: 'get',
    path: '/admin/v1/ads/counts',
    summary:
      "Ad impressions and clicks your aircraft counted (anonymous: per ad, placement, route and region), for the airline's partners",
    security: admin,
    query: adCountsQuery,
    responses: { 200: 'counts' },
    errors: ['API_KEY_REQUIRED'],
  },
];
