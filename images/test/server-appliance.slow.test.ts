/**
 * What the server image carries in /opt/ifec/app (the server's workspaces and their production
 * dependencies only, as build.ts installs them) runs: the appliance starts from that tree,
 * answers /healthz, and on SIGTERM — what ifec-appliance.service sends — stops cleanly.
 * Slow (an npm install); skipped with one line where npm cannot fetch.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { installAppliance } from '../src/recipe/build.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-server-app-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const npmPing = spawnSync('npm', ['ping'], { stdio: 'ignore', timeout: 30_000 });
const reason = npmPing.status === 0 ? undefined : 'the npm registry does not answer (npm ping)';
if (reason) console.log(`server appliance tree test skipped: ${reason}`);

test('the appliance installed as in the server image starts, is healthy, and stops cleanly on SIGTERM', {
  skip: reason,
}, async () => {
  installAppliance(root, () => {});
  const app = path.join(root, 'opt/ifec/app');
  assert.equal(fs.existsSync(path.join(app, 'node_modules/typescript')), false, 'no development dependencies');
  // The root is read-only on the aircraft: the bundle the appliance starts from is made at build time.
  assert.ok(fs.existsSync(path.join(app, 'appliance/dist/cli.mjs')), 'the appliance bundle is in the image');
  const dataDir = path.join(root, 'data/appliance');
  const child = spawn(process.execPath, ['bin/ifec-appliance.mjs', 'serve'], {
    cwd: path.join(app, 'appliance'),
    env: {
      ...process.env,
      IFEC_DATA_DIR: dataDir,
      IFEC_HTTP_PORT: '0',
      IFEC_MQTT_PORT: '0',
      IFEC_RTMP_PORT: '0',
      IFEC_AIRCRAFT: 'a320',
      IFEC_TAIL_NUMBER: 'D-AIFE',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    log += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    log += c;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    // The banner names the HTTP port it bound.
    let url: string | undefined;
    for (let i = 0; i < 1200 && !url; i++) {
      url = /HTTP API\s+(http:\/\/localhost:\d+)\/api/.exec(log)?.[1];
      if (!url) {
        if (child.exitCode !== null) assert.fail(`the appliance exited: ${log.slice(-800)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(url, `no banner: ${log.slice(-800)}`);
    assert.doesNotMatch(log, /no bundle/, 'it started from the bundle, not through tsx');
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(log, /stopped cleanly/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
