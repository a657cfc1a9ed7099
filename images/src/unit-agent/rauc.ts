/**
 * RAUC, behind one small adapter: the only file that runs the `rauc` binary. RAUC writes a
 * bundle into the inactive A/B slot, tells the bootloader which slot boots next, and keeps
 * each slot's good/bad mark; we never write slots or bootloader state ourselves.
 * Commands are built as plain data (tested without the binary) and run by `run`.
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';

export interface RaucOptions {
  /** system.conf; RAUC's default is /etc/rauc/system.conf. */
  conf?: string;
  /** The binary; `rauc` from PATH by default. */
  binary?: string;
  /** Extra environment (a test points DBUS_SYSTEM_BUS_ADDRESS at its own bus). */
  env?: Record<string, string>;
}

export class RaucError extends Error {
  readonly code = 'RAUC_FAILED';
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** `rauc status --output-format=json`, as RAUC 1.8 prints it (only what we read). */
const slotStatus = z.object({
  class: z.string(),
  device: z.string(),
  bootname: z.string().nullable().optional(),
  state: z.string(),
  boot_status: z.string().optional(),
});
export const raucStatusSchema = z.object({
  compatible: z.string(),
  booted: z.string(),
  boot_primary: z.string().nullable(),
  slots: z.array(z.record(z.string(), slotStatus)),
});

export interface SlotState {
  /** RAUC's slot name, e.g. `rootfs.1`. */
  name: string;
  bootname: string | undefined;
  device: string;
  state: string;
  /** What the bootloader backend says: `good` or `bad`. */
  bootStatus: string | undefined;
}

export interface RaucStatus {
  compatible: string;
  /** Bootname of the slot running now. */
  booted: string;
  /** Slot name the bootloader will boot next. */
  primary: string | undefined;
  slots: SlotState[];
}

export function parseStatus(json: string): RaucStatus {
  const raw = raucStatusSchema.parse(JSON.parse(json));
  const slots = raw.slots.flatMap((entry) =>
    Object.entries(entry).map(([name, s]) => ({
      name,
      bootname: s.bootname ?? undefined,
      device: s.device,
      state: s.state,
      bootStatus: s.boot_status,
    })),
  );
  return { compatible: raw.compatible, booted: raw.booted, primary: raw.boot_primary ?? undefined, slots };
}

/** The argument lists, as plain data. */
export const raucCommands = {
  install: (conf: string | undefined, bundle: string) => [...confArgs(conf), 'install', bundle],
  status: (conf: string | undefined) => [...confArgs(conf), 'status', '--output-format=json'],
  /** `slot` is `booted`, `other` or a slot name, as `rauc status mark-*` takes it. */
  mark: (conf: string | undefined, what: 'mark-good' | 'mark-bad' | 'mark-active', slot: string) => [
    ...confArgs(conf),
    'status',
    what,
    slot,
  ],
};

function confArgs(conf: string | undefined): string[] {
  return conf ? [`--conf=${conf}`] : [];
}

export class Rauc {
  constructor(private readonly options: RaucOptions = {}) {}

  /** Installs into the inactive slot and makes it the next boot; `onProgress` gets RAUC's percentages. */
  async install(bundle: string, onProgress?: (percent: number, step: string) => void): Promise<void> {
    await this.run(raucCommands.install(this.options.conf, bundle), (line) => {
      const m = /^\s*(\d+)%\s+(.*)$/.exec(line);
      if (m && onProgress) onProgress(Number(m[1]), m[2]!);
    });
  }

  async status(): Promise<RaucStatus> {
    return parseStatus(await this.run(raucCommands.status(this.options.conf)));
  }

  async markGood(slot = 'booted'): Promise<void> {
    await this.run(raucCommands.mark(this.options.conf, 'mark-good', slot));
  }

  async markBad(slot = 'booted'): Promise<void> {
    await this.run(raucCommands.mark(this.options.conf, 'mark-bad', slot));
  }

  async markActive(slot: string): Promise<void> {
    await this.run(raucCommands.mark(this.options.conf, 'mark-active', slot));
  }

  private run(args: string[], onLine?: (line: string) => void): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.binary ?? 'rauc', args, {
        env: { ...process.env, ...this.options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      let pending = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        pending += chunk;
        const lines = pending.split(/\r|\n/);
        pending = lines.pop() ?? '';
        for (const line of lines) onLine?.(line);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        err += chunk;
      });
      child.on('error', (e) => reject(new RaucError(`cannot run rauc: ${e.message}`, '')));
      child.on('close', (code) => {
        if (pending) onLine?.(pending);
        if (code === 0) resolve(out);
        else {
          // `rauc install` says why on a `LastError:` line of stdout; other commands on stderr.
          const lines = `${out}\n${err}`.split('\n').map((l) => l.trim());
          const last =
            lines
              .find((l) => l.startsWith('LastError:'))
              ?.slice('LastError:'.length)
              .trim() ??
            lines.filter(Boolean).pop() ??
            '';
          reject(
            new RaucError(
              `rauc ${args.filter((a) => !a.startsWith('--conf')).join(' ')} failed (${code}): ${last}`,
              err,
            ),
          );
        }
      });
    });
  }
}
