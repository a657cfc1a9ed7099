/**
 * What the maintenance journeys share: an appliance in this process on a fresh data dir (no
 * demo content, loopback ports) with its first-run credentials, and a software stick from the
 * ground's repository holding one seat OS load.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../appliance/src/config.ts';
import { type RunningAppliance, startAppliance } from '../../appliance/src/main.ts';
import { addLoad } from '../../ground-sync/src/software/publish.ts';
import { SoftwareRepository } from '../../ground-sync/src/software/repository.ts';
import type { Credentials } from './cabin-harness.ts';

export interface Aircraft {
  appliance: RunningAppliance;
  baseUrl: string;
  dataDir: string;
  credentials: Credentials;
}

/** An appliance at `<work>/aircraft`; `env` adds to (or overrides) the loopback defaults. */
export async function startAircraft(work: string, env: Record<string, string> = {}): Promise<Aircraft> {
  const dataDir = path.join(work, 'aircraft');
  const appliance = await startAppliance(
    loadConfig({
      IFEC_DATA_DIR: dataDir,
      IFEC_HTTP_PORT: '0',
      IFEC_MQTT_PORT: '0',
      IFEC_RTMP_PORT: '0',
      IFEC_HOST: '127.0.0.1',
      IFEC_LOG_LEVEL: 'silent',
      ...env,
    }),
    pino({ level: process.env.E2E_LOG ?? 'silent' }),
  );
  const credentials = JSON.parse(
    fs.readFileSync(path.join(dataDir, 'first-run-credentials.json'), 'utf8'),
  ) as Credentials;
  return { appliance, baseUrl: `http://127.0.0.1:${appliance.httpPort}`, dataDir, credentials };
}

/** The ground's signed software repository at `<work>/repo` with seat OS 4.2.0 in it; returns its folder. */
export function seatOsStick(work: string): string {
  const repoDir = path.join(work, 'repo');
  const repo = SoftwareRepository.create(repoDir);
  fs.writeFileSync(path.join(work, 'seat-os.raucb'), 'seat os 4.2.0');
  addLoad(repo, {
    file: path.join(work, 'seat-os.raucb'),
    partNumber: 'IFE-SEAT-0042',
    version: '4.2.0',
    kind: 'os-image',
  });
  return repoDir;
}
