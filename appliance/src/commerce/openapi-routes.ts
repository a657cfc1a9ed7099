/** The shop's routes for the appliance's OpenAPI document (appended to its list in http/openapi.ts). */
import type { RouteDoc } from '@ifec/http-kit';
import {
  adClick,
  adPaths,
  adRequest,
  adServed,
  adSwitch,
  orderReceipt,
  orderRequest,
  orderStatusChange,
  shopAnomalyPaths,
  shopPaths,
} from '@ifec/protocol';
import { catalogueQuery, crewStockQuery } from './http.ts';

const buyer = ['seatToken', 'viewerBasic'];
const crew = ['crewToken'];
const crewErrors = ['CREW_LOGIN_REQUIRED', 'ROLE_NOT_ALLOWED'] as const;

export const commerceRoutes: RouteDoc[] = [
  {
    method: 'get',
    path: shopPaths.catalogue,
    summary:
      "The shop now: items priced in the airline's currency (Wi-Fi by the airspace price zone), shown in the passenger's at the published rate, stock left, the ground's card key",
    query: catalogueQuery,
    responses: { 200: 'the catalogue, or { open: false, reason }' },
  },
  {
    method: 'post',
    path: shopPaths.orders,
    summary:
      'Place an order for your own seat (seat token, or a phone paired with it); journalled before the answer; the card is ciphertext for the ground. The same id and body again answers 200 with the first receipt',
    security: buyer,
    body: orderRequest,
    responses: {
      201: { description: 'accepted, durable', schema: orderReceipt },
      200: { description: 'the same order again: the first receipt, nothing new stored', schema: orderReceipt },
    },
    errors: [
      'SHOP_LOGIN_REQUIRED',
      'NOT_PAIRED',
      'NOT_YOUR_SEAT',
      'SHOP_CLOSED',
      'ORDER_INVALID',
      'UNKNOWN_ITEM',
      'PRICE_CHANGED',
      'TOTAL_MISMATCH',
      'WRONG_CURRENCY',
      'QTY_TOO_LARGE',
      'OUT_OF_STOCK',
      'ORDER_ID_REUSED',
      'CARD_INVALID_NUMBER',
      'CARD_EXPIRED',
      'CARD_KEY_UNKNOWN',
      'CARD_DENIED',
      'ABOVE_FLOOR_LIMIT',
      'CARD_LIMIT_REACHED',
      'TOO_MANY_CARDS',
      'ORDER_RATE_LIMITED',
    ],
  },
  {
    method: 'get',
    path: shopPaths.orders,
    summary: "Your seat's orders (receipts on screen)",
    security: buyer,
    responses: { 200: 'receipts' },
    errors: ['SHOP_LOGIN_REQUIRED', 'NOT_PAIRED'],
  },
  {
    method: 'get',
    path: shopPaths.entitlements,
    summary: "What your seat's passenger session has bought: titles, entertainment pass, Wi-Fi",
    security: buyer,
    responses: { 200: 'entitlements' },
    errors: ['SHOP_LOGIN_REQUIRED', 'NOT_PAIRED'],
  },
  {
    method: 'get',
    path: shopPaths.crewOrders,
    summary: 'Crew: the order queue, open orders first',
    security: crew,
    responses: { 200: 'orders' },
    errors: [...crewErrors],
  },
  {
    method: 'post',
    path: shopPaths.crewOrderStatus,
    summary: 'Crew: accept, deliver, cancel or mark out of stock (journalled; a cancel returns the stock)',
    security: crew,
    body: orderStatusChange,
    responses: { 200: 'the order' },
    errors: [...crewErrors, 'UNKNOWN_ORDER', 'ORDER_STATUS_INVALID'],
  },
  {
    method: 'get',
    path: shopPaths.crewStock,
    summary: "Crew: this flight's stock (loaded, sold, left) and every item's name, in the console's language",
    security: crew,
    query: crewStockQuery,
    responses: { 200: '{ open, stock, names }' },
    errors: [...crewErrors],
  },
  {
    method: 'get',
    path: shopPaths.crewGalley,
    summary: 'Crew: what the galley must prepare for open orders, per item and seat',
    security: crew,
    responses: { 200: 'galley summary' },
    errors: [...crewErrors],
  },
  {
    method: 'get',
    path: shopAnomalyPaths.crewAnomalies,
    summary:
      "Seats of the current sessions flagged by the airspace policy's shop anomaly rules (declined attempts, different cards, totals), newest first",
    security: crew,
    responses: { 200: 'flagged: one entry per seat session and rule' },
    errors: [...crewErrors],
  },
  {
    method: 'get',
    path: adPaths.next,
    summary:
      "The ad for your seat's session and a placement (home-screen banner, or pre-roll before a free title): by route, region and language; never before kids' or paid titles, in ad-free cabins or while the crew have ads off; capped per session. Counted as an impression, anonymously",
    security: buyer,
    query: adRequest,
    responses: { 200: { description: 'the ad, or null and why', schema: adServed } },
    errors: ['SHOP_LOGIN_REQUIRED', 'INVALID_BODY'],
  },
  {
    method: 'post',
    path: adPaths.click,
    summary: 'A click on an ad your session was served (counted anonymously; others are not counted)',
    security: buyer,
    body: adClick,
    responses: { 200: 'counted: boolean' },
    errors: ['SHOP_LOGIN_REQUIRED', 'INVALID_BODY'],
  },
  {
    method: 'get',
    path: adPaths.crewSwitch,
    summary: 'Whether ads are on in the cabin',
    security: crew,
    responses: { 200: 'enabled' },
    errors: [...crewErrors],
  },
  {
    method: 'post',
    path: adPaths.crewSwitch,
    summary: 'Crew switch ads on or off for the whole cabin',
    security: crew,
    body: adSwitch,
    responses: { 200: 'enabled' },
    errors: [...crewErrors, 'INVALID_BODY'],
  },
];
