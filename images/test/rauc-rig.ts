/**
 * A seat unit on the test machine, as far as RAUC can tell: a GPT disk-image file whose two
 * root partitions are attached as loop devices (RAUC's slots A and B), a private system bus
 * for `rauc service`, a test signing certificate made with openssl, and a bootloader whose
 * state is a file (RAUC's `custom` backend, ./fixtures/boot-state-backend.sh, with grubenv's
 * variables). A "power-on" asks that bootloader which slot to boot and starts RAUC's service
 * on it (`--override-boot-slot`, as the kernel's `rauc.slot=` would say on a unit).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ext4FromFolder, partition, partitionDisk, readExt4File, readPartitions } from '../src/recipe/disk-image.ts';
import { Rauc } from '../src/unit-agent/rauc.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const COMPATIBLE = 'ifec-seat-unit-test';

/** Why RAUC on loop devices cannot run here, or undefined when it can. */
export function raucUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (loop devices and RAUC need root)';
  for (const tool of ['rauc', 'dbus-daemon', 'losetup', 'sfdisk', 'mke2fs', 'debugfs', 'openssl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = spawnSync('losetup', ['-f'], { encoding: 'utf8' });
  if (probe.status !== 0) return `loop devices cannot be used here (losetup -f: ${probe.stderr.trim()})`;
  return undefined;
}

export class RaucRig {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-rauc-'));
  readonly disk = path.join(this.dir, 'seat-unit.img');
  readonly conf = path.join(this.dir, 'system.conf');
  readonly bootState = path.join(this.dir, 'boot-state');
  readonly dataDir = path.join(this.dir, 'data');
  readonly env = { DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${path.join(this.dir, 'system_bus_socket')}` };
  readonly rauc = new Rauc({ conf: this.conf, env: this.env });
  loops: Record<'A' | 'B', string> = { A: '', B: '' };
  private service: ChildProcess | undefined;
  private dbusPid: number | undefined;
  private backend = path.join(this.dir, 'boot-state-backend.sh');

  /** Partitions the disk, writes version `v1` into slot A, and starts the system bus. */
  setUp(initialVersion: string): void {
    const parts = partitionDisk(this.disk, [
      { name: 'rootfs_a', sizeMiB: 24, type: 'root' },
      { name: 'rootfs_b', sizeMiB: 24, type: 'root' },
      { name: 'data', sizeMiB: 8, type: 'linux' },
    ]);
    const rootA = this.rootFolder(initialVersion);
    ext4FromFolder(this.disk, partition(parts, 'rootfs_a'), rootA, 'rootfs_a');
    for (const slot of ['A', 'B'] as const) {
      const p = partition(parts, slot === 'A' ? 'rootfs_a' : 'rootfs_b');
      this.loops[slot] = execFileSync(
        'losetup',
        ['--find', '--show', '--offset', String(p.offset), '--sizelimit', String(p.size), this.disk],
        { encoding: 'utf8' },
      ).trim();
    }
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/O=IFEC test airline/CN=seat software signing (test)',
        '-keyout',
        path.join(this.dir, 'signing.key.pem'),
        '-out',
        path.join(this.dir, 'signing.cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    fs.writeFileSync(
      this.backend,
      fs.readFileSync(path.join(here, 'fixtures/boot-state-backend.sh'), 'utf8').replace('@STATE@', this.bootState),
      { mode: 0o755 },
    );
    // Slot A holds the factory software; B is empty until the first update.
    fs.writeFileSync(this.bootState, 'ORDER="A B"\nA_OK=1\nA_TRY=0\nB_OK=0\nB_TRY=0\n');
    fs.mkdirSync(path.join(this.dir, 'mnt'));
    fs.mkdirSync(this.dataDir);
    fs.writeFileSync(
      this.conf,
      [
        '[system]',
        `compatible=${COMPATIBLE}`,
        'bootloader=custom',
        `mountprefix=${path.join(this.dir, 'mnt')}`,
        `data-directory=${path.join(this.dataDir, 'rauc')}`,
        '',
        '[keyring]',
        `path=${path.join(this.dir, 'signing.cert.pem')}`,
        '',
        '[handlers]',
        `bootloader-custom-backend=${this.backend}`,
        '',
        '[slot.rootfs.0]',
        `device=${this.loops.A}`,
        'type=ext4',
        'bootname=A',
        '',
        '[slot.rootfs.1]',
        `device=${this.loops.B}`,
        'type=ext4',
        'bootname=B',
        '',
      ].join('\n'),
    );
    const busConf = path.join(this.dir, 'system-bus.conf');
    fs.writeFileSync(
      busConf,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>${this.env.DBUS_SYSTEM_BUS_ADDRESS}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="de.pengutronix.rauc"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`,
    );
    const pid = execFileSync('dbus-daemon', [`--config-file=${busConf}`, '--fork', '--print-pid'], {
      encoding: 'utf8',
    });
    this.dbusPid = Number(pid.trim());
  }

  /** A root file system folder whose /etc/ifec-version says `version`. */
  rootFolder(version: string): string {
    const root = path.join(this.dir, `root-${version}`);
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/ifec-version'), `${version}\n`);
    return root;
  }

  /** A RAUC bundle of a root file system holding `version`, signed with the test certificate. */
  bundle(version: string, compatible = COMPATIBLE): string {
    const content = path.join(this.dir, `bundle-${version}`);
    fs.mkdirSync(content, { recursive: true });
    const image = path.join(content, 'rootfs.ext4');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', this.rootFolder(version), image, '16M'], {
      stdio: 'ignore',
    });
    fs.writeFileSync(
      path.join(content, 'manifest.raucm'),
      `[update]\ncompatible=${compatible}\nversion=${version}\n\n[bundle]\nformat=plain\n\n[image.rootfs]\nfilename=rootfs.ext4\n`,
    );
    const out = path.join(this.dir, `seat-${version}.raucb`);
    fs.rmSync(out, { force: true });
    execFileSync(
      'rauc',
      [
        'bundle',
        `--cert=${path.join(this.dir, 'signing.cert.pem')}`,
        `--key=${path.join(this.dir, 'signing.key.pem')}`,
        content,
        out,
      ],
      { stdio: 'ignore' },
    );
    return out;
  }

  /** Power-on: the bootloader picks a slot (and sets its try flag), RAUC's service starts on it. */
  async powerOn(): Promise<string> {
    const booted = execFileSync(this.backend, ['boot'], { encoding: 'utf8' }).trim();
    this.service = spawn('rauc', [`--conf=${this.conf}`, 'service', `--override-boot-slot=${booted}`], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    this.service.stderr?.setEncoding('utf8').on('data', (c: string) => {
      log += c;
    });
    // Ready when it answers on the bus (not a fixed sleep: this machine may be loaded).
    for (let i = 0; ; i++) {
      try {
        const status = await this.rauc.status();
        if (status.booted !== booted) throw new Error(`RAUC says booted ${status.booted}, the bootloader ${booted}`);
        return booted;
      } catch (error) {
        if (this.service.exitCode !== null) throw new Error(`rauc service exited: ${log}`);
        if (i > 300) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Power-off: RAUC's service stops (the slot contents and the boot state stay). */
  async powerOff(): Promise<void> {
    const service = this.service;
    this.service = undefined;
    if (!service || service.exitCode !== null) return;
    const exited = new Promise((r) => service.once('exit', r));
    service.kill('SIGTERM');
    await exited;
  }

  /** Which version a slot holds, read from its partition in the disk image. */
  slotVersion(slot: 'A' | 'B'): string {
    const parts = readPartitions(this.disk);
    return readExt4File(
      this.disk,
      partition(parts, slot === 'A' ? 'rootfs_a' : 'rootfs_b'),
      '/etc/ifec-version',
    ).trim();
  }

  bootStateNow(): Record<string, string> {
    return Object.fromEntries(
      fs
        .readFileSync(this.bootState, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [k, v] = l.split('=');
          return [k!, v!.replaceAll('"', '')];
        }),
    );
  }

  async tearDown(): Promise<void> {
    await this.powerOff();
    if (this.dbusPid) {
      try {
        process.kill(this.dbusPid, 'SIGTERM');
      } catch {}
    }
    for (const loop of Object.values(this.loops)) if (loop) spawnSync('losetup', ['-d', loop]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
