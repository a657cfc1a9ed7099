/** The admin and aircraft APIs as an OpenAPI 3.1 document, built with http-kit from the same zod schemas the routes validate with. */

import { openApiDocument, type RouteDoc } from '@ifec/http-kit';
import { downlinkPage, publication, publicationRequest, uplinkAck } from '@ifec/protocol';
import { z } from 'zod';
import { settlementRoutes } from '../commerce/openapi-routes.ts';
import { aircraftRegistration, exportMark, recordsQuery, retentionPolicy } from './admin.ts';
import { groundErrorStatus } from './error-status.ts';

const admin = ['apiKey'];
const aircraft = ['aircraftSignature'];
const adminErrors = ['API_KEY_REQUIRED'] as const;
const aircraftErrors = [
  'AIRCRAFT_AUTH_REQUIRED',
  'AIRCRAFT_MISMATCH',
  'AIRCRAFT_NOT_REGISTERED',
  'REQUEST_STALE',
  'BAD_SIGNATURE',
] as const;
const bundleErrors = [
  'BUNDLE_MALFORMED',
  'BUNDLE_SIGNATURE',
  'BUNDLE_WRONG_AIRCRAFT',
  'BUNDLE_WRONG_DIRECTION',
  'BUNDLE_REPLAYED',
  'BUNDLE_EXPIRED',
  'BUNDLE_BLOB_CHECKSUM',
] as const;
const binary = (description: string) => ({ description, schema: 'binary' as const });

const routes: RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process runs (also while migrating)',
    responses: { 200: 'alive' },
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: migrations done and the database answers',
    responses: { 200: 'ready', 503: 'not ready' },
  },
  {
    method: 'put',
    path: '/admin/v1/aircraft/:aircraftId/exported',
    summary:
      "The airline holds this aircraft's records through a seq (retention may prune up to there; only moves forward)",
    security: admin,
    body: exportMark,
    responses: { 200: 'mark' },
    errors: [...adminErrors, 'AIRCRAFT_UNKNOWN', 'EXPORT_AHEAD_OF_GROUND', 'INVALID_BODY'],
  },
  {
    method: 'get',
    path: '/admin/v1/retention',
    summary: "The airline's retention policy (null: nothing is ever pruned)",
    security: admin,
    responses: { 200: 'policy' },
    errors: [...adminErrors],
  },
  {
    method: 'put',
    path: '/admin/v1/retention',
    summary: 'Set the retention policy',
    security: admin,
    body: retentionPolicy,
    responses: { 200: 'policy' },
    errors: [...adminErrors, 'INVALID_BODY'],
  },
  {
    method: 'post',
    path: '/admin/v1/retention/prune',
    summary: 'Prune now what the policy allows',
    security: admin,
    responses: { 200: 'pruned counts' },
    errors: [...adminErrors],
  },
  { method: 'get', path: '/openapi.json', summary: 'This document', responses: { 200: 'OpenAPI 3.1' } },
  {
    method: 'get',
    path: '/admin/v1/aircraft',
    summary: "The airline's aircraft: last contact, acknowledged outbox, backlog, errors",
    security: admin,
    responses: { 200: 'aircraft' },
    errors: [...adminErrors],
  },
  {
    method: 'post',
    path: '/admin/v1/aircraft',
    summary: 'Register an aircraft with its Ed25519 public key',
    security: admin,
    body: aircraftRegistration,
    responses: { 201: 'registered' },
    errors: [...adminErrors, 'AIRCRAFT_TAKEN', 'PUBLIC_KEY_INVALID'],
  },
  {
    method: 'get',
    path: '/admin/v1/aircraft/:aircraftId',
    summary: 'One aircraft',
    security: admin,
    responses: { 200: 'status' },
    errors: [...adminErrors, 'AIRCRAFT_UNKNOWN'],
  },
  {
    method: 'get',
    path: '/admin/v1/aircraft/:aircraftId/records',
    summary: "Records from the aircraft's outbox, by seq",
    security: admin,
    query: recordsQuery,
    responses: { 200: 'records' },
    errors: [...adminErrors, 'AIRCRAFT_UNKNOWN', 'INVALID_BODY'],
  },
  {
    method: 'post',
    path: '/admin/v1/aircraft/:aircraftId/bundles',
    summary: 'Export a signed downlink bundle for a USB stick',
    security: admin,
    responses: { 200: binary('the bundle file') },
    errors: [...adminErrors, 'AIRCRAFT_UNKNOWN'],
  },
  {
    method: 'post',
    path: '/admin/v1/bundles/import',
    summary: "Import an aircraft's signed uplink bundle",
    security: admin,
    body: 'binary',
    responses: { 200: 'imported' },
    errors: [...adminErrors, 'BUNDLE_MISSING', ...bundleErrors, 'BODY_TOO_LARGE'],
  },
  {
    method: 'get',
    path: '/admin/v1/publications',
    summary: 'Publications of the airline',
    security: admin,
    query: z.object({ after: z.coerce.number().int().nonnegative().optional() }),
    responses: { 200: 'publications' },
    errors: [...adminErrors],
  },
  {
    method: 'post',
    path: '/admin/v1/publications',
    summary: 'Publish a policy, price list, deny list, software or content load to the fleet or one aircraft',
    security: admin,
    body: publicationRequest,
    responses: { 201: { description: 'published', schema: z.object({ publication }) } },
    errors: [...adminErrors, 'AIRCRAFT_UNKNOWN', 'FILE_NOT_UPLOADED', 'FLIGHT_PLAN_INVALID'],
  },
  {
    method: 'put',
    path: '/admin/v1/files/:sha256',
    summary: 'Upload a file of a content load or software (body = the bytes)',
    security: admin,
    body: 'binary',
    responses: { 200: 'already stored', 201: 'stored' },
    errors: [...adminErrors, 'FILE_MISSING', 'FILE_CHECKSUM', 'INVALID_BODY', 'BODY_TOO_LARGE'],
  },
  { method: 'get', path: '/v1/ping', summary: 'Link probe', responses: { 200: 'pong' } },
  {
    method: 'get',
    path: '/v1/aircraft/:aircraftId/checkpoint',
    summary: 'What the ground holds of the outbox',
    security: aircraft,
    responses: { 200: { description: 'acks', schema: uplinkAck } },
    errors: [...aircraftErrors],
  },
  {
    method: 'post',
    path: '/v1/aircraft/:aircraftId/batches',
    summary: 'Upload one gzip columnar batch',
    security: aircraft,
    body: 'binary',
    responses: { 200: { description: 'acks', schema: uplinkAck } },
    errors: [
      ...aircraftErrors,
      'BATCH_MISSING',
      'BATCH_NOT_GZIP',
      'BATCH_NOT_JSON',
      'BATCH_INVALID',
      'BATCH_TOO_LARGE',
      'BODY_TOO_LARGE',
    ],
  },
  {
    method: 'get',
    path: '/v1/aircraft/:aircraftId/downlink',
    summary: 'Publications after a checkpoint',
    security: aircraft,
    query: z.object({
      after: z.coerce.number().int().nonnegative().optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
    responses: { 200: { description: 'page', schema: downlinkPage } },
    errors: [...aircraftErrors, 'INVALID_BODY'],
  },
  {
    method: 'get',
    path: '/v1/aircraft/:aircraftId/files/:sha256',
    summary: 'A file, resumable with Range',
    security: aircraft,
    responses: { 200: binary('file'), 206: binary('range') },
    errors: [...aircraftErrors, 'FILE_UNKNOWN', 'RANGE_NOT_SATISFIABLE', 'INVALID_BODY'],
  },
  ...settlementRoutes,
  {
    method: 'get',
    path: '/admin/v1/aircraft/:aircraftId/software',
    summary:
      'Software on one aircraft, from its audit records: the version of each seat, the last rollout and its progress',
    security: admin,
    responses: { 200: 'software' },
    errors: [...adminErrors, 'AIRCRAFT_UNKNOWN'],
  },
];

export function groundOpenApi(): object {
  return openApiDocument({
    title: 'IFEC ground sync',
    version: '1',
    description:
      'Admin API (per-airline API keys) and the API aircraft call over gate links and satcom. Errors are { error: { code, message } }; a code keeps its status.',
    securitySchemes: {
      apiKey: { type: 'http', scheme: 'bearer', description: 'an airline API key (ifk_...)' },
      aircraftSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'authorization',
        description: 'IFEC-Aircraft id=<tail>,ts=<ms>,sig=<Ed25519 over METHOD\\nPATH\\nTS\\nsha256(body)>',
      },
    },
    schemas: {
      AircraftRegistration: aircraftRegistration,
      PublicationRequest: publicationRequest,
      Publication: publication,
      UplinkAck: uplinkAck,
      DownlinkPage: downlinkPage,
    },
    routes,
    statusTable: groundErrorStatus,
  });
}
