/**
 * Small helpers over the seat-state collection so the UI does not need to know document ids.
 * Every change is a local write first (instant, works offline) and is pushed by the replica.
 */
import type { PassengerParentalLock, SeatSettings } from '@ifec/protocol';
import type { Replica } from './replica.ts';

const SETTINGS_ID = 'settings';
const PARENTAL_LOCK_ID = 'parental-lock';

export async function setFavourite(
  replica: Pick<Replica, 'seatState'>,
  titleId: string,
  on: boolean,
  now = new Date(),
): Promise<void> {
  const id = `favourite:${titleId}`;
  if (on) {
    await replica.seatState.upsert({ id, kind: 'favourite', value: { titleId, addedAt: now.toISOString() } });
    return;
  }
  await replica.seatState
    .findOne(id)
    .exec()
    .then((doc) => doc?.remove());
}

export async function readSettings(replica: Pick<Replica, 'seatState'>): Promise<SeatSettings> {
  const doc = await replica.seatState.findOne(SETTINGS_ID).exec();
  return (doc?.toJSON().value ?? {}) as SeatSettings;
}

/** Changes only the given settings; `undefined` removes one (back to the default). */
export async function saveSettings(
  replica: Pick<Replica, 'seatState'>,
  patch: Partial<SeatSettings>,
): Promise<SeatSettings> {
  const value: Record<string, unknown> = { ...(await readSettings(replica)) };
  for (const [key, v] of Object.entries(patch)) {
    if (v === undefined) delete value[key];
    else value[key] = v;
  }
  await replica.seatState.upsert({ id: SETTINGS_ID, kind: 'settings', value: value as SeatSettings });
  return value as SeatSettings;
}

/** null removes the passenger's lock. */
export async function setParentalLock(
  replica: Pick<Replica, 'seatState'>,
  lock: PassengerParentalLock | null,
): Promise<void> {
  if (lock) {
    await replica.seatState.upsert({ id: PARENTAL_LOCK_ID, kind: 'parental-lock', value: lock });
    return;
  }
  await replica.seatState
    .findOne(PARENTAL_LOCK_ID)
    .exec()
    .then((doc) => doc?.remove());
}
