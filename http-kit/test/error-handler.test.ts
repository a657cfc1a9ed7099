/** The shared error handler on a real express server on loopback: every kind of failure a route meets. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { apiErrorBody, IfecError } from '@ifec/protocol';
import express from 'express';
import { pino } from 'pino';
import { z } from 'zod';
import { errorHandler, notFound, parseBody } from '../src/index.ts';

class SeatUnknown extends IfecError<'UNKNOWN_SEAT'> {
  constructor(seatId: string) {
    super('UNKNOWN_SEAT', `no seat ${seatId} on this aircraft`);
  }
}

class LoadRefused extends IfecError<'CONTENT_LOAD_REFUSED'> {
  readonly details = { problems: [{ code: 'FILE_CHECKSUM', message: 'a segment was altered' }] };
  constructor() {
    super('CONTENT_LOAD_REFUSED', 'content load refused');
  }
}

const logged: Array<{ level: number; msg: string; err?: { message: string } }> = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write: (chunk, _enc, done) => {
      logged.push(JSON.parse(String(chunk)));
      done();
    },
  }),
);

let server: http.Server;
let base: string;

before(async () => {
  const app = express();
  app.use(express.json({ limit: '1kb' }));
  app.get('/seats/:seatId', (req) => {
    throw new SeatUnknown(String(req.params.seatId));
  });
  app.post('/pa', (req, res) => {
    const command = parseBody(
      z.object({ action: z.enum(['start', 'stop']), announcementId: z.string().min(1) }).strict(),
      req.body,
    );
    res.json({ accepted: command.action });
  });
  app.post('/loads', async () => {
    throw new LoadRefused();
  });
  app.get('/journal', async () => {
    throw new IfecError('JOURNAL_CLOSED', 'journal is closed');
  });
  app.get('/bug', async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'seatId')");
  });
  app.use(notFound());
  app.use(errorHandler({ UNKNOWN_SEAT: 404, CONTENT_LOAD_REFUSED: 422 }, log));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: z.infer<typeof apiErrorBody> & Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, init);
  const body = await res.json();
  return { status: res.status, body };
}

const json = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

test('a typed error answers with the status its code has in the table, and its own code and message', async () => {
  const r = await call('/seats/99Z');
  assert.equal(r.status, 404);
  assert.deepEqual(r.body, { error: { code: 'UNKNOWN_SEAT', message: 'no seat 99Z on this aircraft' } });
  assert.ok(apiErrorBody.safeParse(r.body).success);
});

test("a typed error's details join its error object", async () => {
  const r = await call('/loads', json('{}'));
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.error, {
    code: 'CONTENT_LOAD_REFUSED',
    message: 'content load refused',
    problems: [{ code: 'FILE_CHECKSUM', message: 'a segment was altered' }],
  });
});

test('a body the schema refuses is a 400 INVALID_BODY naming every wrong field', async () => {
  const r = await call('/pa', json('{"action":"dance","extra":1}'));
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'INVALID_BODY');
  assert.match(r.body.error.message, /action: /);
  assert.match(r.body.error.message, /announcementId: /);
  assert.match(r.body.error.message, /extra/);
  const ok = await call('/pa', json('{"action":"start","announcementId":"seatbelt"}'));
  assert.deepEqual(ok, { status: 200, body: { accepted: 'start' } as never });
});

test('malformed JSON is a 400 INVALID_JSON', async () => {
  const r = await call('/pa', json('{"action": "start",'));
  assert.equal(r.status, 400);
  assert.deepEqual(r.body, { error: { code: 'INVALID_JSON', message: 'request body is not valid JSON' } });
});

test('a body over the limit is a 413 BODY_TOO_LARGE', async () => {
  const r = await call('/pa', json(JSON.stringify({ action: 'start', announcementId: 'x'.repeat(4096) })));
  assert.equal(r.status, 413);
  assert.equal(r.body.error.code, 'BODY_TOO_LARGE');
});

test('an unknown error is a 500 INTERNAL that reveals nothing and is logged with its stack', async () => {
  logged.length = 0;
  const r = await call('/bug');
  assert.equal(r.status, 500);
  assert.deepEqual(r.body, { error: { code: 'INTERNAL', message: 'internal error' } });
  const entry = logged.find((l) => l.msg === 'request failed');
  assert.ok(entry, `logged: ${JSON.stringify(logged)}`);
  assert.equal(entry.level, 50);
  assert.match(entry.err?.message ?? '', /reading 'seatId'/);
});

test('a typed error whose code the table does not list is an internal fault: 500 INTERNAL, logged', async () => {
  logged.length = 0;
  const r = await call('/journal');
  assert.equal(r.status, 500);
  assert.deepEqual(r.body, { error: { code: 'INTERNAL', message: 'internal error' } });
  assert.ok(logged.some((l) => l.level === 50 && l.err?.message === 'journal is closed'));
});

test('a path no route matches is a 404 NOT_FOUND naming it', async () => {
  const r = await call('/nowhere?x=1');
  assert.equal(r.status, 404);
  assert.deepEqual(r.body, { error: { code: 'NOT_FOUND', message: 'no route for GET /nowhere' } });
});
