/**
 * The kiosk preload (sandboxed, contextIsolation on): exposes exactly two things to the page
 * — the seat identity from the unit's provisioning file, and the watchdog's heartbeat plus
 * the faults it recovered from (the page reports them on the cabin bus).
 */
// A sandboxed preload is CommonJS and may require only 'electron'.
const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');

const identity = ipcRenderer.sendSync('kiosk:identity') as {
  seatId: string;
  secret: string;
  applianceUrl: string;
} | null;
if (identity) contextBridge.exposeInMainWorld('ifecSeat', Object.freeze({ ...identity }));
contextBridge.exposeInMainWorld(
  'ifecKiosk',
  Object.freeze({
    heartbeat: () => ipcRenderer.send('kiosk:heartbeat'),
    takeFaults: () => ipcRenderer.invoke('kiosk:take-faults'),
  }),
);
