/**
 * Software updates: what the ground publishes (TUF targets with an ARINC 665-style load
 * list), what the appliance verified, and the rollout to the seat units at the gate.
 *
 * TUF (tuf-js on the appliance, @tufjs/models on the ground) decides WHAT may be installed;
 * RAUC on the unit installs it into the inactive A/B slot and decides commit or rollback.
 *
 * ## A seat unit's steps (the unit's update agent: HTTP on the appliance, seat bearer token)
 * 1. `POST /api/seats/login` with its provisioned secret → a seat token (same as the kiosk).
 * 2. Poll `GET updatesPaths.assignment` every `pollAfterS` seconds. The answer is
 *    `action: 'none'` (with `reason`: no rollout, not at the gate, waiting for its wave,
 *    stopped, done), `'install'` (a target to install) or `'roll-back'` (its health did not
 *    come in time, or its wave was stopped after it installed: mark the new slot bad).
 * 3. On `install`, unless `target.version` is what it already runs: download `target.url`
 *    (Range requests resume), check `length` and `sha256` (the appliance verified them against
 *    the signed TUF targets; RAUC checks the bundle's own signature too), report `downloaded`.
 *    Before installing, ask again: if the answer is no longer `install` (the aircraft left the
 *    gate), do not install.
 * 4. `rauc install <file>` into the inactive slot → report `installed`; reboot into it.
 * 5. After boot, report `rebooted` with the running `version`; run the unit's health checks
 *    (kiosk up, cabin bus connected) and report `healthy` before `healthDeadlineAt`. The answer
 *    to `healthy` is `next: 'mark-good'`: run `rauc status mark-good`.
 * 6. Anything that fails → report `failed` with a `detail`, `rauc status mark-bad` if the new
 *    slot was booted, and reboot into the old one. On `roll-back`: the same, then report
 *    `rolled-back` with the version it runs again.
 * Reports are idempotent (the same step twice is answered the same); a report for a rollout
 * that is not the unit's current one is refused (UPDATE_NOT_ASSIGNED).
 */
import { z } from 'zod';

// ---- what the ground publishes --------------------------------------------------------

export const softwareKind = z.enum(['seat-client', 'appliance', 'os-image']);
export type SoftwareKind = z.infer<typeof softwareKind>;

/** ARINC 665 part numbers are airline/vendor strings: letters, digits and dashes. */
export const partNumber = z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,38}$/, 'a part number such as IFE-SEAT-0042');

export const softwareVersion = z.string().regex(/^[0-9]+(\.[0-9]+){0,3}(-[0-9A-Za-z.]+)?$/, 'a version such as 2.4.1');

/** The `custom` block of each TUF target the ground signs. */
export const softwareTargetCustom = z
  .object({
    partNumber,
    kind: softwareKind,
    version: softwareVersion,
    /** The load list (ARINC 665-style) of this part, itself a TUF target. */
    loadList: z.string().min(1).max(256),
  })
  .strict();
export type SoftwareTargetCustom = z.infer<typeof softwareTargetCustom>;

/** One file of a load: ARINC 665 names its files with a CRC; SHA-256 is what we check. */
export const loadListFile = z
  .object({
    name: z.string().min(1).max(256),
    length: z.number().int().nonnegative(),
    /** CRC-32 (IEEE 802.3, as zlib) of the file, 8 hex digits. */
    crc32: z.string().regex(/^[0-9a-f]{8}$/),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

/** A load in the style of an ARINC 665 loads list (LOADS.LUM) with its load header (LUH). */
export const loadList = z
  .object({
    format: z.literal('ifec-load-list/1'),
    header: z
      .object({
        partNumber,
        kind: softwareKind,
        version: softwareVersion,
        /** Which units take it ("seat-unit", "aircraft-server"): the load's target hardware. */
        targetHardware: z.array(z.string().min(1).max(64)).min(1).max(16),
        description: z.string().max(500),
        publishedAt: z.string().min(1),
      })
      .strict(),
    files: z.array(loadListFile).min(1).max(1000),
  })
  .strict();
export type LoadList = z.infer<typeof loadList>;

/** Paths inside a software publication / a repository folder / a USB stick: one layout everywhere. */
export const SOFTWARE_LAYOUT = {
  metadata: 'metadata',
  targets: 'targets',
  /** The publication's `name` on the downlink: one repository per tenant. */
  publicationName: 'software-repository',
} as const;

// ---- what the appliance verified (crew console, maintenance role) -------------------------

export const updateSource = z.discriminatedUnion('from', [
  /** The latest software publication in the downlink store (came by the ground link or a USB bundle). */
  z.object({ from: z.literal('downlink') }).strict(),
  /** A repository folder (a USB stick mounted at the gate): metadata/ and targets/. */
  z.object({ from: z.literal('folder'), dir: z.string().min(1).max(1024) }).strict(),
  /** A repository over HTTP (the ground's or a maintenance laptop's). */
  z.object({ from: z.literal('http'), url: z.url().max(1024) }).strict(),
]);
export type UpdateSource = z.infer<typeof updateSource>;

export const verifiedRelease = z
  .object({
    target: z.string(),
    partNumber,
    kind: softwareKind,
    version: softwareVersion,
    length: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    verifiedAt: z.string(),
  })
  .strict();
export type VerifiedRelease = z.infer<typeof verifiedRelease>;

export const trustedVersions = z
  .object({
    root: z.number().int().positive(),
    timestamp: z.number().int().nonnegative(),
    snapshot: z.number().int().nonnegative(),
    targets: z.number().int().nonnegative(),
    expires: z.string().nullable(),
  })
  .strict();
export type TrustedVersions = z.infer<typeof trustedVersions>;

// ---- the rollout ---------------------------------------------------------------------

export const rolloutRequest = z
  .object({
    /** A verified target's name. */
    target: z.string().min(1).max(256),
    /** The canary group: named seats, or the first `canaryCount` seats. */
    canary: z.array(z.string().min(1).max(16)).max(100).optional(),
    canaryCount: z.number().int().positive().max(100).optional(),
    /** Seats in the rollout; default every provisioned seat. */
    seats: z.array(z.string().min(1).max(16)).max(2000).optional(),
    /** From when a unit is handed its assignment to its `healthy` report. */
    healthDeadlineS: z.number().int().min(5).max(7200).default(900),
  })
  .strict();
export type RolloutRequest = z.input<typeof rolloutRequest>;

export const rolloutState = z.enum(['canary', 'rest', 'done', 'stopped']);
export type RolloutState = z.infer<typeof rolloutState>;

export const unitUpdateState = z.enum([
  'waiting',
  'assigned',
  'downloaded',
  'installed',
  'rebooted',
  'healthy',
  'failed',
  'timed-out',
  'rolled-back',
]);
export type UnitUpdateState = z.infer<typeof unitUpdateState>;

export const unitReportStep = z.enum(['downloaded', 'installed', 'rebooted', 'healthy', 'failed', 'rolled-back']);
export type UnitReportStep = z.infer<typeof unitReportStep>;

export const unitReport = z
  .object({
    rolloutId: z.string().min(1).max(64),
    step: unitReportStep,
    /** The version the unit runs now (the booted slot's). */
    version: softwareVersion.optional(),
    /** RAUC's booted slot, e.g. rootfs.1. */
    slot: z.string().max(32).optional(),
    detail: z.string().max(500).optional(),
  })
  .strict();
export type UnitReport = z.infer<typeof unitReport>;

export const unitReportAnswer = z
  .object({
    state: unitUpdateState,
    next: z.enum(['reboot', 'mark-good', 'mark-bad', 'none']),
  })
  .strict();
export type UnitReportAnswer = z.infer<typeof unitReportAnswer>;

export const updateAssignment = z
  .object({
    seatId: z.string(),
    action: z.enum(['none', 'install', 'roll-back']),
    reason: z.enum(['no-rollout', 'not-at-gate', 'waiting-for-wave', 'stopped', 'done', 'not-in-rollout']).optional(),
    rolloutId: z.string().optional(),
    wave: z.enum(['canary', 'rest']).optional(),
    target: z
      .object({
        name: z.string(),
        partNumber,
        version: softwareVersion,
        length: z.number().int().nonnegative(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        /** Path on the appliance (updatesPaths.bundle filled in). */
        url: z.string(),
      })
      .strict()
      .optional(),
    healthDeadlineAt: z.string().optional(),
    pollAfterS: z.number().int().positive(),
  })
  .strict();
export type UpdateAssignment = z.infer<typeof updateAssignment>;

/**
 * What the appliance itself says about a unit, as a code with its values, so the crew console
 * words it in its own language (`detail` keeps the English for the audit and the ground).
 */
export const unitDetailCode = z.discriminatedUnion('code', [
  /** The health deadline passed: `afterS` seconds, the unit was `was`. */
  z.object({ code: z.literal('NO_HEALTH_REPORT'), afterS: z.number().int(), was: unitUpdateState }).strict(),
]);
export type UnitDetailCode = z.infer<typeof unitDetailCode>;

/** The English of a unit detail code: the `detail` text the audit and the ground keep. */
export function unitDetailInWords(d: UnitDetailCode): string {
  return `no health report within ${d.afterS} s (was ${d.was})`;
}

/** The appliance's English detail of a record older than detail codes, back as a code, or null. */
export function unitDetailFromWords(detail: string): UnitDetailCode | null {
  const m = /^no health report within (\d+) s \(was ([a-z-]+)\)$/.exec(detail);
  const was = m ? unitUpdateState.safeParse(m[2]) : undefined;
  return m && was?.success ? { code: 'NO_HEALTH_REPORT', afterS: Number(m[1]), was: was.data } : null;
}

export const unitUpdateRow = z
  .object({
    seatId: z.string(),
    wave: z.enum(['canary', 'rest']),
    state: unitUpdateState,
    /** What the unit last said it runs. */
    version: z.string().nullable(),
    deadlineAt: z.string().nullable(),
    /** What the unit reported (its own words), or the appliance's English for `detailCode`. */
    detail: z.string().nullable(),
    /** When the appliance wrote the detail: the code to put in words. */
    detailCode: unitDetailCode.nullable().optional(),
  })
  .strict();
export type UnitUpdateRow = z.infer<typeof unitUpdateRow>;

/** Why a rollout stopped, as a code with its values: the crew console words it in its language. */
export const rolloutStop = z.discriminatedUnion('code', [
  z.object({ code: z.literal('STOPPED_BY_CREW') }).strict(),
  /** A canary failed, missed its health deadline or rolled back: the rest never get the release. */
  z
    .object({
      code: z.literal('CANARY_FAILED'),
      seatId: z.string(),
      state: unitUpdateState,
      /** The unit's own words, or the appliance's English for `detailCode`. */
      detail: z.string().nullable(),
      detailCode: unitDetailCode.nullable(),
    })
    .strict(),
]);
export type RolloutStop = z.infer<typeof rolloutStop>;
export type RolloutStopCode = RolloutStop['code'];
export const ROLLOUT_STOP_CODES: readonly RolloutStopCode[] = ['STOPPED_BY_CREW', 'CANARY_FAILED'];

/** The English of a stop (`stoppedBecause`, the audit's `reason`, read by the ground's fleet status). */
export function rolloutStopInWords(stop: RolloutStop): string {
  if (stop.code === 'STOPPED_BY_CREW') return 'stopped by crew';
  return `canary ${stop.seatId} ${stop.state}${stop.detail ? `: ${stop.detail}` : ''}`;
}

/** A stop recorded before stops had codes (its English only) back as a code, or null if not recognised. */
export function rolloutStopFromWords(reason: string): RolloutStop | null {
  if (reason === 'stopped by crew') return { code: 'STOPPED_BY_CREW' };
  const m = /^canary (\S+) (failed|timed-out|rolled-back)(?:: ([\s\S]*))?$/.exec(reason);
  if (!m) return null;
  const detail = m[3] ?? null;
  const state = m[2] as UnitUpdateState;
  const detailCode = state === 'timed-out' && detail ? unitDetailFromWords(detail) : null;
  return { code: 'CANARY_FAILED', seatId: m[1]!, state, detail, detailCode };
}

/** GET updatesPaths.crewOverview: the maintenance screen. */
export const updatesOverview = z
  .object({
    trusted: trustedVersions.nullable(),
    releases: z.array(verifiedRelease),
    /** Whether seat units may be served now, and why not. */
    servable: z.object({ allowed: z.boolean(), phase: z.string(), maintenanceMode: z.boolean() }).strict(),
    rollout: z
      .object({
        id: z.string(),
        target: z.string(),
        version: softwareVersion,
        state: rolloutState,
        /** In English (the audit's words); `stop` is the same as a code. */
        stoppedBecause: z.string().nullable(),
        stop: rolloutStop.nullable().optional(),
        healthDeadlineS: z.number().int(),
        counts: z.record(z.string(), z.number().int()),
        units: z.array(unitUpdateRow),
      })
      .strict()
      .nullable(),
    /** Last version each seat reported (any rollout). */
    versions: z.record(z.string(), z.string()),
  })
  .strict();
export type UpdatesOverview = z.infer<typeof updatesOverview>;

export const maintenanceModeRequest = z.object({ on: z.boolean() }).strict();

/** The appliance's update paths (additive to paths.ts, kept here so the unit agent imports one file). */
export const updatesPaths = {
  /** Seat token: what this unit should do now. */
  assignment: '/api/seat/updates/assignment',
  /** Seat token: the verified bundle (Range supported). */
  bundle: '/api/seat/updates/bundles/:hash',
  /** Seat token: a step done (unitReport). */
  report: '/api/seat/updates/report',
  /** Maintenance crew: trusted state, verified releases, rollout, versions per seat. */
  crewOverview: '/api/crew/updates',
  /** Maintenance crew: verify what a source offers (updateSource). */
  crewVerify: '/api/crew/updates/verify',
  /** Maintenance crew: start a rollout (rolloutRequest). */
  crewRollouts: '/api/crew/updates/rollouts',
  /** Maintenance crew: stop the current rollout. */
  crewStopRollout: '/api/crew/updates/rollouts/stop',
  /** Maintenance crew: the maintenance-mode switch (serve updates while parked off the gate). */
  crewMaintenanceMode: '/api/crew/updates/maintenance-mode',
} as const;

/** How often an idle unit asks again. */
export const UPDATE_POLL_S = { idle: 60, active: 5 } as const;

/**
 * Refusals of the verification, each naming the attack (IfecError codes; the appliance maps
 * each to an HTTP status). Exported so the crew console and tests name them alike.
 */
export const UPDATE_REFUSAL_CODES = [
  'UPDATE_TARGET_TAMPERED',
  'UPDATE_ROLLBACK',
  'UPDATE_METADATA_EXPIRED',
  'UPDATE_MIX_AND_MATCH',
  'UPDATE_SIGNATURE_INVALID',
  'UPDATE_KEY_REVOKED',
  'UPDATE_METADATA_MISSING',
  'UPDATE_NO_TRUSTED_ROOT',
] as const;
export type UpdateRefusalCode = (typeof UPDATE_REFUSAL_CODES)[number];

/** Refusals of the rollout's crew and unit requests (RolloutError codes). */
export const ROLLOUT_REFUSAL_CODES = [
  'UPDATE_NOT_ON_GROUND',
  'UPDATE_ROLLOUT_ACTIVE',
  'UPDATE_UNKNOWN_RELEASE',
  'UPDATE_NOT_ASSIGNED',
  'UPDATE_STEP_OUT_OF_ORDER',
  'UPDATE_NO_ROLLOUT',
  'UPDATE_INVALID_ROLLOUT',
] as const;
export type RolloutRefusalCode = (typeof ROLLOUT_REFUSAL_CODES)[number];
