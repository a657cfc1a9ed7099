/**
 * First start on an empty data dir: provision the configured aircraft and its crew, write
 * the issued credentials to the data dir (mode 0600) and, for the demo, print them once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Sql } from '../store/store.ts';
import { loadLayout } from '../aircraft/layout.ts';
import { currentAircraft, provisionAircraft, type IssuedCredentials } from '../aircraft/provisioning.ts';

export const CREDENTIALS_FILE = 'first-run-credentials.json';

const DEFAULT_CREW = [
  { crewId: 'P100', name: 'Anna Lindqvist', role: 'purser' as const },
  { crewId: 'C200', name: 'Omar Haddad', role: 'cabin_crew' as const },
  { crewId: 'M300', name: 'Kenji Sato', role: 'maintenance' as const },
];

export async function ensureAircraft(
  options: { aircraft: string; tailNumber?: string; dataDir: string },
  db: Sql,
  records: DurableRecords,
  log: Logger,
): Promise<IssuedCredentials | undefined> {
  if (await currentAircraft(db)) return undefined;
  const layout = loadLayout(options.aircraft);
  if (options.tailNumber) layout.tailNumber = options.tailNumber;
  const issued = await provisionAircraft(records, layout, DEFAULT_CREW);
  const file = path.join(options.dataDir, CREDENTIALS_FILE);
  fs.writeFileSync(file, JSON.stringify(issued, null, 2), { mode: 0o600 });
  log.info({ tailNumber: layout.tailNumber, seats: Object.keys(issued.seats).length, file }, 'aircraft provisioned');
  return issued;
}

export function banner(opts: { httpPort: number; mqttPort: number; dataDir: string; tailNumber: string; seats: number; issued?: IssuedCredentials }): string {
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
    const [seatId, secret] = Object.entries(opts.issued.seats)[0]!;
    lines.push(
      '',
      '  First run: credentials issued (shown once; all of them are in',
      `  ${path.join(opts.dataDir, CREDENTIALS_FILE)})`,
      ...opts.issued.crew.map((c) => `    crew ${c.crewId} (${c.role.padEnd(11)}) PIN ${c.pin}`),
      `    seat ${seatId}: username seat:${seatId} password ${secret}`,
      '',
      '  Try it:',
      `    curl -s -XPOST ${http}/api/crew/login -H 'content-type: application/json' -d '{"crewId":"${opts.issued.crew[0]!.crewId}","pin":"${opts.issued.crew[0]!.pin}"}'`,
      `    mosquitto_sub -p ${opts.mqttPort} -u seat:${seatId} -P ${secret} -t cabin/pa -v`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
