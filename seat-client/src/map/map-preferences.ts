/** Where the map keeps the passenger's choices on the device (wiped with the rest for the next flight). */
export const MAP_UNITS_KEY = 'ifec.map.units';
export const MAP_VIEW_KEY = 'ifec.map.view';

export function forgetMapPreferences(storage: Pick<Storage, 'removeItem'>): void {
  storage.removeItem(MAP_UNITS_KEY);
  storage.removeItem(MAP_VIEW_KEY);
}
