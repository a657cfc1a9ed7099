/** The seat's offline replica: what the UI imports. */
export { openReplica, seatLogin, type Replica, type ReplicaOptions, type Device, type TitlesCollection, type SeatStateCollection } from './replica.ts';
export { ApplianceRequestError } from './appliance-api.ts';
export type { TitleDocument, SeatStateDocument } from './schemas.ts';
export { setFavourite, saveSettings, setParentalLock, readSettings } from './seat-state.ts';
