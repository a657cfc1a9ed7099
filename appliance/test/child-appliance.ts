/** Runs the appliance as a real child process (for kill -9, strace and start-up failures). */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IssuedCredentials } from '../src/aircraft/provisioning.ts';
import { CREDENTIALS_FILE } from '../src/demo/first-run.ts';

/** The installed entry (bin/ifec-appliance.mjs serve), which starts from the bundle as the aircraft does. */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/ifec-appliance.mjs');

export interface ChildAppliance {
  proc: ChildProcess;
  httpPort: number;
  mqttPort: number;
  url: string;
  credentials: IssuedCredentials;
  output: () => string;
  exited: Promise<number | null>;
}

/** `wrap` puts a command in front of node (e.g. strace). */
export function spawnAppliance(
  dataDir: string,
  env: Record<string, string> = {},
  wrap: string[] = [],
): Promise<ChildAppliance> {
  const args = [...wrap, process.execPath, BIN, 'serve'];
  const proc = spawn(args[0]!, args.slice(1), {
    env: {
      PATH: process.env.PATH,
      IFEC_HTTP_PORT: '0',
      IFEC_MQTT_PORT: '0',
      IFEC_RTMP_PORT: '0',
      IFEC_HOST: '127.0.0.1',
      IFEC_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`appliance did not start:\n${out}`)), 180_000);
    const onData = () => {
      // The start-up banner is printed at any log level
      const http = /HTTP API\s+http:\/\/localhost:(\d+)\/api/.exec(out);
      const mqtt = /MQTT over TCP\s+mqtt:\/\/localhost:(\d+)/.exec(out);
      if (!http || !mqtt) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      const httpPort = Number(http[1]);
      const mqttPort = Number(mqtt[1]);
      const credentials = JSON.parse(
        fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8'),
      ) as IssuedCredentials;
      resolve({
        proc,
        httpPort,
        mqttPort,
        url: `http://127.0.0.1:${httpPort}`,
        credentials,
        output: () => out,
        exited,
      });
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`appliance exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** Runs the appliance expecting it to refuse to start; returns exit code and output. */
export function runUntilExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, 'serve'], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (d) => (output += d));
    proc.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
