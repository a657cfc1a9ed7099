import { boardingGroup } from './boarding.ts';
import { cabinBench, loginBurstBench } from './cabin.ts';
import { flightGroup } from './flight.ts';
import { groundBench } from './ground.ts';
import type { BenchGroup } from './harness.ts';
import { mediaGroup } from './media.ts';
import { movingMapGroup } from './moving-map.ts';
import { originGroup } from './origin.ts';
import { recoGroup } from './reco.ts';
import { resumeGroup } from './resume.ts';
import { seatGroup } from './seat.ts';
import { shopGroup } from './shop.ts';
import { storeRestartGroup } from './store-restart.ts';
import { syncBench } from './sync.ts';

/** Every bench group, in the order `npm run bench` runs them. Add new groups here. */
export const groups: BenchGroup[] = [
  cabinBench,
  loginBurstBench,
  mediaGroup,
  boardingGroup,
  originGroup,
  seatGroup,
  movingMapGroup,
  syncBench,
  groundBench,
  resumeGroup,
  flightGroup,
  recoGroup,
  storeRestartGroup,
  shopGroup,
];
