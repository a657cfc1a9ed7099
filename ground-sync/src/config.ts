/** Ground configuration from the environment, validated once; a bad value names its variable. */
import path from 'node:path';
import { z } from 'zod';
import { IfecError } from '@ifec/protocol';

export const groundConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8090),
  host: z.string().min(1).default('0.0.0.0'),
  /** PGlite lives here when no DATABASE_URL is set; the signing key too unless given. */
  dataDir: z.string().min(1).default('.data/ground'),
  databaseUrl: z.string().url().optional(),
  /** PEM Ed25519 private key that signs publications and downlink bundles; created in dataDir if absent. */
  signingKeyFile: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).strict();
export type GroundConfig = z.infer<typeof groundConfigSchema> & { signingKeyFile: string };

const ENV: Record<string, keyof z.infer<typeof groundConfigSchema>> = {
  GROUND_PORT: 'port',
  GROUND_HOST: 'host',
  GROUND_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  GROUND_SIGNING_KEY_FILE: 'signingKeyFile',
  GROUND_LOG_LEVEL: 'logLevel',
};

export class GroundConfigError extends IfecError<'CONFIG_INVALID'> {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

export function loadGroundConfig(env: Record<string, string | undefined>): GroundConfig {
  const raw: Record<string, string> = {};
  for (const [name, key] of Object.entries(ENV)) if (env[name] !== undefined && env[name] !== '') raw[key] = env[name]!;
  const parsed = groundConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = Object.entries(ENV).find(([, k]) => k === issue.path[0])?.[0] ?? String(issue.path[0]);
    throw new GroundConfigError(`invalid config: ${name}: ${issue.message}`);
  }
  const dataDir = path.resolve(parsed.data.dataDir);
  return { ...parsed.data, dataDir, signingKeyFile: path.resolve(parsed.data.signingKeyFile ?? path.join(dataDir, 'ground-signing-key.pem')) };
}
