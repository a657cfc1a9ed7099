/**
 * The seat unit's update agent: install a RAUC bundle into the inactive slot, reboot into it,
 * wait for health with a deadline, then mark the slot good — or mark it bad and boot the old
 * slot again. How offers and bundles reach the unit (the appliance's rollout over the cabin
 * network, a stick) is the injected `UpdateTransport`; RAUC decides and records the slots.
 *
 * What survives the reboot is one small file on the data partition (`pending-update.json`),
 * written atomically: which version went from which slot to which, and, once decided, the
 * outcome still to report (so a report the appliance did not take is sent again next start).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { RaucStatus } from './rauc.ts';

/** An offer as it arrives (from a stick or the cabin network): checked before use. */
export const updateOffer = z
  .object({
    /** The software version the bundle holds (RAUC's manifest `version`). */
    version: z.string().min(1).max(64),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z
      .number()
      .int()
      .positive()
      .max(4 * 1024 ** 3),
  })
  .strict();
export type UpdateOffer = z.infer<typeof updateOffer>;

export type UnitUpdateReport =
  | { kind: 'installed'; version: string; slot: string }
  | { kind: 'healthy'; version: string; slot: string }
  | { kind: 'rolled-back'; version: string; slot: string; reason: string }
  | { kind: 'failed'; version: string; reason: string };

/** Where offers come from and reports go: the rollout's protocol lives with the appliance. */
export interface UpdateTransport {
  /** Writes the offered bundle's bytes to `file`. */
  fetchBundle(offer: UpdateOffer, file: string): Promise<void>;
  report(report: UnitUpdateReport): Promise<void>;
}

/** What the agent needs of RAUC (`Rauc` in ./rauc.ts). */
export interface SlotInstaller {
  install(bundle: string, onProgress?: (percent: number, step: string) => void): Promise<void>;
  status(): Promise<RaucStatus>;
  markGood(slot?: string): Promise<void>;
  markBad(slot?: string): Promise<void>;
  markActive(slot: string): Promise<void>;
}

export interface UpdateAgentDeps {
  rauc: SlotInstaller;
  transport: UpdateTransport;
  /** On the data partition: survives the reboot and the slot switch. */
  stateDir: string;
  /** Reboots the unit (systemctl reboot on a unit); resolves if the reboot was only requested. */
  reboot: () => Promise<void>;
  /** One health probe (kiosk up, appliance and cabin bus reachable); aborted at the deadline. */
  probe: (signal: AbortSignal) => Promise<boolean>;
  /** How long a freshly booted slot has to become healthy. */
  healthDeadlineMs: number;
  healthIntervalMs?: number;
  log?: (line: string) => void;
}

export class UpdateRefused extends Error {
  constructor(
    readonly code: 'BUNDLE_CHECKSUM' | 'SLOT_NOT_SWITCHED' | 'UPDATE_PENDING',
    message: string,
  ) {
    super(message);
  }
}

const pendingSchema = z
  .object({
    version: z.string(),
    fromBootname: z.string(),
    toBootname: z.string(),
    installedAt: z.string(),
    outcome: z
      .object({ kind: z.enum(['healthy', 'rolled-back']), reason: z.string().optional(), slot: z.string() })
      .optional(),
  })
  .strict();
type Pending = z.infer<typeof pendingSchema>;

const PENDING = 'pending-update.json';

/** Polls `probe` until it says healthy or the deadline passes; a probe that throws counts as not healthy. */
export async function waitHealthy(
  probe: (signal: AbortSignal) => Promise<boolean>,
  deadlineMs: number,
  intervalMs = 1000,
): Promise<{ healthy: true } | { healthy: false; reason: string }> {
  // Our own timer, not AbortSignal.timeout: that one does not keep the process alive, and a
  // hung probe with nothing else running would end the agent instead of deciding.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deadlineMs);
  const deadline = controller.signal;
  try {
    return await pollUntil(probe, deadline, deadlineMs, intervalMs);
  } finally {
    clearTimeout(timer);
  }
}

async function pollUntil(
  probe: (signal: AbortSignal) => Promise<boolean>,
  deadline: AbortSignal,
  deadlineMs: number,
  intervalMs: number,
): Promise<{ healthy: true } | { healthy: false; reason: string }> {
  let lastError = 'the unit never reported healthy';
  // A probe that ignores the signal must not hold the decision past the deadline.
  const expired = new Promise<false>((resolve) =>
    deadline.addEventListener('abort', () => resolve(false), { once: true }),
  );
  while (!deadline.aborted) {
    try {
      if (await Promise.race([probe(deadline), expired])) return { healthy: true };
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (deadline.aborted) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      deadline.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  return { healthy: false, reason: `not healthy within ${deadlineMs} ms: ${lastError}` };
}

export class UpdateAgent {
  constructor(private readonly deps: UpdateAgentDeps) {}

  private get pendingFile(): string {
    return path.join(this.deps.stateDir, PENDING);
  }

  pending(): Pending | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.pendingFile, 'utf8');
    } catch {
      return undefined;
    }
    return pendingSchema.parse(JSON.parse(text));
  }

  /**
   * Fetches, checks and installs `offer` into the inactive slot, then reboots into it.
   * An install that fails leaves the running slot active and says why.
   */
  async install(offer: UpdateOffer): Promise<void> {
    const { rauc, transport, stateDir } = this.deps;
    if (this.pending()) throw new UpdateRefused('UPDATE_PENDING', 'an installed update has not been confirmed yet');
    fs.mkdirSync(stateDir, { recursive: true });
    const bundle = path.join(stateDir, 'incoming.raucb');
    try {
      await transport.fetchBundle(offer, bundle);
      const actual = await sha256File(bundle);
      if (actual.sha256 !== offer.sha256 || actual.size !== offer.size)
        throw new UpdateRefused(
          'BUNDLE_CHECKSUM',
          `bundle ${offer.version} does not match its offer (sha256 ${actual.sha256.slice(0, 12)}…, ${actual.size} bytes)`,
        );
      const before = await rauc.status();
      await rauc.install(bundle, (percent, step) => this.deps.log?.(`install ${percent}% ${step}`));
      const after = await rauc.status();
      const target = after.slots.find((s) => s.name === after.primary);
      if (!target?.bootname || target.bootname === before.booted)
        throw new UpdateRefused('SLOT_NOT_SWITCHED', `RAUC did not make the inactive slot the next boot`);
      writeAtomic(
        this.pendingFile,
        JSON.stringify({
          version: offer.version,
          fromBootname: before.booted,
          toBootname: target.bootname,
          installedAt: new Date().toISOString(),
        } satisfies Pending),
      );
      await transport.report({ kind: 'installed', version: offer.version, slot: target.bootname });
    } catch (error) {
      await transport
        .report({ kind: 'failed', version: offer.version, reason: (error as Error).message })
        .catch(() => {});
      throw error;
    } finally {
      fs.rmSync(bundle, { force: true });
    }
    this.deps.log?.(`installed ${offer.version}; rebooting into the new slot`);
    await this.deps.reboot();
  }

  /**
   * At every start: if an update is waiting for confirmation, decide it. Booted into the new
   * slot: healthy in time → mark good; not → mark bad, make the old slot primary, reboot.
   * Booted into the old slot: the bootloader already fell back (the new one never came up).
   */
  async afterBoot(): Promise<UnitUpdateReport | undefined> {
    const { rauc } = this.deps;
    let pending = this.pending();
    if (!pending) {
      // An ordinary boot of a proven slot: confirm it, as the bootloader expects every boot
      // to be (its try flag is set at each power-on; an unconfirmed slot is skipped next time).
      await rauc.markGood('booted');
      return undefined;
    }
    let rebootAfter = false;
    if (!pending.outcome) {
      const status = await rauc.status();
      if (status.booted === pending.toBootname) {
        const health = await waitHealthy(this.deps.probe, this.deps.healthDeadlineMs, this.deps.healthIntervalMs);
        if (health.healthy) {
          await rauc.markGood('booted');
          pending = { ...pending, outcome: { kind: 'healthy', slot: pending.toBootname } };
        } else {
          await rauc.markBad('booted');
          await rauc.markActive('other');
          pending = { ...pending, outcome: { kind: 'rolled-back', slot: pending.toBootname, reason: health.reason } };
          rebootAfter = true;
        }
      } else {
        // The new slot never got to confirm; make sure RAUC holds it bad, so it is not tried again.
        const stale = status.slots.find((s) => s.bootname === pending!.toBootname);
        if (stale) await rauc.markBad(stale.name);
        pending = {
          ...pending,
          outcome: {
            kind: 'rolled-back',
            slot: pending.toBootname,
            reason: `slot ${pending.toBootname} did not come up; the bootloader booted ${status.booted} again`,
          },
        };
      }
      writeAtomic(this.pendingFile, JSON.stringify(pending));
    }
    const outcome = pending.outcome!;
    const report: UnitUpdateReport =
      outcome.kind === 'healthy'
        ? { kind: 'healthy', version: pending.version, slot: outcome.slot }
        : { kind: 'rolled-back', version: pending.version, slot: outcome.slot, reason: outcome.reason ?? '' };
    try {
      await this.deps.transport.report(report);
      fs.rmSync(this.pendingFile, { force: true });
    } catch (error) {
      // Kept: the next start reports it again.
      this.deps.log?.(`could not report ${report.kind}: ${(error as Error).message}`);
    }
    if (rebootAfter) await this.deps.reboot();
    return report;
  }
}

async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return { sha256: hash.digest('hex'), size: fs.statSync(file).size };
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}
