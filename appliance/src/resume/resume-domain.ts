/** The resume domain: the playback-state documents (one Yjs doc per passenger session), synced over the bus. */
import type { Logger } from 'pino';
import type { ApplianceDomain, BusLink } from '../domain.ts';
import { topicsOf } from '../domain.ts';
import type { Store } from '../store/store.ts';
import { ResumeHub } from './resume-hub.ts';
import { ResumeStore } from './resume-store.ts';

export interface ResumeDeps {
  store: Store;
  /** The live passenger session of a seat (sessions domain). */
  sessionOf: (seatId: string) => string | undefined;
  bus: BusLink;
  log: Logger;
}

export const resumeDomain: ApplianceDomain<ResumeDeps, ResumeHub> = {
  name: 'resume',
  async open({ store, sessionOf, bus, log }) {
    const hub = new ResumeHub({ store: new ResumeStore(store), sessionOf, publish: bus.publish, log });
    return { api: hub, topics: topicsOf((router) => hub.register(router)) };
  },
};
