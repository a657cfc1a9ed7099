/**
 * An update transport over a folder: a maintenance stick or a staging folder at the gate
 * holds `<sha256>.raucb` files, and the unit's reports are appended to `reports/<unit>.jsonl`
 * (fdatasync'd, so a stick pulled after "reported" holds them). The rollout over the cabin
 * network is the appliance's own transport; both give the agent the same two calls.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { UnitUpdateReport, UpdateOffer, UpdateTransport } from './update-agent.ts';

export class FolderTransport implements UpdateTransport {
  constructor(
    private readonly folder: string,
    private readonly unitId: string,
  ) {}

  async fetchBundle(offer: UpdateOffer, file: string): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(offer.sha256)) throw new Error('offer sha256 is not 64 hex digits');
    await pipeline(fs.createReadStream(path.join(this.folder, `${offer.sha256}.raucb`)), fs.createWriteStream(file));
  }

  async report(report: UnitUpdateReport): Promise<void> {
    const dir = path.join(this.folder, 'reports');
    fs.mkdirSync(dir, { recursive: true });
    const fd = fs.openSync(path.join(dir, `${this.unitId}.jsonl`), 'a', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify({ ...report, unit: this.unitId, at: new Date().toISOString() })}\n`);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  reports(): (UnitUpdateReport & { unit: string; at: string })[] {
    const file = path.join(this.folder, 'reports', `${this.unitId}.jsonl`);
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}
