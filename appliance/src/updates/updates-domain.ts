/**
 * The updates domain: software the ground published (TUF-verified with tuf-js, whichever
 * way it came) and its rollout to the seat units at the gate. The trusted root and the last
 * versions seen live in `<dataDir>/updates/trusted` (trusted-state.ts); the verified loads in
 * `<dataDir>/updates/targets/<sha256>`; the rollout is journalled (rollout.ts).
 */
import path from 'node:path';
import {
  type FlightPhase,
  type Publication,
  SOFTWARE_LAYOUT,
  type UpdateSource,
  type UpdatesOverview,
} from '@ifec/protocol';
import type { Logger } from 'pino';
import type { AccessDirectory } from '../access/directory.ts';
import type { ApplianceDomain } from '../domain.ts';
import type { SeatSessions } from '../seat-state/sessions.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';
import { updatesRouter } from './http.ts';
import { applyRolloutEvent, ROLLOUT_RECORD, Rollouts } from './rollout.ts';
import { type DownlinkSoftware, sourceOf } from './sources.ts';
import { TrustedState } from './trusted-state.ts';
import { UpdateRefused, verifySource } from './verify.ts';

export interface UpdatesDeps {
  config: { dataDir: string; updatesTrustedRoot?: string };
  store: Store;
  records: DurableRecords;
  directory: AccessDirectory;
  seatSessions: SeatSessions;
  phase(): FlightPhase;
  groundSpeedMps(): number | undefined;
  /** The newest software publication kept aboard (the sync domain's downlink store). */
  latestSoftware(): Promise<Publication | undefined>;
  /** Where the downlink store keeps a file by sha256. */
  downlinkFile(sha256: string): string | undefined;
  audit(entry: { actor: string; action: string; detail: Record<string, unknown> }): Promise<void>;
  log: Logger;
  now?: () => number;
}

/** How often the downlink store is looked at for a new software publication. */
const DOWNLINK_CHECK_MS = 30_000;
const DEADLINE_TICK_MS = 1000;

export async function createUpdates(deps: UpdatesDeps) {
  const dir = path.join(deps.config.dataDir, 'updates');
  const trusted = new TrustedState(path.join(dir, 'trusted'));
  trusted.provisionRoot(deps.config.updatesTrustedRoot);
  const targetsDir = path.join(dir, 'targets');
  const downlink: DownlinkSoftware = {
    async files() {
      const p = await deps.latestSoftware();
      if (!p) return undefined;
      const files = new Map<string, string>();
      for (const f of p.files) {
        const file = deps.downlinkFile(f.sha256);
        if (file) files.set(f.path, file);
      }
      return files;
    },
  };
  const rollouts = new Rollouts({
    store: deps.store,
    records: deps.records,
    audit: deps.audit,
    phase: deps.phase,
    groundSpeedMps: deps.groundSpeedMps,
    releases: () => trusted.state().releases,
    seatIds: () => deps.directory.seatIds,
    now: deps.now,
  });
  await rollouts.load();

  // One verification at a time: two would race on the trusted generation.
  let verifying: Promise<unknown> = Promise.resolve();
  const verify = (source: UpdateSource, actor: string) => {
    const run = verifying.then(async () => {
      const src = sourceOf(source, downlink);
      try {
        const result = await verifySource(trusted, src, { workRoot: path.join(dir, 'work'), targetsDir });
        await deps.audit({
          actor,
          action: 'updates.verified',
          detail: {
            source: src.describe,
            trusted: result.versions.after,
            releases: result.releases.map((r) => r.target),
          },
        });
        deps.log.info({ source: src.describe, versions: result.versions.after }, 'software verified');
        return { trusted: result.versions.after, releases: result.releases };
      } catch (error) {
        if (error instanceof UpdateRefused) {
          deps.log.warn({ source: src.describe, code: error.code, err: error.message }, 'software refused');
          await deps.audit({
            actor,
            action: 'updates.refused',
            detail: { source: src.describe, code: error.code, message: error.message },
          });
        }
        throw error;
      }
    });
    verifying = run.catch(() => {});
    return run;
  };
  const overview = async (): Promise<UpdatesOverview> => ({
    trusted: trusted.versions() ?? null,
    releases: trusted.state().releases,
    ...rollouts.overview(),
  });
  const router = updatesRouter({
    directory: deps.directory,
    seatSessions: deps.seatSessions,
    rollouts,
    targetsDir,
    overview,
    verify,
  });

  let lastDownlinkSeq = 0;
  const checkDownlink = async () => {
    const p = await deps.latestSoftware();
    if (!p || p.seq === lastDownlinkSeq || p.name !== SOFTWARE_LAYOUT.publicationName) return;
    lastDownlinkSeq = p.seq;
    await verify({ from: 'downlink' }, 'appliance').catch(() => {}); // refused: audited and logged above
  };
  let timers: NodeJS.Timeout[] = [];
  return {
    trusted,
    rollouts,
    router,
    verify,
    overview,
    start() {
      timers = [
        setInterval(
          () => void rollouts.tick().catch((e: unknown) => deps.log.error({ err: e }, 'rollout deadline check failed')),
          DEADLINE_TICK_MS,
        ),
        setInterval(
          () => void checkDownlink().catch((e: unknown) => deps.log.error({ err: e }, 'software check failed')),
          DOWNLINK_CHECK_MS,
        ),
      ];
      for (const t of timers) t.unref();
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await verifying;
    },
  };
}

export type RunningUpdates = Awaited<ReturnType<typeof createUpdates>>;

export const updatesDomain: ApplianceDomain<UpdatesDeps, RunningUpdates> = {
  name: 'updates',
  records: { [ROLLOUT_RECORD]: applyRolloutEvent },
  async open(deps) {
    const updates = await createUpdates(deps);
    return { api: updates, router: updates.router, start: async () => updates.start(), stop: () => updates.stop() };
  },
};
