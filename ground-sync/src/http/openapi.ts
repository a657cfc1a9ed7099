/** The admin and aircraft APIs as an OpenAPI 3.1 document, built from the same zod schemas the routes validate with. */
import { z } from 'zod';
import { downlinkPage, publication, publicationRequest, uplinkAck } from '@ifec/protocol';
import { aircraftRegistration, exportMark, retentionPolicy } from './admin.ts';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const error = { description: 'error', content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } } } } };
const ok = (description: string, s?: object) => ({ description, ...(s ? { content: { 'application/json': { schema: s } } } : {}) });
const binary = { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
const admin = [{ apiKey: [] }];
const aircraftAuth = [{ aircraftSignature: [] }];
const aircraftIdParam = { name: 'aircraftId', in: 'path', required: true, schema: { type: 'string' } };

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: { title: 'IFEC ground sync', version: '1', description: 'Admin API (per-airline API keys) and the API aircraft call over gate links and satcom.' },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'an airline API key (ifk_...)' },
        aircraftSignature: { type: 'apiKey', in: 'header', name: 'authorization', description: 'IFEC-Aircraft id=<tail>,ts=<ms>,sig=<Ed25519 over METHOD\\nPATH\\nTS\\nsha256(body)>' },
      },
      schemas: {
        AircraftRegistration: schema(aircraftRegistration),
        RetentionPolicy: schema(retentionPolicy),
        ExportMark: schema(exportMark),
        PublicationRequest: schema(publicationRequest),
        Publication: schema(publication),
        UplinkAck: schema(uplinkAck),
        DownlinkPage: schema(downlinkPage),
      },
    },
    paths: {
      '/admin/v1/aircraft': {
        get: { summary: "The airline's aircraft: last contact, acknowledged outbox, backlog, errors", security: admin, responses: { 200: ok('aircraft'), 401: error } },
        post: { summary: 'Register an aircraft with its Ed25519 public key', security: admin, requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/AircraftRegistration' } } } }, responses: { 201: ok('registered'), 400: error, 409: error } },
      },
      '/admin/v1/aircraft/{aircraftId}': { get: { summary: 'One aircraft', security: admin, parameters: [aircraftIdParam], responses: { 200: ok('status'), 404: error } } },
      '/admin/v1/aircraft/{aircraftId}/records': {
        get: { summary: "Records from the aircraft's outbox, by seq", security: admin, parameters: [aircraftIdParam, { name: 'after', in: 'query', schema: { type: 'integer' } }, { name: 'limit', in: 'query', schema: { type: 'integer' } }, { name: 'kind', in: 'query', schema: { type: 'string' } }], responses: { 200: ok('records'), 404: error } },
      },
      '/admin/v1/aircraft/{aircraftId}/bundles': { post: { summary: 'Export a signed downlink bundle for a USB stick', security: admin, parameters: [aircraftIdParam], responses: { 200: { description: 'the bundle file', ...binary }, 404: error } } },
      '/admin/v1/bundles/import': { post: { summary: "Import an aircraft's signed uplink bundle", security: admin, requestBody: binary, responses: { 200: ok('imported'), 422: error } } },
      '/admin/v1/publications': {
        get: { summary: 'Publications of the airline', security: admin, responses: { 200: ok('publications') } },
        post: { summary: 'Publish a policy, price list, deny list, software or content load to the fleet or one aircraft', security: admin, requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/PublicationRequest' } } } }, responses: { 201: ok('published', { $ref: '#/components/schemas/Publication' }), 400: error, 404: error, 409: error } },
      },
      '/admin/v1/files/{sha256}': { put: { summary: 'Upload a file of a content load or software (body = the bytes)', security: admin, parameters: [{ name: 'sha256', in: 'path', required: true, schema: { type: 'string' } }], requestBody: binary, responses: { 201: ok('stored'), 400: error } } },
      '/admin/v1/aircraft/{aircraftId}/exported': { put: { summary: "The airline holds this aircraft's records through a seq (retention may prune up to there; only moves forward)", security: admin, parameters: [aircraftIdParam], requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ExportMark' } } } }, responses: { 200: ok('mark'), 404: error, 409: error } } },
      '/admin/v1/retention': {
        get: { summary: "The airline's retention policy (null: nothing is ever pruned)", security: admin, responses: { 200: ok('policy') } },
        put: { summary: 'Set the retention policy', security: admin, requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/RetentionPolicy' } } } }, responses: { 200: ok('policy'), 400: error } },
      },
      '/admin/v1/retention/prune': { post: { summary: 'Prune now what the policy allows', security: admin, responses: { 200: ok('pruned counts') } } },
      '/healthz': { get: { summary: 'Liveness: the process runs (also while migrating)', responses: { 200: ok('alive') } } },
      '/readyz': { get: { summary: 'Readiness: migrations done and the database answers', responses: { 200: ok('ready'), 503: ok('not ready') } } },
      '/v1/ping': { get: { summary: 'Link probe', responses: { 200: ok('pong') } } },
      '/v1/aircraft/{aircraftId}/checkpoint': { get: { summary: 'What the ground holds of the outbox', security: aircraftAuth, parameters: [aircraftIdParam], responses: { 200: ok('acks', { $ref: '#/components/schemas/UplinkAck' }), 401: error } } },
      '/v1/aircraft/{aircraftId}/batches': { post: { summary: 'Upload one gzip columnar batch', security: aircraftAuth, parameters: [aircraftIdParam], requestBody: binary, responses: { 200: ok('acks', { $ref: '#/components/schemas/UplinkAck' }), 400: error, 401: error, 413: error } } },
      '/v1/aircraft/{aircraftId}/downlink': { get: { summary: 'Publications after a checkpoint', security: aircraftAuth, parameters: [aircraftIdParam, { name: 'after', in: 'query', schema: { type: 'integer' } }], responses: { 200: ok('page', { $ref: '#/components/schemas/DownlinkPage' }) } } },
      '/v1/aircraft/{aircraftId}/files/{sha256}': { get: { summary: 'A file, resumable with Range', security: aircraftAuth, parameters: [aircraftIdParam, { name: 'sha256', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'file', ...binary }, 206: { description: 'range', ...binary }, 416: error } } },
    },
  };
}
