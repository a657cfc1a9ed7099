import assert from 'node:assert/strict';
import net from 'node:net';
import test from 'node:test';
import { LinkEmulator } from './link-emulator.ts';

async function echoServer(): Promise<{ port: number; close(): void }> {
  const server = net.createServer((s) => s.pipe(s));
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
  return { port, close: () => server.close() };
}

function roundTrip(port: number, bytes: number): Promise<{ ms: number; received: number; closedEarly: boolean }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = 0;
    socket.on('data', (d) => {
      received += d.length;
      if (received >= bytes) {
        socket.destroy();
        resolve({ ms: performance.now() - started, received, closedEarly: false });
      }
    });
    socket.on('close', () => resolve({ ms: performance.now() - started, received, closedEarly: received < bytes }));
    socket.on('error', () => undefined);
    socket.write(Buffer.alloc(bytes, 7));
  });
}

test('the emulator adds the round-trip time and limits bandwidth each way', async () => {
  const echo = await echoServer();
  const link = await LinkEmulator.start(
    { host: '127.0.0.1', port: echo.port },
    { bitsPerSecond: 1_000_000, rttMs: 200 },
  );
  try {
    const small = await roundTrip(link.port, 10);
    assert.ok(small.ms >= 195, `a 10-byte echo takes a round trip (${small.ms} ms)`);
    // 100 KB up then down at 1 Mbps: about 0.8 s each way (pipelined), plus the round trip.
    const big = await roundTrip(link.port, 100_000);
    assert.ok(big.ms >= 900, `bandwidth limited (${big.ms} ms)`);
    assert.ok(big.ms < 5000, `but not stalled (${big.ms} ms)`);
    assert.equal(link.bytesUp, 100_010);
  } finally {
    await link.close();
    echo.close();
  }
});

test('connections share the link: two at once take as long as their bytes together', async () => {
  const echo = await echoServer();
  const link = await LinkEmulator.start(
    { host: '127.0.0.1', port: echo.port },
    { bitsPerSecond: 1_000_000, rttMs: 100 },
  );
  try {
    // 2 x 50 KB up and back at 1 Mbps: 0.8 s each way for the pair; each alone would take 0.4 s.
    const pair = await Promise.all([roundTrip(link.port, 50_000), roundTrip(link.port, 50_000)]);
    const slowest = Math.max(...pair.map((r) => r.ms));
    assert.ok(slowest >= 850, `bandwidth shared (${slowest} ms)`);
    assert.ok(slowest < 5000, `but not stalled (${slowest} ms)`);
    assert.deepEqual(
      pair.map((r) => r.received),
      [50_000, 50_000],
    );
  } finally {
    await link.close();
    echo.close();
  }
});

test('a cut at a chosen byte count drops the connection mid-stream; a new one works', async () => {
  const echo = await echoServer();
  const link = await LinkEmulator.start({ host: '127.0.0.1', port: echo.port });
  try {
    link.cutAtBytes([50_000]);
    const cut = await roundTrip(link.port, 400_000);
    assert.equal(cut.closedEarly, true);
    assert.equal(link.cuts, 1);
    const after = await roundTrip(link.port, 1000);
    assert.equal(after.received, 1000);
  } finally {
    await link.close();
    echo.close();
  }
});
