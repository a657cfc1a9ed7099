import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'node:test';
import { paths } from '@ifec/protocol';
import { ApiError } from '../api/api-client.ts';
import { PhonePairing } from './pairing-api.ts';

test("a refusal carries the appliance's status, code and message", async () => {
  let asked: string | undefined;
  const server = http.createServer((req, res) => {
    asked = `${req.method} ${req.url}`;
    res.writeHead(410, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { code: 'CODE_EXPIRED', message: 'this pairing code has expired: ask the seat for a new one' },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const phone = new PhonePairing(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await assert.rejects(
      phone.claim({ deviceId: 'd', password: 'p' }, '123456'),
      (e: unknown) =>
        e instanceof ApiError && e.code === 'CODE_EXPIRED' && e.status === 410 && /expired/.test(e.message),
    );
    assert.equal(asked, `POST ${paths.pairing.claim}`);
  } finally {
    server.close();
  }
});
