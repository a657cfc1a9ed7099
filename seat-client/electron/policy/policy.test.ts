import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayGrantPermission, mayNavigate, mayRequest } from './navigation.ts';
import { ProvisioningError, parseProvisioning } from './provisioning.ts';
import { RendererWatchdog, type WatchdogOptions } from './watchdog.ts';

const policy = { applianceOrigin: 'http://10.10.0.1:8080', packagedRoot: 'file:///opt/ifec-seat/resources/app/dist/' };

test('navigation stays on the appliance origin and the packaged shell', () => {
  assert.ok(mayNavigate(policy, 'http://10.10.0.1:8080/#/title/x'));
  assert.ok(mayNavigate(policy, 'file:///opt/ifec-seat/resources/app/dist/index.html'));
  for (const bad of [
    'http://10.10.0.1:8081/',
    'https://10.10.0.1:8080/',
    'http://evil.example/',
    'http://10.10.0.1:8080@evil.example/',
    'http://user:pw@10.10.0.1:8080/',
    'file:///etc/passwd',
    'file:///opt/ifec-seat/resources/app/dist/../../../../etc/passwd',
    'javascript:alert(1)',
    'chrome://settings',
    'not a url',
  ]) {
    assert.equal(mayNavigate(policy, bad), false, bad);
  }
  assert.ok(mayRequest(policy, 'ws://10.10.0.1:8080/mqtt'));
  assert.ok(!mayRequest(policy, 'ws://10.10.0.2:8080/mqtt'));
  assert.ok(mayRequest(policy, 'blob:http://10.10.0.1:8080/abc'));
  assert.ok(!mayRequest(policy, 'devtools://devtools/bundled/inspector.html'));
  assert.ok(mayGrantPermission('fullscreen') && !mayGrantPermission('geolocation') && !mayGrantPermission('media'));
});

test('the provisioning file is validated and names the bad key', () => {
  const good = parseProvisioning(
    JSON.stringify({ seatId: '12A', secret: 'abcdefgh12', applianceUrl: 'http://10.10.0.1:8080/some/path' }),
  );
  assert.equal(good.applianceUrl, 'http://10.10.0.1:8080');
  assert.throws(() => parseProvisioning('{'), /not valid JSON/);
  assert.throws(
    () => parseProvisioning(JSON.stringify({ seatId: '0Z', secret: 'abcdefgh12', applianceUrl: 'http://x' })),
    (e: Error) => e instanceof ProvisioningError && /seatId/.test(e.message),
  );
  assert.throws(
    () => parseProvisioning(JSON.stringify({ seatId: '12A', secret: 'abcdefgh12', applianceUrl: 'ftp://x' })),
    /applianceUrl/,
  );
  assert.throws(
    () =>
      parseProvisioning(JSON.stringify({ seatId: '12A', secret: 'abcdefgh12', applianceUrl: 'http://x', debug: true })),
    /unknown key debug/,
  );
});

const options: WatchdogOptions = {
  heartbeatTimeoutMs: 15_000,
  unresponsiveGraceMs: 5_000,
  windowMs: 300_000,
  maxRecoveries: 3,
  bootGraceMs: 30_000,
};

test('watchdog: a hung renderer is reloaded; a live one is left alone', () => {
  const w = new RendererWatchdog(options, 0);
  assert.equal(w.handle({ kind: 'tick', at: 20_000 }).kind, 'none', 'boot grace');
  assert.equal(w.handle({ kind: 'heartbeat', at: 21_000 }).kind, 'none');
  assert.equal(w.handle({ kind: 'tick', at: 30_000 }).kind, 'none');
  const hung = w.handle({ kind: 'tick', at: 36_000 });
  assert.equal(hung.kind, 'reload');
  assert.equal(hung.kind === 'reload' && hung.fault.code, 'RENDERER_HUNG');
  assert.equal(w.handle({ kind: 'tick', at: 50_000 }).kind, 'none', 'boot grace after the reload');
});

test('watchdog: unresponsive past the grace, then crash loops fall back to the packaged shell and a relaunch', () => {
  const w = new RendererWatchdog(options, 0);
  w.handle({ kind: 'heartbeat', at: 1000 });
  w.handle({ kind: 'unresponsive', at: 2000 });
  assert.equal(w.handle({ kind: 'tick', at: 4000 }).kind, 'none');
  assert.equal(w.handle({ kind: 'tick', at: 7000 }).kind, 'reload');
  const kinds = [8, 9, 10, 11, 12, 13, 14].map(
    (s) => w.handle({ kind: 'renderer-gone', at: s * 1000, reason: 'crashed' }).kind,
  );
  assert.deepEqual(kinds, [
    'reload',
    'reload',
    'load-packaged',
    'load-packaged',
    'load-packaged',
    'relaunch',
    'relaunch',
  ]);
  // Outside the window the count starts again.
  assert.equal(w.handle({ kind: 'renderer-gone', at: 1_000_000, reason: 'oom' }).kind, 'reload');
  assert.equal(
    w.handle({ kind: 'load-failed', at: 1_000_100, url: 'http://10.10.0.1:8080/', code: -102 }).kind,
    'load-packaged',
  );
});
