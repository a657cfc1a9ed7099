/**
 * The slice of Electron's API the kiosk uses. Electron itself is not a dependency here (its
 * binary download cannot run in this build environment, see FIELD-NOTES); electron-builder
 * supplies the runtime when the seat image is built. Keep this in step with main.ts.
 */
declare module 'electron' {
  interface WebContents {
    on(
      event: 'render-process-gone',
      listener: (e: unknown, details: { reason: string; exitCode: number }) => void,
    ): this;
    on(event: 'unresponsive' | 'responsive' | 'did-finish-load', listener: () => void): this;
    on(
      event: 'did-fail-load',
      listener: (e: unknown, code: number, description: string, url: string, isMainFrame: boolean) => void,
    ): this;
    on(event: 'will-navigate' | 'will-redirect', listener: (e: { preventDefault(): void }, url: string) => void): this;
    on(
      event: 'before-input-event',
      listener: (
        e: { preventDefault(): void },
        input: { key: string; control: boolean; shift: boolean; alt: boolean; meta: boolean },
      ) => void,
    ): this;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
    reload(): void;
    loadURL(url: string): Promise<void>;
    loadFile(path: string, options?: { hash?: string }): Promise<void>;
    closeDevTools(): void;
    session: Session;
  }
  interface Session {
    setPermissionRequestHandler(
      handler: (wc: WebContents, permission: string, callback: (granted: boolean) => void) => void,
    ): void;
    webRequest: {
      onBeforeRequest(
        handler: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void,
      ): void;
    };
    on(event: 'will-download', listener: (e: { preventDefault(): void }) => void): this;
  }
  class BrowserWindow {
    constructor(options: Record<string, unknown>);
    webContents: WebContents;
    show(): void;
    isDestroyed(): boolean;
  }
  const app: {
    whenReady(): Promise<void>;
    quit(): void;
    relaunch(): void;
    exit(code?: number): void;
    on(event: 'window-all-closed' | 'web-contents-created', listener: (...args: never[]) => void): void;
    commandLine: { appendSwitch(name: string, value?: string): void };
    isPackaged: boolean;
  };
  const Menu: { setApplicationMenu(menu: null): void };
  const ipcMain: {
    on(channel: string, listener: (event: { sender: WebContents }, ...args: unknown[]) => void): void;
    handle(channel: string, listener: (event: { sender: WebContents }, ...args: unknown[]) => unknown): void;
  };
  const ipcRenderer: {
    send(channel: string, ...args: unknown[]): void;
    sendSync(channel: string, ...args: unknown[]): unknown;
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  };
  const contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  const dialog: { showErrorBox(title: string, content: string): void };
}
