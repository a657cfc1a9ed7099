/**
 * An update transport over a folder: a maintenance stick or a staging folder at the gate
 * holds `assignment.json` (an updateAssignment of protocol/src/updates.ts) and `<sha256>.raucb`
 * files, and the unit's reports are appended to `reports/<unit>.jsonl` (fdatasync'd, so a
 * stick pulled after "reported" holds them). A stick cannot decide a rollback; the unit does.
 * The rollout over the cabin network is ./cabin-transport.ts; both give the agent the same calls.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type UnitReport,
  type UnitReportAnswer,
  UPDATE_POLL_S,
  type UpdateAssignment,
  updateAssignment,
} from '@ifec/protocol';
import type { UpdateTarget, UpdateTransport } from './update-agent.ts';

/** What a stick answers to a step: the appliance's answers, without its records. */
const ANSWER: Record<UnitReport['step'], UnitReportAnswer> = {
  downloaded: { state: 'downloaded', next: 'none' },
  installed: { state: 'installed', next: 'reboot' },
  rebooted: { state: 'rebooted', next: 'none' },
  healthy: { state: 'healthy', next: 'mark-good' },
  failed: { state: 'failed', next: 'mark-bad' },
  'rolled-back': { state: 'rolled-back', next: 'none' },
};

export class FolderTransport implements UpdateTransport {
  readonly decidesRollback = false;

  constructor(
    private readonly folder: string,
    private readonly unitId: string,
  ) {}

  async assignment(): Promise<UpdateAssignment> {
    const file = path.join(this.folder, 'assignment.json');
    if (!fs.existsSync(file))
      return { seatId: this.unitId, action: 'none', reason: 'no-rollout', pollAfterS: UPDATE_POLL_S.idle };
    return updateAssignment.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  }

  async download(target: UpdateTarget, file: string): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(target.sha256)) throw new Error('target sha256 is not 64 hex digits');
    await pipeline(fs.createReadStream(path.join(this.folder, `${target.sha256}.raucb`)), fs.createWriteStream(file));
  }

  async report(report: UnitReport): Promise<UnitReportAnswer> {
    const dir = path.join(this.folder, 'reports');
    fs.mkdirSync(dir, { recursive: true });
    const fd = fs.openSync(path.join(dir, `${this.unitId}.jsonl`), 'a', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify({ ...report, unit: this.unitId, at: new Date().toISOString() })}\n`);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return ANSWER[report.step];
  }

  reports(): (UnitReport & { unit: string; at: string })[] {
    const file = path.join(this.folder, 'reports', `${this.unitId}.jsonl`);
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}
