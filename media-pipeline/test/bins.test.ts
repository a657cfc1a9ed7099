/**
 * Every `bin` of every package.json in the repository, run the way a user runs it: through
 * node_modules/.bin/<name> (a symlink npm made), as an executable. The bins are discovered from
 * the package.json files, so a bin added later is tested too (and needs a real command below).
 *
 * The rule for every bin: `--help` prints its usage on stdout and exits 0; no command or an
 * unknown one prints the usage on stderr and exits 2; one real command works.
 */

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN_DIR = path.join(ROOT, 'node_modules', '.bin');
const work = tempDir('bins');
after(() => fs.rmSync(work, { recursive: true, force: true }));

interface DeclaredBin {
  name: string;
  /** The file package.json points at, absolute. */
  file: string;
  pkg: string;
}

function declaredBins(): DeclaredBin[] {
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces?: string[] };
  return ['.', ...(root.workspaces ?? [])].flatMap((dir) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as {
      name: string;
      bin?: string | Record<string, string>;
    };
    const bins =
      typeof manifest.bin === 'string'
        ? { [manifest.name.replace(/^@[^/]+\//, '')]: manifest.bin }
        : (manifest.bin ?? {});
    return Object.entries(bins).map(([name, file]) => ({
      name,
      file: path.resolve(ROOT, dir, file),
      pkg: manifest.name,
    }));
  });
}

const BINS = declaredBins();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBin(name: string, args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(path.join(BIN_DIR, name), args, {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a long-running bin, waits for `ready` to find its HTTP port in what it prints, asks
 * /healthz, then stops it with SIGTERM and returns its exit code.
 */
async function serveAndCheckHealth(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ health: number; code: number | null }> {
  const child = spawn(path.join(BIN_DIR, name), args, {
    cwd: work,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not say it was ready in 60 s:\n${output}`)), 60_000);
      const look = (chunk: Buffer) => {
        output += chunk.toString();
        const m = ready.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${output}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    await res.arrayBuffer();
    child.kill('SIGTERM');
    return { health: res.status, code: await exited };
  } finally {
    child.kill('SIGKILL');
  }
}

/** One real command per bin. A bin added to a package.json needs an entry here (a test says so). */
const REAL_COMMANDS: Record<string, () => Promise<void>> = {
  'ifec-media': async () => {
    const out = path.join(work, 'media-keys');
    const r = runBin('ifec-media', ['keygen', '--out', out, '--name', 'bin-test']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fingerprint [0-9a-f]{64}/);
    const key = crypto.createPublicKey(fs.readFileSync(path.join(out, 'bin-test.pub.pem')));
    assert.equal(key.asymmetricKeyType, 'ed25519');
  },
  'ifec-ground': async () => {
    const env = {
      GROUND_PORT: '0',
      GROUND_HOST: '127.0.0.1',
      GROUND_DATA_DIR: path.join(work, 'ground'),
      GROUND_LOG_LEVEL: 'warn',
    };
    const { health, code } = await serveAndCheckHealth(
      'ifec-ground',
      ['serve'],
      env,
      /ground sync on http:\/\/127\.0\.0\.1:(\d+)/,
    );
    assert.equal(health, 200);
    assert.equal(code, 0, 'a clean stop on SIGTERM');
  },
  'ifec-appliance': async () => {
    const env = {
      IFEC_HTTP_PORT: '0',
      IFEC_MQTT_PORT: '0',
      IFEC_RTMP_PORT: String(await freePort()),
      IFEC_HOST: '127.0.0.1',
      IFEC_DATA_DIR: path.join(work, 'appliance'),
      IFEC_DEMO: '0',
      IFEC_LOG_LEVEL: 'info',
    };
    const { health, code } = await serveAndCheckHealth(
      'ifec-appliance',
      ['serve'],
      env,
      /"httpPort":(\d+)[^\n]*"msg":"appliance ready"/,
    );
    assert.equal(health, 200);
    assert.equal(code, 0, 'a clean stop on SIGTERM');
  },
  'ifec-sync': async () => {
    // An empty data dir holds no aircraft: the key CLI refuses rather than invent a key.
    const empty = runBin('ifec-sync', ['public-key'], { IFEC_DATA_DIR: path.join(work, 'sync-empty') });
    assert.equal(empty.code, 2, empty.stderr);
    // The appliance's data dir (provisioned by `ifec-appliance serve`, stopped cleanly) has one.
    if (!fs.existsSync(path.join(work, 'appliance', 'sync'))) await REAL_COMMANDS['ifec-appliance']!();
    const r = runBin('ifec-sync', ['public-key'], { IFEC_DATA_DIR: path.join(work, 'appliance') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(crypto.createPublicKey(r.stdout).asymmetricKeyType, 'ed25519');
  },
  'ifec-flash': async () => {
    // The gate data loader on a disk-image file standing in for a USB stick.
    const stick = path.join(work, 'stick.img');
    fs.writeFileSync(stick, '');
    fs.truncateSync(stick, 64 * 1024 * 1024);
    const formatted = runBin('ifec-flash', ['usb', 'format', stick]);
    assert.equal(formatted.code, 0, formatted.stderr);
    assert.equal(fs.readFileSync(stick).subarray(0x52, 0x5a).toString('latin1'), 'FAT32   ', 'a FAT32 file system');
    const listed = runBin('ifec-flash', ['usb', 'list', stick]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /no bundles on this stick/);
  },
  'ifec-image': async () => {
    // A build takes minutes as root (images' own slow tests run one); here: it names what it builds.
    const r = runBin('ifec-image', ['floppy']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /name one target: seat or server/);
  },
};

test('the bins are found in the package.json files, each linked into node_modules/.bin as an executable entry point', () => {
  assert.ok(BINS.length >= 4, BINS.map((b) => b.name).join(', '));
  for (const name of ['ifec-media', 'ifec-ground', 'ifec-appliance', 'ifec-sync'])
    assert.ok(
      BINS.some((b) => b.name === name),
      name,
    );
  for (const bin of BINS) {
    const link = path.join(BIN_DIR, bin.name);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), `${link} is the symlink npm makes (run npm install)`);
    assert.equal(fs.realpathSync(link), fs.realpathSync(bin.file), `${bin.name} links to what ${bin.pkg} declares`);
    assert.ok(fs.statSync(bin.file).mode & 0o111, `${bin.file} is executable`);
    assert.match(
      fs.readFileSync(bin.file, 'utf8'),
      /^#!\/usr\/bin\/env node\n/,
      `${bin.file} starts with a node shebang`,
    );
  }
});

test('a real command is listed in this test for every bin', () => {
  assert.deepEqual(
    BINS.map((b) => b.name).filter((n) => !REAL_COMMANDS[n]),
    [],
  );
});

for (const bin of BINS) {
  test(`${bin.name}: --help prints the usage and exits 0; no command or an unknown one prints it and exits 2`, () => {
    const help = runBin(bin.name, ['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`usage:[\\s\\S]*${bin.name} `));
    for (const args of [[], ['no-such-command'], ['no-such-command', '--with-a-flag']]) {
      const bad = runBin(bin.name, args);
      assert.equal(bad.code, 2, `${bin.name} ${args.join(' ')}: ${bad.stdout}${bad.stderr}`);
      assert.match(bad.stderr, new RegExp(`usage:[\\s\\S]*${bin.name} `), `${bin.name} ${args.join(' ')}`);
      assert.equal(bad.stdout, '', 'nothing on stdout: a script reading it gets no half answer');
    }
  });

  test(`${bin.name}: a real command works`, async () => {
    const real = REAL_COMMANDS[bin.name];
    assert.ok(real, `no real command for ${bin.name} in this test`);
    await real();
  });
}
