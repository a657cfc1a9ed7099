/**
 * The sessions domain, as two modules because the reset needs what the resume and seat-state
 * domains build on top of the sessions:
 *   sessions      passenger sessions (one live per seat), phone pairings, the phone's remote
 *                 commands and the seat's "what plays" on the bus, the pairing routes;
 *   flight-reset  reset for next flight (crew route, or flight phase landed -> gate), and the
 *                 retained announcement of every seat's live session at start.
 */
import type { Logger } from 'pino';
import type { AccessDirectory } from '../access/directory.ts';
import type { ApplianceDomain, BusLink } from '../domain.ts';
import { topicsOf } from '../domain.ts';
import type { ResumeHub } from '../resume/resume-hub.ts';
import type { SeatStates } from '../seat-state/seat-states.ts';
import type { SeatSessions } from '../seat-state/sessions.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';
import { phoneDisconnector, registerSessionTopics, watchFlightPhase } from './bus.ts';
import { flightResetRouter, sessionsRouter } from './http.ts';
import { Pairings } from './pairing.ts';
import { PassengerSessions } from './passenger-sessions.ts';
import { sessionRecords } from './records.ts';
import { FlightReset } from './reset.ts';

export interface SessionsDeps {
  config: { pairingCodeTtlS: number };
  store: Store;
  /** Sessions and pairings are journalled (sessions/records.ts). */
  records: DurableRecords;
  directory: AccessDirectory;
  seatSessions: SeatSessions;
  bus: BusLink;
}

export interface Sessions {
  sessions: PassengerSessions;
  pairings: Pairings;
  /** Closes the bus connections of phones whose pairing ended. */
  disconnectPhones: (deviceIds: string[]) => void;
}

export const sessionsDomain: ApplianceDomain<SessionsDeps, Sessions> = {
  name: 'sessions',
  records: sessionRecords,
  async open({ config, store, records, directory, seatSessions, bus }) {
    const sessions = new PassengerSessions(records);
    await sessions.load(store, directory.seatIds);
    const pairings = new Pairings(records, sessions, { codeTtlMs: config.pairingCodeTtlS * 1000 });
    await pairings.load(store);
    const disconnectPhones = (deviceIds: string[]) => phoneDisconnector(bus.bus)(deviceIds);
    return {
      api: { sessions, pairings, disconnectPhones },
      topics: topicsOf(registerSessionTopics),
      router: sessionsRouter({ directory, seatSessions, sessions, pairings, disconnectPhones }),
    };
  },
};

export interface FlightResetDeps {
  store: Store;
  directory: AccessDirectory;
  sessions: Sessions;
  hub: ResumeHub;
  seatStates: SeatStates;
  bus: BusLink;
  log: Logger;
}

export const flightResetDomain: ApplianceDomain<FlightResetDeps, FlightReset> = {
  name: 'flight-reset',
  async open({ store, directory, sessions, hub, seatStates, bus, log }) {
    const reset = new FlightReset({
      store,
      sessions: sessions.sessions,
      pairings: sessions.pairings,
      hub,
      seatStates,
      publish: bus.publish,
      disconnectPhones: sessions.disconnectPhones,
      log,
    });
    return {
      api: reset,
      router: flightResetRouter(directory, reset),
      async restore() {
        watchFlightPhase(bus.bus, (payload) => reset.onFlightPhase(payload));
        await reset.announceAll();
      },
    };
  },
};
