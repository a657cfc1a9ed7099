/**
 * The cabin transport against a hostile appliance (a real HTTP server on loopback that
 * answers garbage, floods, stalls or lies about a bundle): every case ends in a typed error,
 * never a hang or a half-checked file. The honest path is in test/cabin-rollout.test.ts.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CabinTransport, CabinTransportError } from './cabin-transport.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-cabin-transport-'));
const bundle = crypto.randomBytes(200_000);
const sha256 = crypto.createHash('sha256').update(bundle).digest('hex');
const assignment = {
  seatId: '12A',
  action: 'install',
  rolloutId: 'R1',
  target: {
    name: 'IFE-SEAT-0100/2.0.0/s.raucb',
    partNumber: 'IFE-SEAT-0100',
    version: '2.0.0',
    length: bundle.length,
    sha256,
    url: `/api/seat/updates/bundles/${sha256}`,
  },
  pollAfterS: 5,
};
/** What the server does for the next requests; `mode` names the misbehaviour. */
let mode = 'honest';
let logins = 0;
let validToken = 'token-1';
const hung: http.ServerResponse[] = [];

const server = http.createServer((req, res) => {
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/api/seats/login') {
    logins++;
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const { secret } = JSON.parse(body) as { secret: string };
      if (secret !== 'seat-secret-12A') return json(401, { error: { code: 'BAD_CREDENTIALS', message: 'no' } });
      json(200, { token: validToken, seatId: '12A', expiresInS: 3600 });
    });
    return;
  }
  if (req.headers.authorization !== `Bearer ${validToken}`) return json(401, { error: { code: 'UNAUTHORIZED' } });
  if (mode === 'hang') {
    hung.push(res);
    return;
  }
  if (req.url?.startsWith('/api/seat/updates/bundles/')) {
    if (mode === 'refuse') return json(409, { error: { code: 'UPDATE_NOT_ASSIGNED', message: 'not yours' } });
    if (mode === 'stall') {
      res.writeHead(200, { 'content-length': bundle.length });
      res.write(bundle.subarray(0, 1000));
      hung.push(res);
      return;
    }
    const bytes =
      mode === 'lie' ? Buffer.from(bundle).fill(7, 0, 10) : mode === 'flood' ? Buffer.concat([bundle, bundle]) : bundle;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && mode === 'honest') {
      const from = Number(range[1]);
      res.writeHead(206, { 'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` });
      return res.end(bytes.subarray(from));
    }
    res.writeHead(200);
    return res.end(bytes);
  }
  if (mode === 'garbage') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{"seatId":');
  }
  if (mode === 'wrong-shape') return json(200, { ...assignment, action: 'format-disk' });
  if (mode === 'huge') {
    // No content-length: the limit must hold while reading.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"pad":"');
    for (let i = 0; i < 100; i++) res.write('x'.repeat(10_000));
    return res.end('"}');
  }
  json(200, assignment);
});

let url = '';
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  for (const res of hung) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

function transport(limits = {}) {
  return new CabinTransport({ identity: { seatId: '12A', secret: 'seat-secret-12A', applianceUrl: url }, limits });
}

function code(expected: string) {
  return (e: unknown) => {
    assert.ok(e instanceof CabinTransportError, String(e));
    assert.equal(e.code, expected, e.message);
    return true;
  };
}

test('logs in with the identity, polls, and logs in again once when the token is no longer taken', async () => {
  mode = 'honest';
  logins = 0;
  const t = transport();
  assert.equal((await t.assignment()).target?.sha256, sha256);
  assert.equal(logins, 1);
  validToken = 'token-2'; // the appliance restarted
  assert.equal((await t.assignment()).action, 'install');
  assert.equal(logins, 2);
  const refused = new CabinTransport({ identity: { seatId: '12A', secret: 'wrong-secret', applianceUrl: url } });
  await assert.rejects(refused.assignment(), code('CABIN_LOGIN_REFUSED'));
});

test('garbage, the wrong shape and an answer over the size limit are refused by name', async () => {
  const t = transport({ maxJsonBytes: 64 * 1024 });
  mode = 'garbage';
  await assert.rejects(t.assignment(), code('CABIN_BAD_ANSWER'));
  mode = 'wrong-shape';
  await assert.rejects(t.assignment(), code('CABIN_BAD_ANSWER'));
  mode = 'huge';
  await assert.rejects(t.assignment(), /over 65536 bytes/);
});

test('an appliance that does not answer times out; one that is not there is unreachable', async () => {
  mode = 'hang';
  await assert.rejects(transport({ requestTimeoutMs: 300 }).assignment(), code('CABIN_TIMEOUT'));
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const gone = new CabinTransport({
    identity: { seatId: '12A', secret: 'seat-secret-12A', applianceUrl: `http://127.0.0.1:${port}` },
  });
  await assert.rejects(gone.assignment(), code('CABIN_UNREACHABLE'));
});

test('a download resumes, and is checked: wrong bytes, too many bytes, a stall, a refusal, another origin', async () => {
  const t = transport({ downloadStallMs: 300 });
  const file = path.join(dir, 'incoming.raucb');
  // A cut download left half the file: the rest comes by Range.
  mode = 'honest';
  fs.writeFileSync(file, bundle.subarray(0, 100_000));
  await t.download(assignment.target, file);
  assert.ok(fs.readFileSync(file).equals(bundle));

  fs.rmSync(file);
  mode = 'lie';
  await assert.rejects(t.download(assignment.target, file), code('BUNDLE_CHECKSUM'));
  assert.equal(fs.existsSync(file), false, 'wrong bytes are not kept');
  mode = 'flood';
  await assert.rejects(t.download(assignment.target, file), code('BUNDLE_LENGTH'));
  assert.equal(fs.existsSync(file), false);
  mode = 'stall';
  await assert.rejects(t.download(assignment.target, file), code('CABIN_TIMEOUT'));
  mode = 'refuse';
  fs.rmSync(file, { force: true });
  await assert.rejects(t.download(assignment.target, file), (e: unknown) => {
    assert.ok(e instanceof CabinTransportError && e.code === 'CABIN_REFUSED' && e.status === 409);
    assert.match(e.message, /UPDATE_NOT_ASSIGNED/);
    return true;
  });
  await assert.rejects(
    t.download({ ...assignment.target, url: 'http://elsewhere.example/bundle' }, file),
    code('CABIN_BAD_ANSWER'),
  );
  await assert.rejects(t.download({ ...assignment.target, length: 5 * 1024 ** 3 }, file), code('BUNDLE_LENGTH'));
});

test('an identity file that is not one names what is wrong', () => {
  const file = path.join(dir, 'seat-unit.json');
  fs.writeFileSync(file, JSON.stringify({ seatId: '12A', secret: 'short', applianceUrl: url }));
  assert.throws(() => CabinTransport.identityFromFile(file), /secret/);
  fs.writeFileSync(file, JSON.stringify({ seatId: '12A', secret: 'seat-secret-12A', applianceUrl: 'ftp://x' }));
  assert.throws(() => CabinTransport.identityFromFile(file), /applianceUrl/);
  fs.writeFileSync(file, 'not json');
  assert.throws(() => CabinTransport.identityFromFile(file), /seat-unit\.json/);
});
