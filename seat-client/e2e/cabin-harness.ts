/**
 * Test and bench harness: a real appliance (in-process, its own data dir, demo content from
 * the media pipeline's cache) serving the built seat app, and Debian's Chromium driven by
 * playwright-core. A seat page gets its identity the way the Electron preload gives it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../../appliance/src/config.ts';
import { type RunningAppliance, startAppliance } from '../../appliance/src/main.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = path.resolve(here, '../../test-artifacts');
export const KIOSK = { width: 1280, height: 800 };
export const KIOSK_HD = { width: 1920, height: 1080 };
export const PHONE = { width: 390, height: 844 };

export interface Credentials {
  seats: Record<string, string>;
  crew: { crewId: string; pin: string; role: string }[];
}

export interface Cabin {
  baseUrl: string;
  httpPort: number;
  dataDir: string;
  credentials: Credentials;
  appliance: RunningAppliance | undefined;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export function buildSeatApp(): void {
  execFileSync(process.execPath, [path.resolve(here, '../build-if-stale.mjs')], { stdio: 'inherit' });
}

async function boot(dataDir: string, httpPort: number, env: Record<string, string> = {}): Promise<RunningAppliance> {
  const config = loadConfig({
    IFEC_DATA_DIR: dataDir,
    IFEC_HTTP_PORT: String(httpPort),
    IFEC_MQTT_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DEMO: '1',
    IFEC_LOG_LEVEL: 'silent',
    ...env,
  });
  return startAppliance(config, pino({ level: process.env.E2E_LOG ?? 'silent' }));
}

/** Starts an appliance on a fresh data dir and waits until the demo catalogue is replicated. */
export async function startCabin(options: { minTitles?: number; env?: Record<string, string> } = {}): Promise<Cabin> {
  buildSeatApp();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-e2e-'));
  const appliance: RunningAppliance | undefined = await boot(dataDir, 0, options.env);
  const httpPort = appliance.httpPort;
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const file = JSON.parse(fs.readFileSync(path.join(dataDir, 'first-run-credentials.json'), 'utf8')) as Credentials;
  await waitForCatalog(baseUrl, options.minTitles ?? 10);
  const cabin: Cabin = {
    baseUrl,
    httpPort,
    dataDir,
    credentials: file,
    appliance,
    async stop() {
      await cabin.appliance?.stop();
      cabin.appliance = undefined;
    },
    async restart() {
      await cabin.stop();
      cabin.appliance = await boot(dataDir, httpPort, options.env);
      await waitForCatalog(baseUrl, options.minTitles ?? 10);
    },
  };
  return cabin;
}

export async function waitForCatalog(baseUrl: string, min: number, timeoutMs = 240_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/api/replication/catalog/snapshot`);
      if (res.ok) {
        const body = (await res.json()) as { documents: unknown[] };
        if (body.documents.length >= min) return body.documents.length;
      }
    } catch {
      /* not up yet */
    }
    if (Date.now() > until)
      throw new Error(
        `the appliance at ${baseUrl} has fewer than ${min} titles after ${timeoutMs} ms (demo content not ready?)`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** One appliance and one Chromium shared by a test file's tests: registers the file's before/after hooks. */
export function cabinForFile(options: { minTitles?: number; env?: Record<string, string> } = {}): {
  cabin: Cabin;
  browser: Browser;
} {
  const env = {} as { cabin: Cabin; browser: Browser };
  before(async () => {
    env.cabin = await startCabin(options);
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    await env.cabin?.stop();
  });
  return env;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  '--mute-audio',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** A browser context as a seat unit: the preload's identity, the kiosk's screen size. */
export async function seatContext(
  browser: Browser,
  cabin: Cabin,
  seatId: string,
  viewport = KIOSK,
  extra: { locale?: string } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: extra.locale ?? 'en-GB', serviceWorkers: 'allow' });
  const identity = { seatId, secret: cabin.credentials.seats[seatId]!, applianceUrl: cabin.baseUrl };
  await context.addInitScript((id) => {
    (window as unknown as { ifecSeat: unknown }).ifecSeat = id;
  }, identity);
  return context;
}

export async function phoneContext(browser: Browser, extra: { locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: PHONE,
    locale: extra.locale ?? 'en-GB',
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  });
}

export async function openApp(page: Page, cabin: Cabin, hash = '#/'): Promise<void> {
  await page.goto(`${cabin.baseUrl}/${hash}`);
  await page.waitForSelector('body[data-ready="true"]');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  // Posters in view first, so the picture shows what a passenger sees.
  await page
    .waitForFunction(
      () => [...document.images].filter((i) => i.getBoundingClientRect().top < innerHeight).every((i) => i.complete),
      undefined,
      { timeout: 5000 },
    )
    .catch(() => undefined);
  await page.screenshot({ path: file });
  return file;
}
