/**
 * The seat unit's Electron main process: one full-screen kiosk window on the appliance's
 * seat app, nothing else. Policy lives in ./policy (tested under Node); this file only wires
 * it to Electron: the window and its security, navigation and permission guards, the
 * renderer watchdog, and the seat identity the preload hands the page.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, type WebContents } from 'electron';
import { mayGrantPermission, mayNavigate, mayRequest, type NavigationPolicy } from './policy/navigation.ts';
import {
  DEFAULT_PROVISIONING_PATH,
  identityForRenderer,
  ProvisioningError,
  parseProvisioning,
  type SeatProvisioning,
} from './policy/provisioning.ts';
import { DEFAULT_WATCHDOG, RendererWatchdog, type SeatFaultReport, type WatchdogAction } from './policy/watchdog.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The app shell packaged with the kiosk: used when the appliance cannot be reached at boot. */
const PACKAGED_DIST = path.resolve(here, '../dist');

function readProvisioning(): SeatProvisioning {
  const file = process.env.IFEC_SEAT_PROVISIONING ?? DEFAULT_PROVISIONING_PATH;
  return parseProvisioning(fs.readFileSync(file, 'utf8'), file);
}

function hardenSession(wc: WebContents, policy: NavigationPolicy): void {
  wc.session.setPermissionRequestHandler((_wc, permission, callback) => callback(mayGrantPermission(permission)));
  wc.session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !mayRequest(policy, details.url) }));
  wc.session.on('will-download', (e) => e.preventDefault());
  wc.on('will-navigate', (e, url) => {
    if (!mayNavigate(policy, url)) e.preventDefault();
  });
  wc.on('will-redirect', (e, url) => {
    if (!mayNavigate(policy, url)) e.preventDefault();
  });
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  // No devtools, reload or zoom shortcuts on a passenger's screen.
  wc.on('before-input-event', (e, input) => {
    if (
      input.key === 'F12' ||
      input.key === 'F5' ||
      (input.control && ['r', 'R', 'i', 'I', 'w', 'W', '+', '-', '0'].includes(input.key))
    )
      e.preventDefault();
  });
}

async function start(): Promise<void> {
  let provisioning: SeatProvisioning;
  try {
    provisioning = readProvisioning();
  } catch (error) {
    const message =
      error instanceof ProvisioningError
        ? error.message
        : `cannot read the provisioning file: ${(error as Error).message}`;
    dialog.showErrorBox('Seat unit not provisioned', message);
    app.exit(2);
    return;
  }
  const policy: NavigationPolicy = {
    applianceOrigin: provisioning.applianceUrl,
    packagedRoot: `${pathToFileURL(PACKAGED_DIST).href}/`,
  };
  const pendingFaults: (SeatFaultReport & { id: string; at: string })[] = [];

  Menu.setApplicationMenu(null);
  const win = new BrowserWindow({
    kiosk: true,
    fullscreen: true,
    frame: false,
    autoHideMenuBar: true,
    backgroundColor: '#0b1020',
    show: false,
    webPreferences: {
      preload: path.join(here, 'preload.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      devTools: false,
      spellcheck: false,
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  const wc = win.webContents;
  hardenSession(wc, policy);

  ipcMain.on('kiosk:identity', (event) => {
    (event as unknown as { returnValue: unknown }).returnValue =
      event.sender === wc ? identityForRenderer(provisioning) : null;
  });
  ipcMain.handle('kiosk:take-faults', (event) => (event.sender === wc ? pendingFaults.splice(0) : []));

  const watchdog = new RendererWatchdog(DEFAULT_WATCHDOG, Date.now());
  const act = (action: WatchdogAction) => {
    if (action.kind === 'none' || win.isDestroyed()) return;
    // The page reports the fault on the cabin bus (seat/<id>/fault) once it is back up.
    pendingFaults.push({ ...action.fault, id: crypto.randomUUID(), at: new Date().toISOString() });
    if (action.kind === 'reload') wc.reload();
    else if (action.kind === 'load-packaged') void wc.loadFile(path.join(PACKAGED_DIST, 'index.html'));
    else {
      app.relaunch();
      app.exit(0);
    }
  };
  ipcMain.on('kiosk:heartbeat', (event) => {
    if (event.sender === wc) act(watchdog.handle({ kind: 'heartbeat', at: Date.now() }));
  });
  wc.on('unresponsive', () => act(watchdog.handle({ kind: 'unresponsive', at: Date.now() })));
  wc.on('responsive', () => act(watchdog.handle({ kind: 'responsive', at: Date.now() })));
  wc.on('render-process-gone', (_e, details) =>
    act(watchdog.handle({ kind: 'renderer-gone', at: Date.now(), reason: details.reason })),
  );
  wc.on('did-fail-load', (_e, code, _description, url, isMainFrame) => {
    if (isMainFrame && url.startsWith(provisioning.applianceUrl))
      act(watchdog.handle({ kind: 'load-failed', at: Date.now(), url, code }));
  });
  setInterval(() => act(watchdog.handle({ kind: 'tick', at: Date.now() })), 1000);

  wc.on('did-finish-load', () => win.show());
  await wc.loadURL(`${provisioning.applianceUrl}/`).catch(() => undefined);
}

app.commandLine.appendSwitch('disable-features', 'Translate,MediaRouter');
app.on('window-all-closed', () => app.quit());
void app.whenReady().then(start);
