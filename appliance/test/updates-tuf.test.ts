/**
 * TUF on the real appliance (a child process), with metadata signed by the ground's real
 * repository code: a good update is accepted; a tampered target, mix-and-match metadata,
 * frozen (expired) metadata, targets signed by a revoked key and a rollback to older
 * metadata are each refused with the code that names the attack, and change nothing; the
 * trusted root and last-seen versions survive a `kill -9` (the rollback is still refused).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test, { after } from 'node:test';
import { type UpdatesOverview, updatesPaths } from '@ifec/protocol';
import { Metadata, TargetFile, Targets } from '@tufjs/models';
import { addLoad } from '../../ground-sync/src/software/publish.ts';
import { SoftwareRepository, signWithRepositoryKey } from '../../ground-sync/src/software/repository.ts';
import { type ChildAppliance, spawnAppliance } from './child-appliance.ts';
import { tempDir } from './support.ts';

const work = tempDir('ifec-tuf-');
const repoDir = path.join(work, 'repo');
const repo = SoftwareRepository.create(repoDir);
let app: ChildAppliance | undefined;
after(() => app?.proc.kill('SIGKILL'));

function load(name: string, content: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, content);
  return file;
}

/** A copy of the repository as it is now (what a stick or a mirror could hold). */
function copyOfRepo(name: string): string {
  const dir = path.join(work, name);
  fs.cpSync(repoDir, dir, { recursive: true });
  fs.rmSync(path.join(dir, 'keys'), { recursive: true, force: true }); // a stick never carries keys
  return dir;
}

async function maintenanceToken(a: ChildAppliance): Promise<string> {
  const crew = a.credentials.crew.find((c) => c.role === 'maintenance')!;
  const res = await fetch(`${a.url}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

async function verifyFolder(
  a: ChildAppliance,
  token: string,
  dir: string,
): Promise<{ status: number; body: { error?: { code: string; message: string }; releases?: { target: string }[] } }> {
  const res = await fetch(`${a.url}${updatesPaths.crewVerify}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ from: 'folder', dir }),
  });
  return { status: res.status, body: (await res.json()) as never };
}

async function overview(a: ChildAppliance, token: string): Promise<UpdatesOverview> {
  const res = await fetch(`${a.url}${updatesPaths.crewOverview}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as UpdatesOverview;
}

test('TUF on the real appliance: a good update is accepted, each attack is refused by name, trust survives kill -9', {
  timeout: 300_000,
}, async () => {
  addLoad(repo, {
    file: load('seat-1.0.0.raucb', 'rauc bundle 1.0.0'),
    partNumber: 'IFE-SEAT-0042',
    version: '1.0.0',
    kind: 'os-image',
  });
  const rootFile = path.join(work, 'root-at-flashing.json');
  fs.copyFileSync(path.join(repoDir, 'metadata', '1.root.json'), rootFile);
  const dataDir = tempDir('ifec-tuf-app-');
  app = await spawnAppliance(dataDir, { IFEC_UPDATES_TRUSTED_ROOT: rootFile });
  let token = await maintenanceToken(app);

  // Only maintenance crew may verify.
  const purser = app.credentials.crew.find((c) => c.role === 'purser')!;
  const login = await fetch(`${app.url}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: purser.crewId, pin: purser.pin }),
  });
  const purserToken = ((await login.json()) as { token: string }).token;
  const denied = await verifyFolder(app, purserToken, copyOfRepo('denied'));
  assert.equal(denied.status, 403);

  // 1. A good update.
  const v1 = copyOfRepo('v1');
  const good = await verifyFolder(app, token, v1);
  assert.equal(good.status, 200, JSON.stringify(good.body));
  assert.deepEqual(
    good.body.releases?.map((r) => r.target),
    ['IFE-SEAT-0042/1.0.0/seat-1.0.0.raucb'],
  );
  const trustedAfterV1 = (await overview(app, token)).trusted!;
  assert.equal(trustedAfterV1.root, 1);
  const savedTargetsV1 = fs.readFileSync(path.join(v1, 'metadata', 'targets.json'));

  // 2. A tampered target: the signed targets say one sha256, the stick carries other bytes.
  addLoad(repo, {
    file: load('seat-1.1.0.raucb', 'rauc bundle 1.1.0'),
    partNumber: 'IFE-SEAT-0042',
    version: '1.1.0',
    kind: 'os-image',
  });
  const tampered = copyOfRepo('tampered');
  fs.writeFileSync(path.join(tampered, 'targets', 'IFE-SEAT-0042', '1.1.0', 'seat-1.1.0.raucb'), 'rauc bundle 6.6.6');
  const t = await verifyFolder(app, token, tampered);
  assert.equal(t.status, 422);
  assert.equal(t.body.error?.code, 'UPDATE_TARGET_TAMPERED', JSON.stringify(t.body));

  // 3. Mix and match: today's snapshot with yesterday's targets.
  const mixed = copyOfRepo('mixed');
  fs.writeFileSync(path.join(mixed, 'metadata', 'targets.json'), savedTargetsV1);
  const m = await verifyFolder(app, token, mixed);
  assert.equal(m.body.error?.code, 'UPDATE_MIX_AND_MATCH', JSON.stringify(m.body));

  // 4. Frozen metadata: validly signed, newer versions, but expired (a feed that stopped).
  const frozenDir = path.join(work, 'frozen-src');
  fs.cpSync(repoDir, frozenDir, { recursive: true });
  SoftwareRepository.open(frozenDir, { now: () => new Date(Date.now() - 40 * 86_400_000) }).refresh();
  const f = await verifyFolder(app, token, frozenDir);
  assert.equal(f.body.error?.code, 'UPDATE_METADATA_EXPIRED', JSON.stringify(f.body));

  // 5. Revocation: the targets key is rotated through root 2; targets signed by the old key are refused.
  const { revoked } = repo.rotateKey('targets');
  const forgedDir = copyOfRepo('revoked');
  const current = repo.targets();
  const evil = load('evil.raucb', 'evil bundle');
  const forged = new Metadata(
    new Targets({
      version: current.signed.version,
      specVersion: current.signed.specVersion,
      expires: current.signed.expires,
      targets: {
        ...current.signed.targets,
        'IFE-SEAT-0042/9.9.9/evil.raucb': new TargetFile({
          path: 'IFE-SEAT-0042/9.9.9/evil.raucb',
          length: fs.statSync(evil).size,
          hashes: { sha256: 'ab'.repeat(32) },
        }),
      },
    }),
  );
  signWithRepositoryKey(repo, forged, revoked);
  fs.writeFileSync(path.join(forgedDir, 'metadata', 'targets.json'), JSON.stringify(forged.toJSON()));
  const r = await verifyFolder(app, token, forgedDir);
  assert.equal(r.body.error?.code, 'UPDATE_KEY_REVOKED', JSON.stringify(r.body));

  // Every refusal left the trusted state as it was.
  assert.deepEqual((await overview(app, token)).trusted, trustedAfterV1);

  // 6. The real rotation is accepted: root 2, both releases.
  const v2 = copyOfRepo('v2');
  const good2 = await verifyFolder(app, token, v2);
  assert.equal(good2.status, 200, JSON.stringify(good2.body));
  assert.deepEqual(good2.body.releases?.map((x) => x.target).sort(), [
    'IFE-SEAT-0042/1.0.0/seat-1.0.0.raucb',
    'IFE-SEAT-0042/1.1.0/seat-1.1.0.raucb',
  ]);
  const trusted = (await overview(app, token)).trusted!;
  assert.equal(trusted.root, 2);
  assert.ok(trusted.timestamp > trustedAfterV1.timestamp);

  // 7. Rollback: the stick from step 1 (validly signed, older versions) is refused.
  const rb = await verifyFolder(app, token, v1);
  assert.equal(rb.body.error?.code, 'UPDATE_ROLLBACK', JSON.stringify(rb.body));

  // kill -9, restart on the same data dir: the same trust, the rollback still refused.
  app.proc.kill('SIGKILL');
  await app.exited;
  app = await spawnAppliance(dataDir, { IFEC_UPDATES_TRUSTED_ROOT: rootFile });
  token = await maintenanceToken(app);
  const after9 = await overview(app, token);
  assert.deepEqual(after9.trusted, trusted);
  assert.equal(after9.releases.length, 2);
  const rb2 = await verifyFolder(app, token, v1);
  assert.equal(rb2.body.error?.code, 'UPDATE_ROLLBACK', JSON.stringify(rb2.body));
  // The forged targets carry the version already trusted: they are never read, and the evil load never appears.
  const r2 = await verifyFolder(app, token, forgedDir);
  assert.ok(!JSON.stringify(r2.body).includes('evil'), JSON.stringify(r2.body));
});

test('garbage on a stick is refused with a reason, never a crash', { timeout: 120_000 }, async () => {
  const dataDir = tempDir('ifec-tuf-garbage-');
  const rootFile = path.join(work, 'root-at-flashing.json');
  const a = await spawnAppliance(dataDir, { IFEC_UPDATES_TRUSTED_ROOT: rootFile });
  try {
    const token = await maintenanceToken(a);
    const junk = path.join(work, 'junk');
    fs.mkdirSync(path.join(junk, 'metadata'), { recursive: true });
    fs.writeFileSync(path.join(junk, 'metadata', 'timestamp.json'), '{"signed": 12, "signatures": "x"}');
    fs.writeFileSync(path.join(junk, 'metadata', '2.root.json'), Buffer.alloc(2 * 1024 * 1024, 0x7b));
    const res = await verifyFolder(a, token, junk);
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.match(res.body.error?.code ?? '', /^UPDATE_/);
    const empty = path.join(work, 'empty');
    fs.mkdirSync(empty);
    const e = await verifyFolder(a, token, empty);
    assert.equal(e.body.error?.code, 'UPDATE_METADATA_MISSING', JSON.stringify(e.body));
    const bad = await fetch(`${a.url}${updatesPaths.crewVerify}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ from: 'floppy' }),
    });
    assert.equal(bad.status, 400);
  } finally {
    a.proc.kill('SIGKILL');
  }
});

test('the same repository verifies over HTTP (the ground or a laptop); a broken server is refused by name', {
  timeout: 120_000,
}, async () => {
  const http = await import('node:http');
  const served = path.join(work, 'served');
  fs.cpSync(repoDir, served, { recursive: true });
  fs.rmSync(path.join(served, 'keys'), { recursive: true, force: true });
  let broken = false;
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/repo\//, '');
    const file = path.join(served, ...rel.split('/'));
    if (broken) return void res.writeHead(500).end('boom');
    if (rel.includes('..') || !fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/repo/`;
  const a = await spawnAppliance(tempDir('ifec-tuf-http-'), {
    IFEC_UPDATES_TRUSTED_ROOT: path.join(work, 'root-at-flashing.json'),
  });
  try {
    const token = await maintenanceToken(a);
    const verify = async () => {
      const res = await fetch(`${a.url}${updatesPaths.crewVerify}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ from: 'http', url }),
      });
      return {
        status: res.status,
        body: (await res.json()) as { error?: { code: string }; trusted?: { root: number }; releases?: unknown[] },
      };
    };
    const ok = await verify();
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.trusted?.root, 2, 'walked from root 1 to root 2 over HTTP');
    assert.equal(ok.body.releases?.length, 2);
    broken = true;
    const bad = await verify();
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error?.code, 'UPDATE_METADATA_MISSING', JSON.stringify(bad.body));
  } finally {
    a.proc.kill('SIGKILL');
    server.close();
  }
});
