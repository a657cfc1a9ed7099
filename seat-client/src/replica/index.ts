/** The seat's offline replica: what the UI imports. */

export { seatLogin } from './appliance-api.ts';
export {
  type Device,
  openReplica,
  type Replica,
  type ReplicaOptions,
  type SeatStateCollection,
  type TitlesCollection,
} from './replica.ts';
export type { SeatStateDocument, TitleDocument } from './schemas.ts';
export { readSettings, saveSettings, setFavourite, setParentalLock } from './seat-state.ts';
