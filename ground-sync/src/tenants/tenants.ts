/**
 * Tenants (airlines) and their admin API keys. A key is 32 random bytes, so a plain sha256
 * at rest is enough (no slow hash needed: nothing to brute-force), and lookup is one index hit.
 */
import crypto from 'node:crypto';
import { IfecError } from '@ifec/protocol';
import type { Queryable } from '../store/database.ts';

export interface Tenant {
  tenantId: string;
  name: string;
}

export class TenantError extends IfecError<'TENANT_EXISTS' | 'TENANT_UNKNOWN' | 'TENANT_ID_INVALID'> {}

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

export async function createTenant(
  db: Queryable,
  tenantId: string,
  name: string,
): Promise<{ tenant: Tenant; apiKey: string }> {
  if (!/^[a-z0-9][a-z0-9-]{1,31}$/.test(tenantId))
    throw new TenantError(
      'TENANT_ID_INVALID',
      'a tenant id: lower-case letters, digits and dashes, such as air-example',
    );
  const inserted = await db.query('INSERT INTO tenants (tenant_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    tenantId,
    name,
  ]);
  if (inserted.affected === 0) throw new TenantError('TENANT_EXISTS', `tenant ${tenantId} exists already`);
  const apiKey = await issueApiKey(db, tenantId, 'initial');
  return { tenant: { tenantId, name }, apiKey };
}

/** Issues a new key; the clear key is returned once and never stored. */
export async function issueApiKey(db: Queryable, tenantId: string, label: string): Promise<string> {
  const { rows } = await db.query('SELECT 1 FROM tenants WHERE tenant_id = $1', [tenantId]);
  if (rows.length === 0) throw new TenantError('TENANT_UNKNOWN', `no tenant ${tenantId}`);
  const apiKey = `ifk_${crypto.randomBytes(32).toString('base64url')}`;
  await db.query('INSERT INTO api_keys (key_hash, tenant_id, label) VALUES ($1, $2, $3)', [
    hashApiKey(apiKey),
    tenantId,
    label,
  ]);
  return apiKey;
}

export async function tenantForApiKey(db: Queryable, apiKey: string): Promise<Tenant | undefined> {
  const { rows } = await db.query<{ tenant_id: string; name: string }>(
    'SELECT t.tenant_id, t.name FROM api_keys k JOIN tenants t USING (tenant_id) WHERE k.key_hash = $1',
    [hashApiKey(apiKey)],
  );
  return rows[0] ? { tenantId: rows[0].tenant_id, name: rows[0].name } : undefined;
}
