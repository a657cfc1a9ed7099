/**
 * The replica's stream reader against a real HTTP server: RESYNC on every (re)open, change
 * batches passed on, a dropped connection noticed and reopened.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { LiveEvents, type StreamItem } from './live-events.ts';

test('a stream emits RESYNC on each open, passes changes on, and reopens after a drop', async () => {
  const open = new Set<http.ServerResponse>();
  let authorization: string | undefined;
  const server = http.createServer((req, res) => {
    authorization = req.headers.authorization;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: hello\ndata: {}\n\n');
    open.add(res);
    res.on('close', () => open.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  const events = new LiveEvents<{ id: string }>({
    url,
    headers: async () => ({ authorization: 'Bearer t' }),
    fetch,
    retryMs: 20,
    maxRetryMs: 50,
  });
  const items: StreamItem<{ id: string }>[] = [];
  const states: boolean[] = [];
  events.items$.subscribe((i) => items.push(i));
  events.open$.subscribe((o) => states.push(o));
  events.start();
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(check());
  };
  await until(() => items.length === 1 && open.size === 1);
  assert.equal(items[0], 'RESYNC');
  assert.equal(authorization, 'Bearer t');
  for (const res of open)
    res.write(
      `event: changes\ndata: ${JSON.stringify({ documents: [{ id: 'a' }], checkpoint: { updatedAt: 5, id: 'a' } })}\n\n: ping\n\n`,
    );
  await until(() => items.length === 2);
  assert.deepEqual(items[1], { documents: [{ id: 'a' }], checkpoint: { updatedAt: 5, id: 'a' } });
  for (const res of open) res.destroy();
  await until(() => items.length === 3 && open.size === 1);
  assert.equal(items[2], 'RESYNC');
  assert.deepEqual(
    states.filter((s, i) => s !== states[i - 1]),
    [false, true, false, true],
  );
  events.stop();
  server.close();
});
