import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'node:test';
import { ApiClient, ApiError, isRefusal, UNREACHABLE } from './api-client.ts';

async function withServer(handler: http.RequestListener, run: (baseUrl: string) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

test('a JSON answer is returned and a JSON body is sent with its content type', async () => {
  await withServer(
    (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ got: JSON.parse(body), type: req.headers['content-type'], auth: req.headers.authorization }),
        );
      });
    },
    async (baseUrl) => {
      const answer = await new ApiClient(baseUrl).request('/api/x', {
        method: 'POST',
        body: { a: 1 },
        headers: { authorization: 'Bearer t' },
      });
      assert.deepEqual(answer, { got: { a: 1 }, type: 'application/json', auth: 'Bearer t' });
    },
  );
});

test("a refusal becomes an ApiError with the appliance's status, code and message", async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'SESSION_ENDED', message: 'that passenger session has ended' } }));
    },
    async (baseUrl) => {
      const error = await new ApiClient(baseUrl).request('/api/x').catch((e: unknown) => e);
      assert.ok(error instanceof ApiError && isRefusal(error));
      assert.deepEqual(
        [error.status, error.code, error.message],
        [409, 'SESSION_ENDED', 'that passenger session has ended'],
      );
    },
  );
});

test('a refusal with a garbage body gets a code from its status', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error": {"code": 7, "message": ["no"]}');
    },
    async (baseUrl) => {
      const error = await new ApiClient(baseUrl).request('/api/x').catch((e: unknown) => e);
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, 'HTTP_502');
      assert.match(error.message, /GET \/api\/x: HTTP 502/);
    },
  );
});

test('a 2xx answer that is not JSON is a BAD_RESPONSE', async () => {
  await withServer(
    (_req, res) => res.end('<html>'),
    async (baseUrl) => {
      await assert.rejects(
        new ApiClient(baseUrl).request('/api/x'),
        (e: unknown) => e instanceof ApiError && e.code === 'BAD_RESPONSE',
      );
    },
  );
});

test('an appliance that does not answer is UNREACHABLE (status 0), not a refusal', async () => {
  await withServer(
    () => {},
    async (baseUrl) => {
      const error = await new ApiClient(baseUrl, undefined, 100).request('/api/x').catch((e: unknown) => e);
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 0);
      assert.equal(error.code, UNREACHABLE);
      assert.equal(isRefusal(error), false);
    },
  );
});
