/** The cabin domain: PA announcements, the seat map (health, faults), crew seat control; its bus topics and crew routes. */
import { Router } from 'express';
import type { AccessDirectory } from '../access/directory.ts';
import { seatClasses } from '../aircraft/provisioning.ts';
import type { ApplianceDomain, BusLink } from '../domain.ts';
import { topicsOf } from '../domain.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';
import { toGround } from '../sync/outbox.ts';
import { registerCabinTopics } from './bus.ts';
import { crewConsoleRouter } from './console-http.ts';
import { cabinRouter } from './http.ts';
import { applyPaRecord, CABIN_PA, PaService } from './pa.ts';
import { applySeatControls, SEAT_CONTROLS_SET, SeatControl, seatControlRouter } from './seat-control.ts';
import { applySeatFault, SEAT_FAULT, SeatMap } from './seat-map.ts';

export interface CabinDeps {
  config: { seatOfflineAfterS: number };
  store: Store;
  records: DurableRecords;
  directory: AccessDirectory;
  bus: BusLink;
}

export interface Cabin {
  pa: PaService;
  seatMap: SeatMap;
  seatControl: SeatControl;
  /** A seat's cabin class, from the provisioned layout. */
  seatClassOf: (seatId: string) => string | undefined;
}

export const cabinDomain: ApplianceDomain<CabinDeps, Cabin> = {
  name: 'cabin',
  records: {
    [CABIN_PA]: toGround(applyPaRecord),
    [SEAT_FAULT]: toGround(applySeatFault),
    [SEAT_CONTROLS_SET]: applySeatControls,
  },
  async open({ config, store, records, directory, bus }) {
    const pa = new PaService(records, bus.publish);
    const classes = await seatClasses(store);
    const seatMap = new SeatMap(classes, records, config.seatOfflineAfterS * 1000);
    await seatMap.loadFaults(store);
    const seatControl = new SeatControl(new Set(directory.seatIds), store, bus.publish, records);
    return {
      api: { pa, seatMap, seatControl, seatClassOf: (seatId) => classes.get(seatId) },
      topics: topicsOf((router) => registerCabinTopics(router, pa, seatMap)),
      router: Router().use(
        cabinRouter(directory, pa, seatMap),
        seatControlRouter(directory, seatControl),
        crewConsoleRouter(directory, store),
      ),
      async restore() {
        await pa.restore(store);
        await seatControl.restore();
      },
    };
  },
};
