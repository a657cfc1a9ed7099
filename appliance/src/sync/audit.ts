/**
 * Audit records for the ground: who did what on board (crew logins, reset for next flight,
 * USB bundle imports and exports). Journalled before the action is reported done, kept in
 * the `audit` table beside the PA changes, and sent to the ground in the critical stream.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import type { DurableRecords } from '../store/durable-records.ts';
import type { JournalRecord } from '../store/journal.ts';

export const AUDIT = 'audit';

export interface AuditEntry {
  /** `crew:P100`, `maintenance-cli`, `appliance`. */
  actor: string;
  /** `crew.login`, `flight.reset`, `sync.bundle-export`, `sync.bundle-import`, `sync.signature-refused`. */
  action: string;
  detail: Record<string, unknown>;
}

export async function applyAudit(tx: Transaction, record: JournalRecord): Promise<void> {
  const e = record.data as AuditEntry;
  await tx.query(
    'INSERT INTO audit (id, seq, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
    [record.id, record.seq, record.at, e.actor, e.action, JSON.stringify(e.detail)],
  );
}

export class GroundAudit {
  constructor(private readonly records: Pick<DurableRecords, 'write'>) {}

  /** Resolves once the record is durable. `id` defaults to a fresh one (each action happens once). */
  async record(entry: AuditEntry, id: string = crypto.randomUUID()): Promise<void> {
    await this.records.write<AuditEntry>(AUDIT, id, entry);
  }
}
