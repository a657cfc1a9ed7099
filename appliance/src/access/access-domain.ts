/**
 * The access domain: the aircraft provisioned on first start (seats, crew, their credentials),
 * the directory every login and every bus connection is checked against, seat tokens, and the
 * crew login and phone registration routes.
 */

import { IfecError } from '@ifec/protocol';
import type { Logger } from 'pino';
import {
  AIRCRAFT_PROVISIONED,
  applyProvisioned,
  currentAircraft,
  type IssuedCredentials,
} from '../aircraft/provisioning.ts';
import { ensureAircraft } from '../demo/first-run.ts';
import type { ApplianceDomain } from '../domain.ts';
import { SeatSessions } from '../seat-state/sessions.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import { type FileOps, nodeFileOps } from '../store/files.ts';
import type { Store } from '../store/store.ts';
import { AccessDirectory } from './directory.ts';
import { accessRouter } from './http.ts';
import { loginFastPath } from './login-fast-path.ts';
import { reportLoginFailures } from './login-guard.ts';
import { PinHasher } from './pin-hasher.ts';
import { TokenSigner } from './tokens.ts';

export interface AccessDeps {
  config: { aircraft: string; tailNumber?: string; dataDir: string; firstRunCredentialsTtlH: number };
  store: Store;
  records: DurableRecords;
  /** The durable file layer for secrets (a power-cut test injects faults here). */
  files?: FileOps;
  /** Each crew login, for the audit the ground keeps (sync domain). */
  onCrewLogin?: (crew: { crewId: string; role: string }) => Promise<void>;
  log: Logger;
}

export interface Access {
  directory: AccessDirectory;
  /** Seat logins (HTTP) and the seat-token check the seat routes use. */
  seatSessions: SeatSessions;
  tailNumber: string;
  /** Credentials issued by this start (first run only). */
  issued?: IssuedCredentials;
}

export const accessDomain: ApplianceDomain<AccessDeps, Access> = {
  name: 'access',
  records: { [AIRCRAFT_PROVISIONED]: applyProvisioned },
  async open({ config, store, records, files = nodeFileOps, onCrewLogin, log }) {
    const issued = await ensureAircraft(config, store, records, log, files);
    const aircraft = await currentAircraft(store);
    if (!aircraft) throw new IfecError('AIRCRAFT_NOT_PROVISIONED', `no aircraft is provisioned in ${config.dataDir}`);
    // Hostile cabin: PIN hashing off libuv's pool, bounded; failed logins logged in aggregate.
    const pinHasher = new PinHasher({ threads: 1, maxQueue: 16 });
    const directory = new AccessDirectory(TokenSigner.fromDataDir(config.dataDir, files), pinHasher);
    await directory.load(store);
    const reports = reportLoginFailures(directory.loginGuard, log.child({ domain: 'access' }));
    const seatSessions = new SeatSessions(directory, TokenSigner.fromDataDir(config.dataDir, files));
    return {
      api: { directory, seatSessions, tailNumber: aircraft.tailNumber, issued },
      router: accessRouter(directory, onCrewLogin),
      // Refusals a burst is made of, answered before express and before the body is read.
      fastPath: loginFastPath(directory.loginGuard, pinHasher),
      async stop() {
        clearInterval(reports);
        await pinHasher.close();
      },
    };
  },
};
