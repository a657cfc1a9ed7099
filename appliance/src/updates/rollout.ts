/**
 * The rollout to the seat units: only on the ground (flight phase gate, or the crew's
 * maintenance-mode switch while parked), in waves (the canary group, then the rest), with a
 * health deadline per unit counted from the moment it is handed its assignment. A canary
 * that fails or misses its deadline stops the rollout: the rest never get it, and any unit
 * mid-install is told to roll back (RAUC marks the slot bad and boots the old one).
 *
 * Every change is an event journalled before it is answered (kind `updates.rollout`) and
 * replayed at start into the same state, so an acknowledged report survives `kill -9`; each
 * is also audited for the ground. Events go through one queue: 300 units reporting at once
 * see one consistent wave.
 */
import type { Transaction } from '@electric-sql/pglite';
import {
  type FlightPhase,
  fillPath,
  IfecError,
  type RolloutRefusalCode,
  type RolloutRequest,
  type RolloutState,
  type RolloutStop,
  rolloutRequest,
  rolloutStopFromWords,
  rolloutStopInWords,
  type UnitDetailCode,
  type UnitReport,
  type UnitReportAnswer,
  type UnitUpdateRow,
  type UnitUpdateState,
  UPDATE_POLL_S,
  type UpdateAssignment,
  type UpdatesOverview,
  unitDetailFromWords,
  unitDetailInWords,
  updatesPaths,
  type VerifiedRelease,
} from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';
import type { Store } from '../store/store.ts';

export const ROLLOUT_RECORD = 'updates.rollout';

export class RolloutError extends IfecError<RolloutRefusalCode> {}

export type RolloutEvent =
  | {
      type: 'started';
      rolloutId: string;
      release: VerifiedRelease;
      canary: string[];
      rest: string[];
      healthDeadlineS: number;
      by: string;
      at: string;
    }
  | {
      type: 'unit';
      rolloutId: string;
      seatId: string;
      state: UnitUpdateState;
      version?: string;
      detail?: string;
      /** The appliance's own detail as a code (older records have the English `detail` only). */
      detailCode?: UnitDetailCode;
      deadlineAt?: string;
      at: string;
    }
  | {
      type: 'wave';
      rolloutId: string;
      state: RolloutState;
      /** English, as the audit and the ground read it; `stop` is the same as a code (absent in older records). */
      reason?: string;
      stop?: RolloutStop;
      by?: string;
      at: string;
    }
  | { type: 'maintenance-mode'; on: boolean; by: string; at: string };

const SCHEMA = `CREATE TABLE IF NOT EXISTS update_events (id text PRIMARY KEY, seq bigint NOT NULL, data jsonb NOT NULL)`;

/** The journal applier: events are kept in order; the state is rebuilt from them at start. */
export async function applyRolloutEvent(tx: Transaction, record: JournalRecord): Promise<void> {
  await tx.exec(SCHEMA);
  await tx.query('INSERT INTO update_events (id, seq, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
    record.id,
    record.seq,
    JSON.stringify(record.data),
  ]);
}

interface Unit {
  seatId: string;
  wave: 'canary' | 'rest';
  state: UnitUpdateState;
  version: string | null;
  deadlineAt: number | null;
  detail: string | null;
  detailCode: UnitDetailCode | null;
}

interface Rollout {
  id: string;
  release: VerifiedRelease;
  state: RolloutState;
  stoppedBecause: string | null;
  stop: RolloutStop | null;
  healthDeadlineS: number;
  units: Map<string, Unit>;
}

/** States from which a unit still works on the update (a stop tells these to roll back). */
const IN_PROGRESS: ReadonlySet<UnitUpdateState> = new Set(['assigned', 'downloaded', 'installed', 'rebooted']);
const FINISHED: ReadonlySet<UnitUpdateState> = new Set(['healthy', 'failed', 'timed-out', 'rolled-back']);
/** Which step may follow which (a step repeated is answered again, not an error). */
const NEXT: Record<string, ReadonlySet<UnitUpdateState>> = {
  downloaded: new Set(['assigned']),
  installed: new Set(['assigned', 'downloaded']),
  rebooted: new Set(['installed']),
  healthy: new Set(['rebooted']),
  failed: new Set(['assigned', 'downloaded', 'installed', 'rebooted']),
  'rolled-back': new Set(['failed', 'timed-out', 'assigned', 'downloaded', 'installed', 'rebooted']),
};
const ANSWER: Record<string, UnitReportAnswer['next']> = {
  downloaded: 'none',
  installed: 'reboot',
  rebooted: 'none',
  healthy: 'mark-good',
  failed: 'mark-bad',
  'rolled-back': 'none',
};

/** Phases in which the aircraft stands on the ground: with maintenance mode on and standing still, units may be served. */
const GROUND_PHASES: ReadonlySet<FlightPhase> = new Set(['gate', 'taxi_out', 'landed', 'taxi_in']);

export interface RolloutDeps {
  store: Store;
  records: Pick<DurableRecords, 'write'>;
  /** For the ground: one audit record per step. */
  audit(entry: { actor: string; action: string; detail: Record<string, unknown> }): Promise<void>;
  phase(): FlightPhase;
  /** Ground speed now (m/s), undefined without a position: "parked" is a ground phase and standing still. */
  groundSpeedMps(): number | undefined;
  releases(): VerifiedRelease[];
  seatIds(): string[];
  now?: () => number;
  newId?: () => string;
}

export class Rollouts {
  private rollout: Rollout | undefined;
  private maintenanceMode = false;
  private readonly versions = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private eventCount = 0;
  private readonly now: () => number;

  constructor(private readonly deps: RolloutDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Rebuilds the state from the journalled events (after the replay). */
  async load(): Promise<void> {
    await this.deps.store.write((tx) => tx.exec(SCHEMA));
    const { rows } = await this.deps.store.query<{ data: RolloutEvent }>('SELECT data FROM update_events ORDER BY seq');
    for (const r of rows) this.apply(r.data);
    this.eventCount = rows.length;
  }

  /** Whether units may be served now, and why not. */
  servable(): { allowed: boolean; phase: FlightPhase; maintenanceMode: boolean } {
    const phase = this.deps.phase();
    const speed = this.deps.groundSpeedMps();
    const parked = GROUND_PHASES.has(phase) && (speed === undefined || speed < 1);
    return {
      allowed: phase === 'gate' || (this.maintenanceMode && parked),
      phase,
      maintenanceMode: this.maintenanceMode,
    };
  }

  setMaintenanceMode(on: boolean, by: string): Promise<boolean> {
    return this.serial(async () => {
      const phase = this.deps.phase();
      if (on && !GROUND_PHASES.has(phase))
        throw new RolloutError(
          'UPDATE_NOT_ON_GROUND',
          `maintenance mode is for the ground; the flight phase is ${phase}`,
        );
      await this.record({ type: 'maintenance-mode', on, by, at: this.iso() }, by, 'updates.maintenance-mode', {
        on,
        phase,
      });
      return on;
    });
  }

  start(input: RolloutRequest, by: string): Promise<{ rolloutId: string; canary: string[]; rest: number }> {
    return this.serial(async () => {
      const parsed = rolloutRequest.safeParse(input);
      if (!parsed.success)
        throw new RolloutError('UPDATE_INVALID_ROLLOUT', parsed.error.issues.map((i) => i.message).join('; '));
      const request = parsed.data;
      const servable = this.servable();
      if (!servable.allowed)
        throw new RolloutError(
          'UPDATE_NOT_ON_GROUND',
          `seat units are updated at the gate only (flight phase ${servable.phase}${servable.maintenanceMode ? ', not parked' : ''})`,
        );
      if (this.rollout && (this.rollout.state === 'canary' || this.rollout.state === 'rest'))
        throw new RolloutError('UPDATE_ROLLOUT_ACTIVE', `rollout ${this.rollout.id} is still running: stop it first`);
      const release = this.deps.releases().find((r) => r.target === request.target);
      if (!release)
        throw new RolloutError('UPDATE_UNKNOWN_RELEASE', `${request.target} is not a verified release: verify first`);
      const known = new Set(this.deps.seatIds());
      const seats = request.seats ?? [...known];
      const unknown = seats.find((s) => !known.has(s));
      if (unknown) throw new RolloutError('UPDATE_INVALID_ROLLOUT', `seat ${unknown} is not on this aircraft`);
      const canary = request.canary ?? seats.slice(0, request.canaryCount ?? Math.max(1, Math.ceil(seats.length / 20)));
      const badCanary = canary.find((s) => !seats.includes(s));
      if (badCanary) throw new RolloutError('UPDATE_INVALID_ROLLOUT', `canary seat ${badCanary} is not in the rollout`);
      const rest = seats.filter((s) => !canary.includes(s));
      const rolloutId = this.deps.newId?.() ?? `R${this.now().toString(36)}`;
      await this.record(
        {
          type: 'started',
          rolloutId,
          release,
          canary,
          rest,
          healthDeadlineS: request.healthDeadlineS,
          by,
          at: this.iso(),
        },
        by,
        'updates.rollout-started',
        { rolloutId, target: release.target, version: release.version, canary, rest: rest.length },
      );
      return { rolloutId, canary, rest: rest.length };
    });
  }

  stop(by: string): Promise<void> {
    return this.serial(async () => {
      const r = this.rollout;
      if (!r || (r.state !== 'canary' && r.state !== 'rest'))
        throw new RolloutError('UPDATE_NO_ROLLOUT', 'no rollout is running');
      const stop: RolloutStop = { code: 'STOPPED_BY_CREW' };
      const reason = rolloutStopInWords(stop);
      await this.record(
        { type: 'wave', rolloutId: r.id, state: 'stopped', reason, stop, by, at: this.iso() },
        by,
        'updates.rollout-stopped',
        {
          rolloutId: r.id,
          reason,
          stop,
        },
      );
    });
  }

  /** What one unit should do now; handing out an install starts its health deadline. */
  assignment(seatId: string): Promise<UpdateAssignment> {
    return this.serial(async () => {
      const r = this.rollout;
      const idle = (reason: UpdateAssignment['reason'], extra: Partial<UpdateAssignment> = {}): UpdateAssignment => ({
        seatId,
        action: 'none',
        reason,
        pollAfterS: r && (r.state === 'canary' || r.state === 'rest') ? UPDATE_POLL_S.active : UPDATE_POLL_S.idle,
        ...extra,
      });
      if (!r) return idle('no-rollout');
      const unit = r.units.get(seatId);
      if (!unit) return idle('not-in-rollout', { rolloutId: r.id });
      const base = { rolloutId: r.id, wave: unit.wave };
      // A unit that missed its deadline, or was mid-install when the rollout stopped, goes back to its old slot.
      if (unit.state === 'timed-out' || (r.state === 'stopped' && IN_PROGRESS.has(unit.state)))
        return { seatId, action: 'roll-back', ...base, pollAfterS: UPDATE_POLL_S.active };
      if (FINISHED.has(unit.state)) return idle('done', base);
      if (r.state === 'stopped') return idle('stopped', base);
      if (r.state === 'done') return idle('done', base);
      if (!this.servable().allowed) return idle('not-at-gate', base);
      if (unit.wave === 'rest' && r.state === 'canary') return idle('waiting-for-wave', base);
      if (unit.state === 'waiting') {
        const deadlineAt = new Date(this.now() + r.healthDeadlineS * 1000).toISOString();
        await this.record(
          { type: 'unit', rolloutId: r.id, seatId, state: 'assigned', deadlineAt, at: this.iso() },
          'appliance',
          'updates.unit-assigned',
          { rolloutId: r.id, seatId, wave: unit.wave, version: r.release.version, deadlineAt },
        );
      }
      return {
        seatId,
        action: 'install',
        ...base,
        target: {
          name: r.release.target,
          partNumber: r.release.partNumber,
          version: r.release.version,
          length: r.release.length,
          sha256: r.release.sha256,
          url: fillPath(updatesPaths.bundle, { hash: r.release.sha256 }),
        },
        healthDeadlineAt: new Date(unit.deadlineAt!).toISOString(),
        pollAfterS: UPDATE_POLL_S.active,
      };
    });
  }

  /** May this seat download this load now (it was handed it and is still on it)? */
  mayDownload(seatId: string, sha256: string): boolean {
    const r = this.rollout;
    const unit = r?.units.get(seatId);
    return (
      !!r &&
      !!unit &&
      r.release.sha256 === sha256 &&
      (r.state === 'canary' || r.state === 'rest') &&
      IN_PROGRESS.has(unit.state)
    );
  }

  report(seatId: string, report: UnitReport): Promise<UnitReportAnswer> {
    return this.serial(async () => {
      const r = this.rollout;
      const unit = r?.id === report.rolloutId ? r.units.get(seatId) : undefined;
      if (!r || !unit)
        throw new RolloutError('UPDATE_NOT_ASSIGNED', `seat ${seatId} has no part in rollout ${report.rolloutId}`);
      const step = report.step as UnitUpdateState;
      if (unit.state === step) return { state: unit.state, next: ANSWER[step]! };
      // Health after the deadline does not count: the unit was told to roll back.
      if (unit.state === 'timed-out' && step !== 'rolled-back') return { state: unit.state, next: 'mark-bad' };
      // A unit already running the release (installed earlier, or by hand) checks its health and says so.
      const alreadyOnIt = step === 'healthy' && unit.state === 'assigned' && report.version === r.release.version;
      if (!alreadyOnIt && !NEXT[step]?.has(unit.state))
        throw new RolloutError(
          'UPDATE_STEP_OUT_OF_ORDER',
          `seat ${seatId} is ${unit.state}: ${report.step} cannot follow`,
        );
      await this.record(
        {
          type: 'unit',
          rolloutId: r.id,
          seatId,
          state: step,
          ...(report.version ? { version: report.version } : {}),
          ...(report.detail ? { detail: report.detail } : {}),
          at: this.iso(),
        },
        `seat:${seatId}`,
        `updates.unit-${step}`,
        {
          rolloutId: r.id,
          seatId,
          wave: unit.wave,
          version: report.version ?? null,
          slot: report.slot ?? null,
          detail: report.detail ?? null,
        },
      );
      await this.evaluate();
      return { state: unit.state, next: ANSWER[step]! };
    });
  }

  /** Deadlines: called every second by the domain. */
  tick(): Promise<void> {
    return this.serial(async () => {
      const r = this.rollout;
      if (!r || (r.state !== 'canary' && r.state !== 'rest')) return;
      const now = this.now();
      for (const unit of r.units.values()) {
        if (!IN_PROGRESS.has(unit.state) || unit.deadlineAt === null || unit.deadlineAt > now) continue;
        const detailCode: UnitDetailCode = { code: 'NO_HEALTH_REPORT', afterS: r.healthDeadlineS, was: unit.state };
        const detail = unitDetailInWords(detailCode);
        await this.record(
          {
            type: 'unit',
            rolloutId: r.id,
            seatId: unit.seatId,
            state: 'timed-out',
            detail,
            detailCode,
            at: this.iso(),
          },
          'appliance',
          'updates.unit-timed-out',
          { rolloutId: r.id, seatId: unit.seatId, wave: unit.wave, detail, detailCode },
        );
      }
      await this.evaluate();
    });
  }

  overview(): Omit<UpdatesOverview, 'trusted' | 'releases'> {
    const r = this.rollout;
    const units: UnitUpdateRow[] = r
      ? [...r.units.values()].map((u) => ({
          seatId: u.seatId,
          wave: u.wave,
          state: u.state,
          version: u.version ?? this.versions.get(u.seatId) ?? null,
          deadlineAt: u.deadlineAt === null ? null : new Date(u.deadlineAt).toISOString(),
          detail: u.detail,
          detailCode: u.detailCode,
        }))
      : [];
    const counts: Record<string, number> = {};
    for (const u of units) counts[u.state] = (counts[u.state] ?? 0) + 1;
    return {
      servable: this.servable(),
      rollout: r
        ? {
            id: r.id,
            target: r.release.target,
            version: r.release.version,
            state: r.state,
            stoppedBecause: r.stoppedBecause,
            stop: r.stop,
            healthDeadlineS: r.healthDeadlineS,
            counts,
            units,
          }
        : null,
      versions: Object.fromEntries(this.versions),
    };
  }

  /** Moves the waves on: a failed canary stops it all; all canaries healthy opens the rest; all finished is done. */
  private async evaluate(): Promise<void> {
    const r = this.rollout;
    if (!r || (r.state !== 'canary' && r.state !== 'rest')) return;
    const units = [...r.units.values()];
    if (r.state === 'canary') {
      const canaries = units.filter((u) => u.wave === 'canary');
      const bad = canaries.find((u) => u.state === 'failed' || u.state === 'timed-out' || u.state === 'rolled-back');
      if (bad) {
        const stop: RolloutStop = {
          code: 'CANARY_FAILED',
          seatId: bad.seatId,
          state: bad.state,
          detail: bad.detail,
          detailCode: bad.detailCode,
        };
        const reason = rolloutStopInWords(stop);
        await this.record(
          { type: 'wave', rolloutId: r.id, state: 'stopped', reason, stop, at: this.iso() },
          'appliance',
          'updates.rollout-stopped',
          {
            rolloutId: r.id,
            reason,
            stop,
          },
        );
        return;
      }
      if (canaries.every((u) => u.state === 'healthy')) {
        const state: RolloutState = units.length === canaries.length ? 'done' : 'rest';
        await this.record(
          { type: 'wave', rolloutId: r.id, state, at: this.iso() },
          'appliance',
          `updates.wave-${state}`,
          {
            rolloutId: r.id,
            canaries: canaries.length,
          },
        );
      }
      return;
    }
    if (units.every((u) => FINISHED.has(u.state))) {
      const healthy = units.filter((u) => u.state === 'healthy').length;
      await this.record(
        { type: 'wave', rolloutId: r.id, state: 'done', at: this.iso() },
        'appliance',
        'updates.rollout-done',
        {
          rolloutId: r.id,
          healthy,
          notHealthy: units.length - healthy,
        },
      );
    }
  }

  /** Journal first (then the audit for the ground), then the state in memory. */
  private async record(
    event: RolloutEvent,
    actor: string,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const id = `${(event as { rolloutId?: string }).rolloutId ?? 'mm'}:${++this.eventCount}:${this.now()}`;
    await this.deps.records.write(ROLLOUT_RECORD, id, event);
    this.apply(event);
    await this.deps.audit({ actor, action, detail });
  }

  private apply(event: RolloutEvent): void {
    switch (event.type) {
      case 'maintenance-mode':
        this.maintenanceMode = event.on;
        return;
      case 'started': {
        const units = new Map<string, Unit>();
        const unit = (seatId: string, wave: 'canary' | 'rest'): Unit => ({
          seatId,
          wave,
          state: 'waiting',
          version: null,
          deadlineAt: null,
          detail: null,
          detailCode: null,
        });
        for (const s of event.canary) units.set(s, unit(s, 'canary'));
        for (const s of event.rest) units.set(s, unit(s, 'rest'));
        this.rollout = {
          id: event.rolloutId,
          release: event.release,
          state: event.canary.length ? 'canary' : 'rest',
          stoppedBecause: null,
          stop: null,
          healthDeadlineS: event.healthDeadlineS,
          units,
        };
        return;
      }
      case 'wave':
        if (this.rollout?.id !== event.rolloutId) return;
        this.rollout.state = event.state;
        if (event.state === 'stopped') {
          this.rollout.stoppedBecause = event.reason ?? 'stopped';
          // A record journalled before stops had codes holds the English only: read the code back from it.
          this.rollout.stop = event.stop ?? (event.reason ? rolloutStopFromWords(event.reason) : null);
        }
        return;
      case 'unit': {
        const unit = this.rollout?.id === event.rolloutId ? this.rollout.units.get(event.seatId) : undefined;
        if (!unit) return;
        unit.state = event.state;
        if (event.deadlineAt) unit.deadlineAt = Date.parse(event.deadlineAt);
        if (event.detail !== undefined) unit.detail = event.detail;
        if (event.detail !== undefined)
          unit.detailCode =
            event.detailCode ?? (event.state === 'timed-out' ? unitDetailFromWords(event.detail) : null);
        if (event.version) {
          unit.version = event.version;
          this.versions.set(event.seatId, event.version);
        }
        return;
      }
    }
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}
