/** Test support: a real appliance on loopback (ports 0, a temp data dir) and real MQTT clients. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { IssuedCredentials } from '../src/aircraft/provisioning.ts';
import { loadConfig } from '../src/config.ts';
import { CREDENTIALS_FILE } from '../src/demo/first-run.ts';
import { type RunningAppliance, startAppliance } from '../src/main.ts';

export interface TestAppliance extends RunningAppliance {
  dataDir: string;
  credentials: IssuedCredentials;
  logLines: string[];
  url: string;
}

export function tempDir(prefix = 'ifec-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestAppliance(
  env: Record<string, string> = {},
  dataDir = tempDir(),
): Promise<TestAppliance> {
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig({
    IFEC_HTTP_PORT: '0',
    IFEC_MQTT_PORT: '0',
    IFEC_RTMP_PORT: '0',
    IFEC_HOST: '127.0.0.1',
    IFEC_DATA_DIR: dataDir,
    ...env,
  });
  const running = await startAppliance(config, pino({ level: 'info' }, sink));
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as IssuedCredentials;
  return { ...running, dataDir, credentials, logLines, url: `http://127.0.0.1:${running.httpPort}` };
}

export function connectMqtt(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, protocolVersion: 4, ...options });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

export function seatClient(app: TestAppliance, seatId: string, transport: 'tcp' | 'ws' = 'tcp'): Promise<MqttClient> {
  const url = transport === 'tcp' ? `mqtt://127.0.0.1:${app.mqttPort}` : `ws://127.0.0.1:${app.httpPort}/mqtt`;
  return connectMqtt(url, {
    username: `seat:${seatId}`,
    password: app.credentials.seats[seatId]!,
    clientId: `seat-${seatId}-${transport}-${Math.random().toString(36).slice(2, 8)}`,
  });
}

export async function crewToken(app: TestAppliance, crewIndex = 0): Promise<string> {
  const crew = app.credentials.crew[crewIndex]!;
  const res = await fetch(`${app.url}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId: crew.crewId, pin: crew.pin }),
  });
  if (!res.ok) throw new Error(`crew login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

const maintenanceTokens = new WeakMap<TestAppliance, string>();

/** /metrics as maintenance crew reads it (it is not public). */
export async function metricsText(app: TestAppliance): Promise<string> {
  let token = maintenanceTokens.get(app);
  if (!token) {
    token = await crewToken(
      app,
      app.credentials.crew.findIndex((c) => c.role === 'maintenance'),
    );
    maintenanceTokens.set(app, token);
  }
  return (await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
}

/** The value of one Prometheus sample, e.g. metric('ifec_mqtt_acl_denials_total', {action:'subscribe'}). */
export async function metric(app: TestAppliance, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await metricsText(app);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) total += Number(match[3]);
  }
  return total;
}

export function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      const value = await check();
      if (value) return resolve(value);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    void tick();
  });
}
