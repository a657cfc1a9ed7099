/**
 * What the ground knows about software on one aircraft, from the audit records the aircraft
 * sent up (every rollout step is audited aboard): the version each seat last reported, each
 * seat's last state in the latest rollout, and that rollout's progress. Read-only.
 */
import type { Queryable } from '../store/database.ts';

export interface AircraftSoftwareStatus {
  aircraftId: string;
  /** Seat -> the version it last said it runs. */
  versions: Record<string, string>;
  rollout: {
    rolloutId: string;
    target: string | null;
    version: string | null;
    state: 'running' | 'stopped' | 'done';
    stoppedBecause: string | null;
    /** Seat -> its last step. */
    units: Record<string, string>;
    counts: Record<string, number>;
  } | null;
  /** The latest verification aboard (accepted or refused, with the code). */
  lastVerification: { action: string; at: string; code: string | null } | null;
}

interface AuditRow {
  at: Date | string;
  data: { actor: string; action: string; detail: Record<string, unknown> };
}

export async function aircraftSoftwareStatus(
  db: Queryable,
  tenantId: string,
  aircraftId: string,
): Promise<AircraftSoftwareStatus> {
  const { rows } = await db.query<AuditRow>(
    `SELECT r.at, r.data FROM uplink_records r JOIN aircraft a ON a.aircraft_id = r.aircraft_id
      WHERE r.aircraft_id = $1 AND a.tenant_id = $2 AND r.kind = 'audit' AND r.data->>'action' LIKE 'updates.%'
      ORDER BY r.seq`,
    [aircraftId, tenantId],
  );
  const status: AircraftSoftwareStatus = { aircraftId, versions: {}, rollout: null, lastVerification: null };
  for (const { at, data } of rows) {
    const d = data.detail ?? {};
    const action = data.action;
    if (action === 'updates.verified' || action === 'updates.refused') {
      status.lastVerification = {
        action,
        at: new Date(at).toISOString(),
        code: typeof d.code === 'string' ? d.code : null,
      };
      continue;
    }
    if (action === 'updates.rollout-started') {
      status.rollout = {
        rolloutId: String(d.rolloutId),
        target: typeof d.target === 'string' ? d.target : null,
        version: typeof d.version === 'string' ? d.version : null,
        state: 'running',
        stoppedBecause: null,
        units: {},
        counts: {},
      };
      continue;
    }
    const r = status.rollout;
    if (!r || d.rolloutId !== r.rolloutId) continue;
    if (action === 'updates.rollout-stopped') {
      r.state = 'stopped';
      r.stoppedBecause = typeof d.reason === 'string' ? d.reason : null;
    } else if (action === 'updates.rollout-done') r.state = 'done';
    else if (action.startsWith('updates.unit-') && typeof d.seatId === 'string') {
      r.units[d.seatId] = action.slice('updates.unit-'.length);
      if (typeof d.version === 'string') status.versions[d.seatId] = d.version;
    }
  }
  if (status.rollout) {
    for (const step of Object.values(status.rollout.units))
      status.rollout.counts[step] = (status.rollout.counts[step] ?? 0) + 1;
  }
  return status;
}
