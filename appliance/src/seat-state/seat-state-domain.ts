/** The seat-state domain: each seat's replicated settings and favourites (pull, push, live stream), and seat login. */
import type { Logger } from 'pino';
import { LiveStream } from '../catalog/live-stream.ts';
import type { ReplicationClock } from '../catalog/sequence.ts';
import type { ApplianceDomain } from '../domain.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';
import { seatStateRouter } from './http.ts';
import {
  applySeatStateForgotten,
  applySeatStateStored,
  SEAT_STATE_FORGOTTEN,
  SEAT_STATE_STORED,
  SeatStates,
} from './seat-states.ts';
import type { SeatSessions } from './sessions.ts';

export interface SeatStateDeps {
  store: Store;
  /** Acknowledged pushes are journalled first: a rebuilt store gets them back. */
  records: DurableRecords;
  /** Shared with the catalogue: one forward-only sequence for every replicated document. */
  clock: ReplicationClock;
  seatSessions: SeatSessions;
  /** The live passenger session of a seat (sessions domain): a push from an ended one is refused. */
  sessionOf: (seatId: string) => string | undefined;
  log: Logger;
}

export const seatStateDomain: ApplianceDomain<SeatStateDeps, SeatStates> = {
  name: 'seat-state',
  records: { [SEAT_STATE_STORED]: applySeatStateStored, [SEAT_STATE_FORGOTTEN]: applySeatStateForgotten },
  async open({ store, records, clock, seatSessions, sessionOf, log }) {
    const stream = new LiveStream({ name: 'seat-state' });
    const seatStates = new SeatStates({ store, records, clock, stream, log });
    await seatStates.load();
    return {
      api: seatStates,
      router: seatStateRouter(seatSessions, seatStates, stream, sessionOf),
      // Open replication streams would hold the HTTP server's close up: end them, seats reconnect and resync.
      stop: async () => stream.close(),
    };
  },
};
