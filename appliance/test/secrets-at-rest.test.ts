/**
 * Secrets at rest, on the real appliance process: the signing key and the first-run credentials
 * are written atomically (checked with strace on the real file layer), an empty or short key
 * is refused at start, files are not readable by other users, no PIN or seat secret reaches
 * the log or the banner, and the only clear copy of the credentials is deleted after its time.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { CREDENTIALS_FILE } from '../src/demo/first-run.ts';
import { startAppliance } from '../src/main.ts';
import { runUntilExit, spawnAppliance } from './child-appliance.ts';
import { tempDir } from './support.ts';

const hasStrace = spawnSync('strace', ['-V']).status === 0;
const FILES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/store/files.ts');

test('writeAtomic fsyncs the temp file, renames it over the name, then fsyncs the directory', {
  skip: hasStrace ? false : 'strace is not installed',
}, () => {
  const dir = tempDir();
  const target = path.join(dir, 'appliance.secret');
  fs.writeFileSync(target, 'old');
  const trace = path.join(dir, 'trace.txt');
  const script = `const { nodeFileOps } = await import(${JSON.stringify(FILES)}); nodeFileOps.writeAtomic(${JSON.stringify(target)}, Buffer.alloc(32, 7), 0o600);`;
  const run = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '-e',
      'trace=openat,write,fsync,fdatasync,rename,renameat,renameat2',
      '-o',
      trace,
      process.execPath,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  const lines = fs.readFileSync(trace, 'utf8').split('\n');
  const openTemp = lines.findIndex((l) => l.includes('openat(') && l.includes(`${target}.tmp-`) && /O_CREAT/.test(l));
  assert.ok(openTemp >= 0, 'a temp file beside the target is created');
  const tempFd = /= (\d+)$/.exec(lines[openTemp]!)![1];
  const syncTemp = lines.findIndex((l, i) => i > openTemp && new RegExp(`fsync\\(${tempFd}\\)\\s+= 0`).test(l));
  const rename = lines.findIndex((l, i) => i > syncTemp && /rename/.test(l) && l.includes(`"${target}"`));
  const openDir = lines.findIndex((l, i) => i > rename && l.includes(`openat(`) && l.includes(`"${dir}"`));
  const dirFd = openDir >= 0 ? /= (\d+)$/.exec(lines[openDir]!)![1] : '-';
  const syncDir = lines.findIndex((l, i) => i > openDir && new RegExp(`fsync\\(${dirFd}\\)\\s+= 0`).test(l));
  assert.ok(
    syncTemp > openTemp && rename > syncTemp && openDir > rename && syncDir > openDir,
    `order: create ${openTemp}, fsync ${syncTemp}, rename ${rename}, open dir ${openDir}, fsync dir ${syncDir}`,
  );
  assert.equal(fs.readFileSync(target).length, 32);
  assert.equal(fs.statSync(target).mode & 0o777, 0o600);
});

test('the appliance refuses to start with an empty or short signing key', { timeout: 180_000 }, async () => {
  const dataDir = tempDir();
  const first = await spawnAppliance(dataDir);
  first.proc.kill('SIGTERM');
  await first.exited;
  for (const bytes of [0, 16]) {
    fs.writeFileSync(path.join(dataDir, 'appliance.secret'), Buffer.alloc(bytes, 1));
    const { code, output } = await runUntilExit({
      IFEC_DATA_DIR: dataDir,
      IFEC_HTTP_PORT: '0',
      IFEC_MQTT_PORT: '0',
      IFEC_RTMP_PORT: '0',
      IFEC_HOST: '127.0.0.1',
    });
    assert.notEqual(code, 0, `a ${bytes}-byte key: ${output}`);
    assert.match(output, /SECRET_INVALID/, output);
  }
});

test('data dir 0700; journal, key and credentials 0600; nothing readable by other users; no PIN or secret in the output', {
  timeout: 180_000,
}, async () => {
  const dataDir = tempDir();
  const app = await spawnAppliance(dataDir);
  try {
    assert.equal(fs.statSync(dataDir).mode & 0o777, 0o700, 'data dir');
    for (const name of ['journal.log', 'appliance.secret', CREDENTIALS_FILE])
      assert.equal(fs.statSync(path.join(dataDir, name)).mode & 0o777, 0o600, name);
    const open: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if ((fs.lstatSync(file).mode & 0o077) !== 0)
          open.push(`${path.relative(dataDir, file)} ${(fs.lstatSync(file).mode & 0o777).toString(8)}`);
        if (entry.isDirectory()) walk(file);
      }
    };
    walk(dataDir);
    assert.deepEqual(open.slice(0, 10), [], `${open.length} files readable by group or others`);
    const out = app.output();
    for (const crew of app.credentials.crew) assert.ok(!out.includes(crew.pin), `PIN of ${crew.crewId} printed`);
    for (const secret of Object.values(app.credentials.seats))
      assert.ok(!out.includes(secret), 'a seat secret printed');
    assert.match(out, new RegExp(CREDENTIALS_FILE), 'the banner says where the credentials are');
  } finally {
    app.proc.kill('SIGTERM');
    await app.exited;
  }
});

test('the first-run credentials file, the only clear copy, is deleted once its time is up', {
  timeout: 120_000,
}, async () => {
  const dataDir = tempDir();
  const log = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
  const env = {
    IFEC_HTTP_PORT: '0',
    IFEC_MQTT_PORT: '0',
    IFEC_RTMP_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DATA_DIR: dataDir,
    IFEC_LIVE_CHANNELS: 'welcome',
  };
  await (await startAppliance(loadConfig(env), log)).stop();
  assert.ok(fs.existsSync(path.join(dataDir, CREDENTIALS_FILE)), 'kept for the installer within its time');
  const again = await startAppliance(loadConfig({ ...env, IFEC_FIRST_RUN_CREDENTIALS_TTL_H: '0' }), log);
  await again.stop();
  assert.ok(!fs.existsSync(path.join(dataDir, CREDENTIALS_FILE)), 'deleted at the first start after its time');
});
