import type { BenchGroup } from './harness.ts';
import { cabinBench, loginBurstBench } from './cabin.ts';
import { seatGroup } from './seat.ts';
import { mediaGroup } from './media.ts';
import { boardingGroup } from './boarding.ts';
import { originGroup } from './origin.ts';
import { syncBench } from './sync.ts';
import { resumeGroup } from './resume.ts';
import { flightGroup } from './flight.ts';
import { groundBench } from './ground.ts';
import { recoGroup } from './reco.ts';

/** Every bench group, in the order `npm run bench` runs them. Add new groups here. */
export const groups: BenchGroup[] = [
  cabinBench,
  loginBurstBench,
  mediaGroup,
  boardingGroup,
  originGroup,
  seatGroup,
  syncBench,
  groundBench,
  resumeGroup,
  flightGroup,
  recoGroup,
];
