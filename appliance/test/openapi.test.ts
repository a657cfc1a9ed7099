/** /openapi.json on a running appliance: served, describing every route the express app mounts, with the protocol's schemas and the error codes. */

import assert from 'node:assert/strict';
import test, { after, before } from 'node:test';
import { mountedRoutes, openApiPath } from '@ifec/http-kit';
import { ERROR_CODE_PATTERN } from '@ifec/protocol';
import { applianceErrorStatus } from '../src/http/error-status.ts';
import { startTestAppliance, type TestAppliance } from './support.ts';

interface Operation {
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: { ErrorCode: { enum: string[] } } };
  'x-error-status': Record<string, number>;
}

let app: TestAppliance;
let doc: Document;

before(async () => {
  app = await startTestAppliance();
  const res = await fetch(`${app.url}/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  doc = (await res.json()) as Document;
});

after(() => app.stop());

test('the document is OpenAPI 3.1 and is served at /openapi.json', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/openapi.json']?.get);
});

test('every route the express app mounts is described, with its method', () => {
  const mounted = mountedRoutes(app.app);
  assert.ok(mounted.length > 30, `found only ${mounted.length} routes: the walk misses routers`);
  const undescribed = mounted.filter((r) => {
    const ops = doc.paths[openApiPath(r.path)];
    return !ops || (r.method === 'all' ? Object.keys(ops).length === 0 : !ops[r.method]);
  });
  assert.deepEqual(undescribed, [], 'describe these in appliance/src/http/openapi.ts');
});

test('every described API path is mounted (no stale description)', () => {
  const mounted = new Set(
    mountedRoutes(app.app).map((r) => `${r.method === 'all' ? 'get' : r.method} ${openApiPath(r.path)}`),
  );
  const stale = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api') || path.startsWith('/hls'))
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
    .filter((op) => !mounted.has(op));
  assert.deepEqual(stale, []);
});

test("request bodies are the protocol's zod schemas", () => {
  const pa = doc.paths['/api/crew/pa']!.post!.requestBody!.content['application/json']!.schema;
  const variants = (pa.oneOf ?? pa.anyOf) as { properties: { action: { const: string } } }[];
  assert.deepEqual(variants.map((v) => v.properties.action.const).sort(), ['start', 'stop']);
  const login = doc.paths['/api/crew/login']!.post!.requestBody!.content['application/json']!.schema as {
    required: string[];
  };
  assert.deepEqual([...login.required].sort(), ['crewId', 'pin']);
});

test('every error code the appliance answers with is listed with its status, in SCREAMING_SNAKE', () => {
  for (const [code, status] of Object.entries(applianceErrorStatus)) {
    assert.match(code, ERROR_CODE_PATTERN);
    assert.ok(doc.components.schemas.ErrorCode.enum.includes(code), code);
    assert.equal(doc['x-error-status'][code], status);
  }
  assert.equal(doc['x-error-status'].INVALID_BODY, 400);
});

test("a real refusal is documented under its route's status", async () => {
  const res = await fetch(`${app.url}/api/crew/pa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"action":"stop"}',
  });
  const body = (await res.json()) as { error: { code: string } };
  assert.equal(res.status, 401);
  assert.equal(body.error.code, 'CREW_LOGIN_REQUIRED');
  assert.match(doc.paths['/api/crew/pa']!.post!.responses['401']!.description, /CREW_LOGIN_REQUIRED/);
});
