/** The seat's offline replica: what the UI imports. */
export { openReplica, type Replica, type ReplicaOptions, type Device, type TitlesCollection, type SeatStateCollection } from './replica.ts';
export { seatLogin } from './appliance-api.ts';
export type { TitleDocument, SeatStateDocument } from './schemas.ts';
export { setFavourite, saveSettings, setParentalLock, readSettings } from './seat-state.ts';
