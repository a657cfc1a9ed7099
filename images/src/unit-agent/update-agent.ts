/**
 * The seat unit's update agent: install a RAUC bundle into the inactive slot, reboot into it,
 * report health before the rollout's deadline, then mark the slot good — or mark it bad and
 * boot the old slot again. It follows the unit's steps of protocol/src/updates.ts (assignment,
 * downloaded, ask again, installed, rebooted, healthy → mark-good; roll-back → mark-bad,
 * rolled-back); how assignments and bundles arrive (the appliance over the cabin network, a
 * stick) is the injected `UpdateTransport`; RAUC decides and records the slots.
 *
 * What survives the reboot is one small file on the data partition (`pending-update.json`),
 * written atomically: which rollout put which version from which slot into which, and, once
 * decided, the outcome still to report (so a report the appliance did not take is sent again
 * next start).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { UnitReport, UnitReportAnswer, UpdateAssignment } from '@ifec/protocol';
import { z } from 'zod';
import type { RaucStatus } from './rauc.ts';

/** The target of an `install` assignment (protocol: updateAssignment.target). */
export type UpdateTarget = NonNullable<UpdateAssignment['target']>;

/** Where assignments come from and reports go (the appliance's rollout, or a stick). */
export interface UpdateTransport {
  /** What this unit should do now (protocol: GET updatesPaths.assignment). */
  assignment(): Promise<UpdateAssignment>;
  /** Writes the target's bytes to `file`, checked against its length and sha256. */
  download(target: UpdateTarget, file: string): Promise<void>;
  /** One step done (protocol: POST updatesPaths.report) and what to do next. */
  report(report: UnitReport): Promise<UnitReportAnswer>;
  /**
   * Whether the other side decides a rollback (the appliance does, at its health deadline).
   * When it does, a unit whose health did not come waits for its `roll-back`; a stick cannot
   * decide, so the unit rolls back on its own.
   */
  readonly decidesRollback: boolean;
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
  /** The version the booted slot runs (/etc/ifec-release on a unit). */
  runningVersion: () => string | Promise<string>;
  /** Reboots the unit (systemctl reboot on a unit); resolves if the reboot was only requested. */
  reboot: () => Promise<void>;
  /** One health probe (kiosk up, appliance and cabin bus reachable); aborted at the deadline. */
  probe: (signal: AbortSignal) => Promise<boolean>;
  /** The longest a freshly booted slot has to become healthy (the rollout's deadline may be sooner). */
  healthDeadlineMs: number;
  healthIntervalMs?: number;
  /** After health did not come: how long to wait for the appliance's `roll-back` before rolling back anyway. */
  rollbackWaitMs?: number;
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
    rolloutId: z.string(),
    version: z.string(),
    previousVersion: z.string(),
    fromBootname: z.string(),
    toBootname: z.string(),
    toSlot: z.string(),
    installedAt: z.string(),
    healthDeadlineAt: z.string().optional(),
    installedReported: z.boolean().optional(),
    /** `rebooted` was taken by the other side (not sent twice after a crash in the health wait). */
    rebootedReported: z.boolean().optional(),
    outcome: z
      .object({ kind: z.enum(['healthy', 'rolled-back']), reason: z.string().optional(), slot: z.string() })
      .optional(),
  })
  .strict();
type Pending = z.infer<typeof pendingSchema>;

const PENDING = 'pending-update.json';

/** What one `poll()` did, for the log and the tests. */
export type PollOutcome =
  | { did: 'nothing'; reason: string }
  | { did: 'installed'; version: string }
  | { did: 'not-installed'; reason: string }
  | { did: 'rolled-back' };

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
      // The listener goes when the pause ends: a long wait must not pile them up on the signal.
      const done = () => {
        clearTimeout(timer);
        deadline.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, intervalMs);
      deadline.addEventListener('abort', done, { once: true });
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
   * Asks what to do and does it: `install` (unless it already runs that version), `roll-back`
   * (nothing installed yet: say so), or nothing. Returns when to ask again.
   */
  async poll(): Promise<{ outcome: PollOutcome; pollAfterS: number }> {
    const a = await this.deps.transport.assignment();
    if (a.action === 'install' && a.target && a.rolloutId) {
      const running = await this.deps.runningVersion();
      if (a.target.version === running) {
        // Already on it: report health, so that the appliance counts this unit instead of timing it out.
        const deadlineMs = a.healthDeadlineAt
          ? Math.max(1000, Math.min(this.deps.healthDeadlineMs, Date.parse(a.healthDeadlineAt) - Date.now()))
          : this.deps.healthDeadlineMs;
        const health = await waitHealthy(this.deps.probe, deadlineMs, this.deps.healthIntervalMs);
        if (health.healthy)
          await this.deps.transport.report({ rolloutId: a.rolloutId, step: 'healthy', version: running });
        return { outcome: { did: 'nothing', reason: `already runs ${running}` }, pollAfterS: a.pollAfterS };
      }
      return { outcome: await this.install(a), pollAfterS: a.pollAfterS };
    }
    if (a.action === 'roll-back' && a.rolloutId && !this.pending()) {
      // Told to go back before anything was installed (a stopped wave): the running slot is the old one.
      await this.deps.transport.report({
        rolloutId: a.rolloutId,
        step: 'rolled-back',
        version: await this.deps.runningVersion(),
        slot: await this.bootedSlot(),
      });
      return { outcome: { did: 'rolled-back' }, pollAfterS: a.pollAfterS };
    }
    return { outcome: { did: 'nothing', reason: a.reason ?? a.action }, pollAfterS: a.pollAfterS };
  }

  /**
   * Downloads and checks the assignment's target, asks again, installs it into the inactive
   * slot and reboots into it. An install that fails leaves the running slot active and says why.
   */
  async install(assignment: UpdateAssignment): Promise<PollOutcome> {
    const { rauc, transport, stateDir } = this.deps;
    const target = assignment.target!;
    const rolloutId = assignment.rolloutId!;
    if (this.pending()) throw new UpdateRefused('UPDATE_PENDING', 'an installed update has not been confirmed yet');
    fs.mkdirSync(stateDir, { recursive: true });
    const bundle = path.join(stateDir, 'incoming.raucb');
    let pending: Pending;
    try {
      await transport.download(target, bundle);
      const actual = await sha256File(bundle);
      if (actual.sha256 !== target.sha256 || actual.size !== target.length)
        throw new UpdateRefused(
          'BUNDLE_CHECKSUM',
          `bundle ${target.version} does not match its assignment (sha256 ${actual.sha256.slice(0, 12)}…, ${actual.size} bytes)`,
        );
      await transport.report({ rolloutId, step: 'downloaded' });
      // The aircraft may have left the gate while the bundle came: ask again before touching a slot.
      const again = await transport.assignment();
      if (again.action !== 'install' || again.rolloutId !== rolloutId || again.target?.sha256 !== target.sha256)
        return { did: 'not-installed', reason: again.reason ?? again.action };
      const previousVersion = await this.deps.runningVersion();
      const before = await rauc.status();
      await rauc.install(bundle, (percent, step) => this.deps.log?.(`install ${percent}% ${step}`));
      const after = await rauc.status();
      const next = after.slots.find((s) => s.name === after.primary);
      if (!next?.bootname || next.bootname === before.booted)
        throw new UpdateRefused('SLOT_NOT_SWITCHED', `RAUC did not make the inactive slot the next boot`);
      pending = {
        rolloutId,
        version: target.version,
        previousVersion,
        fromBootname: before.booted,
        toBootname: next.bootname,
        toSlot: next.name,
        installedAt: new Date().toISOString(),
        ...(again.healthDeadlineAt ? { healthDeadlineAt: again.healthDeadlineAt } : {}),
      };
      writeAtomic(this.pendingFile, JSON.stringify(pending));
    } catch (error) {
      await transport
        .report({ rolloutId, step: 'failed', detail: (error as Error).message.slice(0, 500) })
        .catch(() => {});
      throw error;
    } finally {
      fs.rmSync(bundle, { force: true });
    }
    // The slot switch is recorded on the unit; a lost `installed` is sent again after the reboot.
    try {
      await transport.report({ rolloutId, step: 'installed', version: pending.version, slot: pending.toSlot });
      pending = { ...pending, installedReported: true };
      writeAtomic(this.pendingFile, JSON.stringify(pending));
    } catch (error) {
      this.deps.log?.(`could not report installed: ${(error as Error).message}`);
    }
    this.deps.log?.(`installed ${target.version}; rebooting into the new slot`);
    await this.deps.reboot();
    return { did: 'installed', version: target.version };
  }

  /**
   * At every start: if an update is waiting for confirmation, decide it. Booted into the new
   * slot: report `rebooted`, wait for health (until the rollout's deadline), report `healthy`
   * and mark good when told `mark-good`; otherwise roll back. Booted into the old slot: the
   * bootloader already fell back (the new one never came up), or a rollback finished.
   */
  async afterBoot(): Promise<UnitReport | undefined> {
    const { rauc, transport } = this.deps;
    let pending = this.pending();
    if (!pending) {
      // An ordinary boot of a proven slot: confirm it, as the bootloader expects every boot
      // to be (its try flag is set at each power-on; an unconfirmed slot is skipped next time).
      await rauc.markGood('booted');
      return undefined;
    }
    const running = await this.deps.runningVersion();
    let rebootAfter = false;
    if (!pending.outcome) {
      const status = await rauc.status();
      if (status.booted === pending.toBootname) {
        if (!pending.installedReported)
          await transport.report({
            rolloutId: pending.rolloutId,
            step: 'installed',
            version: pending.version,
            slot: pending.toSlot,
          });
        if (!pending.rebootedReported) {
          await transport.report({
            rolloutId: pending.rolloutId,
            step: 'rebooted',
            version: running,
            slot: pending.toSlot,
          });
          pending = { ...pending, rebootedReported: true };
          writeAtomic(this.pendingFile, JSON.stringify(pending));
        }
        const untilDeadline = pending.healthDeadlineAt
          ? Date.parse(pending.healthDeadlineAt) - Date.now()
          : this.deps.healthDeadlineMs;
        const health = await waitHealthy(
          this.deps.probe,
          Math.max(0, Math.min(this.deps.healthDeadlineMs, untilDeadline)),
          this.deps.healthIntervalMs,
        );
        let reason: string | undefined;
        if (health.healthy) {
          const answer = await transport.report({ rolloutId: pending.rolloutId, step: 'healthy', version: running });
          if (answer.next === 'mark-good') {
            await rauc.markGood('booted');
            // Taken and marked: done (a crash before this line asks for health again, idempotently).
            fs.rmSync(this.pendingFile, { force: true });
            return { rolloutId: pending.rolloutId, step: 'healthy', version: running, slot: pending.toSlot };
          } else reason = `the appliance answered healthy with ${answer.next} (state ${answer.state})`;
        } else {
          reason = await this.awaitRollback(pending, health.reason);
        }
        if (reason !== undefined) {
          await rauc.markBad('booted');
          await rauc.markActive('other');
          pending = { ...pending, outcome: { kind: 'rolled-back', slot: pending.toSlot, reason } };
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
            slot: pending.toSlot,
            reason: `slot ${pending.toBootname} did not come up; the bootloader booted ${status.booted} again`,
          },
        };
      }
      writeAtomic(this.pendingFile, JSON.stringify(pending));
    }
    if (rebootAfter) {
      // `rolled-back` is reported from the old slot, with the version it runs again.
      this.deps.log?.(`rolling back: ${pending.outcome!.reason}`);
      await this.deps.reboot();
      return undefined;
    }
    const outcome = pending.outcome!;
    const report: UnitReport =
      outcome.kind === 'healthy'
        ? { rolloutId: pending.rolloutId, step: 'healthy', version: running, slot: outcome.slot }
        : {
            rolloutId: pending.rolloutId,
            step: 'rolled-back',
            version: running,
            slot: await this.bootedSlot(),
            detail: (outcome.reason ?? '').slice(0, 500),
          };
    try {
      // Reports are idempotent: `healthy` again is answered the same.
      await transport.report(report);
      fs.rmSync(this.pendingFile, { force: true });
    } catch (error) {
      // Kept: the next start reports it again.
      this.deps.log?.(`could not report ${report.step}: ${(error as Error).message}`);
    }
    return report;
  }

  /**
   * Health did not come in time: the appliance decides (its deadline passed, it says
   * `roll-back`); wait for that, bounded, then roll back anyway — a unit must not stay on
   * an unproven slot because the cabin network is gone. Returns the reason.
   */
  private async awaitRollback(pending: Pending, why: string): Promise<string> {
    const { transport } = this.deps;
    if (!transport.decidesRollback) return why;
    const until = Date.now() + (this.deps.rollbackWaitMs ?? 60_000);
    let last = 'no answer';
    while (Date.now() < until) {
      try {
        const a = await transport.assignment();
        if (a.action === 'roll-back' && a.rolloutId === pending.rolloutId)
          return `${why}; the appliance said roll back`;
        if (a.rolloutId !== pending.rolloutId || a.action === 'none')
          return `${why}; the appliance says ${a.reason ?? a.action}`;
        last = a.action;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, this.deps.healthIntervalMs ?? 1000));
    }
    await transport.report({ rolloutId: pending.rolloutId, step: 'failed', detail: why.slice(0, 500) }).catch(() => {});
    return `${why}; no roll-back from the appliance (${last})`;
  }

  private async bootedSlot(): Promise<string | undefined> {
    const status = await this.deps.rauc.status();
    return status.slots.find((s) => s.bootname === status.booted)?.name;
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
