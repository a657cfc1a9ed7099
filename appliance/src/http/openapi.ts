/**
 * The appliance's HTTP API as an OpenAPI 3.1 document, served at /openapi.json. Request bodies
 * come from the zod schemas the routes validate with; error responses from the code -> status
 * table. test/openapi.test.ts fails when a mounted route is not described here.
 */

import { openApiDocument, type RouteDoc } from '@ifec/http-kit';
import {
  crewLogin,
  flightPlanUpdate,
  languageCode,
  paCommand,
  pairingClaim,
  pairingPaths,
  paState,
  phoneCredentials,
  playbackGrant,
  pullQuery,
  recoConsent,
  recoRows,
  recoSignal,
  replicationPaths,
  seatCommand,
  seatLogin,
  seatStatePush,
} from '@ifec/protocol';
import { z } from 'zod';
import { commerceRoutes } from '../commerce/openapi-routes.ts';
import { installRequest, playbackRequest } from '../media/http.ts';
import { updatesRoutes } from '../updates/openapi-routes.ts';
import { applianceErrorStatus } from './error-status.ts';

const crew = ['crewToken'];
const seat = ['seatToken'];
const crewErrors = ['CREW_LOGIN_REQUIRED', 'ROLE_NOT_ALLOWED'] as const;
const seatErrors = ['SEAT_LOGIN_REQUIRED'] as const;
const playbackToken = z.object({ token: z.string().describe('from POST /api/playback') });
const sse = {
  description: 'server-sent events: documents as they change (RxDB pull.stream$), RESYNC on reconnect',
  schema: 'binary' as const,
  contentType: 'text/event-stream',
};

const routes: RouteDoc[] = [
  // operations
  { method: 'get', path: '/healthz', summary: 'Liveness: the process answers', responses: { 200: 'ok' } },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: store open, journal replayed, broker listening',
    responses: { 200: 'ready', 503: 'starting or shutting down' },
  },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', responses: { 200: 'text exposition format' } },
  { method: 'get', path: '/openapi.json', summary: 'This document', responses: { 200: 'OpenAPI 3.1' } },
  {
    method: 'get',
    path: '/asyncapi.json',
    summary: 'The cabin bus (MQTT topics and their payloads) as AsyncAPI 3.0',
    responses: { 200: 'AsyncAPI 3.0' },
  },
  // recommendations
  {
    method: 'get',
    path: '/api/recommendations',
    summary:
      "Rows for the caller's passenger session (seat token, or a phone paired with the seat), each card with its reason",
    security: seat,
    query: z.object({ lang: languageCode.optional() }),
    responses: { 200: { description: 'rows', schema: recoRows } },
    errors: [...seatErrors],
  },
  {
    method: 'post',
    path: '/api/recommendations/signals',
    summary: 'What the session watched, finished, abandoned, favourited or searched (kept only with consent)',
    security: seat,
    body: recoSignal,
    responses: { 202: 'taken' },
    errors: [...seatErrors, 'RECO_SIGNALS_TOO_FAST'],
  },
  {
    method: 'get',
    path: '/api/recommendations/consent',
    summary: 'Whether this session chose personalised rows',
    security: seat,
    responses: { 200: { description: 'consent', schema: recoConsent } },
    errors: [...seatErrors],
  },
  {
    method: 'put',
    path: '/api/recommendations/consent',
    summary: 'Opt in or out of personalised rows (on the seat only); opting out forgets the signals',
    security: seat,
    body: recoConsent,
    responses: { 200: { description: 'consent', schema: recoConsent } },
    errors: [...seatErrors],
  },
  // flight
  {
    method: 'get',
    path: '/api/flight',
    summary: 'The flight now: position, phase, plan, airspace policy, position sources',
    responses: { 200: 'flight snapshot' },
  },
  {
    method: 'put',
    path: '/api/crew/flight',
    summary: 'Crew: set origin, destination and flight number',
    body: flightPlanUpdate,
    responses: { 200: 'the new flight/phase state' },
    errors: ['UNKNOWN_AIRPORT'],
  },
  // access
  {
    method: 'post',
    path: '/api/crew/logins/:crewId/clear',
    summary: "Purser: clear a crew member's login backoff (after a passenger's wrong guesses)",
    security: crew,
    responses: { 200: 'cleared' },
    errors: [...crewErrors, 'UNKNOWN_CREW'],
  },
  {
    method: 'post',
    path: '/api/crew/login',
    summary: 'Crew login with crew id and PIN: a crew token',
    body: crewLogin,
    responses: { 200: 'token, crew id, name, role' },
    errors: ['BAD_CREDENTIALS', 'LOGIN_LOCKED', 'LOGIN_BUSY'],
  },
  {
    method: 'post',
    path: '/api/phones',
    summary: 'Register a phone on the cabin Wi-Fi: a device id and its MQTT password (broadcasts only)',
    responses: { 201: 'deviceId and MQTT credentials' },
  },
  // cabin
  {
    method: 'get',
    path: '/api/crew/seats',
    summary: 'The seat map: state, faults, counts',
    security: crew,
    responses: { 200: 'seats and summary' },
    errors: [...crewErrors],
  },
  {
    method: 'get',
    path: '/api/crew/announcements',
    summary: 'The prerecorded announcement library',
    security: crew,
    responses: { 200: 'announcements' },
    errors: [...crewErrors],
  },
  {
    method: 'get',
    path: '/api/crew/pa',
    summary: 'The PA now (null when none)',
    security: crew,
    responses: { 200: { description: '{ pa }', schema: z.object({ pa: paState }) } },
    errors: [...crewErrors],
  },
  {
    method: 'post',
    path: '/api/crew/pa',
    summary: 'Start or stop an announcement (purser, cabin crew): every seat pauses and shows it',
    security: crew,
    body: paCommand,
    responses: { 200: 'stopped', 201: { description: 'started', schema: z.object({ pa: paState }) } },
    errors: [...crewErrors, 'UNKNOWN_ANNOUNCEMENT', 'PA_TEXT_REQUIRED', 'NO_ACTIVE_PA'],
  },
  {
    method: 'get',
    path: '/api/crew/seat-controls',
    summary: 'Lock and parental-lock state of every seat',
    security: crew,
    responses: { 200: 'seat controls' },
    errors: [...crewErrors],
  },
  {
    method: 'post',
    path: '/api/crew/seats/:seatId/command',
    summary: 'Lock, unlock, reset a seat, set its parental lock, acknowledge its call',
    security: crew,
    body: seatCommand,
    responses: { 200: 'the seat controls after the command' },
    errors: [...crewErrors, 'UNKNOWN_SEAT'],
  },
  // media
  {
    method: 'get',
    path: '/api/catalog',
    summary: 'What is on board, in a language, for a seat or a phone (public)',
    query: z.object({ lang: languageCode.optional(), device: z.enum(['seat', 'phone']).optional() }),
    responses: { 200: 'load, titles, live channels' },
    errors: ['INVALID_LANGUAGE'],
  },
  {
    method: 'post',
    path: '/api/playback',
    summary: 'Open a playback session (Basic seat:<id> or phone:<deviceId>): a signed master playlist URL',
    security: ['viewerBasic'],
    body: playbackRequest,
    responses: {
      201: {
        description: 'the master URL, token and expiry; the seek preview track when the title has one',
        schema: playbackGrant,
      },
    },
    errors: [
      'VIEWER_LOGIN_REQUIRED',
      'BAD_CREDENTIALS',
      'NOT_A_VIEWER',
      'DEVICE_MISMATCH',
      'NO_SUCH_TITLE',
      'NO_SUCH_CHANNEL',
      'SEATBACK_ONLY',
      'NOT_ENTITLED',
      'PARENTAL_LOCK',
      'REGION_BLOCKED',
    ],
  },
  {
    method: 'get',
    path: '/api/keys/:keyId',
    summary: "A title's AES-128 key, only for a playback session of that title, checked again on every request",
    query: playbackToken,
    responses: { 200: { description: '16 bytes', schema: 'binary' } },
    errors: [
      'PLAYBACK_TOKEN_REQUIRED',
      'PLAYBACK_TOKEN_INVALID',
      'NO_CONTENT_LOAD',
      'KEY_NOT_FOR_SESSION',
      'KEY_MISSING',
      'KEY_INVALID',
      'NO_SUCH_TITLE',
      'SEATBACK_ONLY',
      'NOT_ENTITLED',
      'PARENTAL_LOCK',
      'REGION_BLOCKED',
    ],
  },
  {
    method: 'get',
    path: '/hls/*',
    summary:
      'The HLS origin: /hls/<titleId>/<file> and /hls/live/<channel>/<file>; playlists need ?token= and are rewritten to carry it; Range supported',
    query: z.object({ token: z.string().optional() }),
    responses: {
      200: { description: 'playlist or segment', schema: 'binary' },
      206: { description: 'a byte range', schema: 'binary' },
    },
    errors: [
      'BAD_MEDIA_PATH',
      'NOT_FOUND',
      'PLAYBACK_TOKEN_REQUIRED',
      'PLAYBACK_TOKEN_INVALID',
      'PLAYBACK_TOKEN_WRONG_TITLE',
    ],
  },
  {
    method: 'get',
    path: '/api/crew/content-loads',
    summary: 'The active content load',
    security: crew,
    responses: { 200: '{ active }' },
    errors: [...crewErrors],
  },
  {
    method: 'post',
    path: '/api/crew/content-loads',
    summary:
      'Verify and install a content load from a path (maintenance); refused with every problem listed, the active load stays',
    security: crew,
    body: installRequest,
    responses: { 201: 'the new active load' },
    errors: [...crewErrors, 'CONTENT_LOAD_REFUSED'],
  },
  {
    method: 'get',
    path: '/api/crew/live-channels',
    summary: 'Live channels, their state and RTMP ingest URLs (maintenance, purser)',
    security: crew,
    responses: { 200: 'channels' },
    errors: [...crewErrors],
  },
  // catalog and seat state: RxDB replication
  {
    method: 'get',
    path: replicationPaths.catalogSnapshot,
    summary: 'The whole catalogue at once (ETag, gzip or brotli)',
    responses: { 200: 'documents and checkpoint', 304: 'not modified' },
  },
  {
    method: 'get',
    path: replicationPaths.catalogPull,
    summary: 'Catalogue documents after a checkpoint',
    query: pullQuery,
    responses: { 200: 'documents and checkpoint' },
    errors: ['INVALID_CHECKPOINT'],
  },
  {
    method: 'get',
    path: replicationPaths.catalogStream,
    summary: 'Catalogue changes as they happen',
    responses: { 200: sse },
  },
  {
    method: 'post',
    path: replicationPaths.seatLogin,
    summary: 'Seat login with its secret: a seat token',
    body: seatLogin,
    responses: { 200: 'token, seatId, expiresAt' },
    errors: ['BAD_CREDENTIALS'],
  },
  {
    method: 'get',
    path: replicationPaths.seatStatePull,
    summary: "The seat's own documents after a checkpoint",
    security: seat,
    query: pullQuery,
    responses: { 200: 'documents and checkpoint' },
    errors: [...seatErrors, 'INVALID_CHECKPOINT'],
  },
  {
    method: 'post',
    path: replicationPaths.seatStatePush,
    summary: "Push the seat's documents; answers the conflicts",
    security: seat,
    body: seatStatePush,
    responses: { 200: 'conflicts' },
    errors: [...seatErrors, 'PUSH_TOO_LARGE', 'SESSION_ENDED'],
  },
  {
    method: 'get',
    path: replicationPaths.seatStateStream,
    summary: "The seat's documents as they change",
    security: seat,
    responses: { 200: sse },
    errors: [...seatErrors],
  },
  // sessions
  {
    method: 'post',
    path: pairingPaths.seatCodes,
    summary: 'A 6-digit pairing code and its link for this seat',
    security: seat,
    responses: { 201: 'code, url, expiresAt, seatId' },
    errors: [...seatErrors, 'NO_SESSION'],
  },
  {
    method: 'get',
    path: pairingPaths.seatPhones,
    summary: 'The phones paired with this seat',
    security: seat,
    responses: { 200: 'seatId, sessionId, phones' },
    errors: [...seatErrors],
  },
  {
    method: 'delete',
    path: pairingPaths.seatPhones,
    summary: 'Unpair every phone of this seat',
    security: seat,
    responses: { 200: 'how many' },
    errors: [...seatErrors],
  },
  {
    method: 'post',
    path: pairingPaths.claim,
    summary: "A phone claims a seat's code: paired with the seat's passenger session",
    body: pairingClaim,
    responses: { 200: 'seatId, sessionId, device, serverNow' },
    errors: [
      'PHONE_LOGIN_REQUIRED',
      'CODE_UNKNOWN',
      'CODE_EXPIRED',
      'CODE_USED',
      'PAIRING_LOCKED',
      'SEAT_FULL',
      'NO_SESSION',
    ],
  },
  {
    method: 'delete',
    path: pairingPaths.phone,
    summary: 'A phone unpairs itself',
    body: phoneCredentials,
    responses: { 200: 'the seat it left' },
    errors: ['PHONE_LOGIN_REQUIRED', 'NOT_PAIRED'],
  },
  {
    method: 'post',
    path: pairingPaths.resetForNextFlight,
    summary: 'Reset for next flight (purser, cabin crew): every passenger session, pairing and seat setting wiped',
    security: crew,
    responses: { 200: 'sessionsEnded, phonesUnpaired, titlesCounted' },
    errors: [...crewErrors],
  },
  // sync
  {
    method: 'get',
    path: '/api/crew/sync',
    summary: 'Sync state, publications from the ground, the aircraft public key',
    security: crew,
    responses: { 200: 'status' },
    errors: [...crewErrors],
  },
  {
    method: 'get',
    path: '/api/crew/sync/history',
    summary: 'The last syncs and USB bundles, newest first, with what each moved or why it was refused',
    security: crew,
    responses: { 200: 'history' },
    errors: [...crewErrors],
  },
  {
    method: 'post',
    path: '/api/crew/sync/now',
    summary: 'Try the ground links now',
    security: crew,
    responses: { 202: 'requested' },
    errors: [...crewErrors],
  },
  {
    method: 'post',
    path: '/api/crew/sync/bundles/export',
    summary: 'A signed uplink bundle for a USB stick (purser, maintenance)',
    security: crew,
    responses: { 200: { description: 'the bundle file', schema: 'binary' } },
    errors: [...crewErrors],
  },
  {
    method: 'post',
    path: '/api/crew/sync/bundles/import',
    summary: "Import the ground's signed downlink bundle (purser, maintenance)",
    security: crew,
    body: 'binary',
    responses: { 200: 'what was imported' },
    errors: [
      ...crewErrors,
      'BUNDLE_MISSING',
      'BUNDLE_MALFORMED',
      'BUNDLE_SIGNATURE',
      'BUNDLE_WRONG_AIRCRAFT',
      'BUNDLE_WRONG_DIRECTION',
      'BUNDLE_REPLAYED',
      'BUNDLE_EXPIRED',
      'BUNDLE_BLOB_CHECKSUM',
      'PUBLICATION_SIGNATURE',
      'PUBLICATION_INVALID',
      'PUBLICATION_WRONG_AIRCRAFT',
      'BODY_TOO_LARGE',
    ],
  },
  // the seat app
  {
    method: 'get',
    path: '/',
    summary: 'The passenger app (phones; the kiosk loads the same origin)',
    responses: { 200: 'HTML', 503: 'the seat app is not built' },
  },
  {
    method: 'get',
    path: '/crew',
    summary: 'The crew console',
    responses: { 200: 'HTML', 503: 'the seat app is not built' },
  },
  { method: 'get', path: '/crew/', summary: 'The crew console', responses: { 200: 'HTML' } },
  // updates
  ...updatesRoutes,
  ...commerceRoutes,
  {
    method: 'get',
    path: '/api/crew/cabin-plan',
    summary: 'The cabin as the crew console draws it: decks, rows, seat groups between aisles, exits, galleys',
    security: crew,
    responses: { 200: 'cabinPlan' },
    errors: [...crewErrors, 'NOT_PROVISIONED'],
  },
  {
    method: 'get',
    path: '/api/crew/pa/history',
    summary: 'The last announcements started and ended, newest first (from the audit trail)',
    security: crew,
    responses: { 200: '{ history: paHistoryEntry[] }' },
    errors: [...crewErrors],
  },
];

export function applianceOpenApi(): object {
  return openApiDocument({
    title: 'IFEC appliance',
    version: '1',
    description:
      'The aircraft head-end server: seats, phones and crew on the cabin network. Errors are { error: { code, message } }; a code keeps its status.',
    securitySchemes: {
      crewToken: { type: 'http', scheme: 'bearer', description: 'a crew token from POST /api/crew/login' },
      seatToken: {
        type: 'http',
        scheme: 'bearer',
        description: `a seat token from POST ${replicationPaths.seatLogin}`,
      },
      viewerBasic: {
        type: 'http',
        scheme: 'basic',
        description: 'seat:<seatId> or phone:<deviceId> with its MQTT password',
      },
    },
    routes,
    statusTable: applianceErrorStatus,
  });
}
