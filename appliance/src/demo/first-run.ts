/**
 * First start on an empty data dir: provision the configured aircraft and its crew and hand
 * the issued credentials out once, in a file of the data dir (0600, written atomically before
 * the provisioning is journalled, so a power cut never leaves an aircraft whose PINs nobody
 * has). The file is the only clear copy and is deleted `ttlH` hours after provisioning; the
 * start banner names it but never prints a PIN or a secret (stdout ends up in the log).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadLayout } from '../aircraft/layout.ts';
import { currentAircraft, type IssuedCredentials, provisionAircraft } from '../aircraft/provisioning.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import { type FileOps, nodeFileOps } from '../store/files.ts';
import type { Sql } from '../store/store.ts';

export const CREDENTIALS_FILE = 'first-run-credentials.json';

const DEFAULT_CREW = [
  { crewId: 'P100', name: 'Anna Lindqvist', role: 'purser' as const },
  { crewId: 'C200', name: 'Omar Haddad', role: 'cabin_crew' as const },
  { crewId: 'M300', name: 'Kenji Sato', role: 'maintenance' as const },
];

export async function ensureAircraft(
  options: { aircraft: string; tailNumber?: string; dataDir: string; firstRunCredentialsTtlH: number },
  db: Sql,
  records: DurableRecords,
  log: Logger,
  files: FileOps = nodeFileOps,
): Promise<IssuedCredentials | undefined> {
  const file = path.join(options.dataDir, CREDENTIALS_FILE);
  if (await currentAircraft(db)) {
    expireCredentials(file, options.firstRunCredentialsTtlH * 3600_000, files, log);
    return undefined;
  }
  const layout = loadLayout(options.aircraft);
  if (options.tailNumber) layout.tailNumber = options.tailNumber;
  const issued = await provisionAircraft(records, layout, DEFAULT_CREW, (credentials) =>
    files.writeAtomic(file, JSON.stringify(credentials, null, 2), 0o600),
  );
  log.info({ tailNumber: layout.tailNumber, seats: Object.keys(issued.seats).length, file }, 'aircraft provisioned');
  expireCredentials(file, options.firstRunCredentialsTtlH * 3600_000, files, log);
  return issued;
}

/** Deletes the clear credentials once they are older than `ttlMs` (now, or later on an unref'd timer). */
function expireCredentials(file: string, ttlMs: number, files: FileOps, log: Logger): void {
  let age: number;
  try {
    age = Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return; // already collected and deleted
  }
  const remove = () => {
    try {
      files.remove(file);
      log.info({ file }, 'first-run credentials deleted (they were shown once)');
    } catch (error) {
      log.error({ err: error, file }, 'could not delete the first-run credentials');
    }
  };
  if (age >= ttlMs) remove();
  else setTimeout(remove, ttlMs - age).unref();
}

export function banner(opts: {
  httpPort: number;
  mqttPort: number;
  dataDir: string;
  tailNumber: string;
  seats: number;
  issued?: IssuedCredentials;
  credentialsTtlH?: number;
}): string {
  const http = `http://localhost:${opts.httpPort}`;
  const lines = [
    '',
    `  IFEC appliance for ${opts.tailNumber} (${opts.seats} seats) is up`,
    `    HTTP API        ${http}/api   health ${http}/healthz   ready ${http}/readyz   metrics ${http}/metrics`,
    `    MQTT over TCP   mqtt://localhost:${opts.mqttPort}`,
    `    MQTT over WS    ws://localhost:${opts.httpPort}/mqtt`,
    `    data dir        ${opts.dataDir}`,
  ];
  if (opts.issued) {
    lines.push(
      '',
      `  First run: ${opts.issued.crew.length} crew PINs and ${Object.keys(opts.issued.seats).length} seat secrets were issued. They are in`,
      `  ${path.join(opts.dataDir, CREDENTIALS_FILE)} (readable by this user only),`,
      `  the only clear copy, deleted ${opts.credentialsTtlH ?? 24} h from now: collect them before then.`,
      '',
      '  Try it:',
      `    curl -s -XPOST ${http}/api/crew/login -H 'content-type: application/json' -d '{"crewId":"${opts.issued.crew[0]!.crewId}","pin":"<PIN from the file>"}'`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
