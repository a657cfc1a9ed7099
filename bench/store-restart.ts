/**
 * `store.restart_ms.1m`: a start to ready (the start-up banner, printed once HTTP and MQTT
 * listen) after 1,000,000 acknowledged records (BENCH_STORE_RECORDS to change it), the writer
 * killed with kill -9 as soon as the last one was acknowledged, so nothing stopped cleanly and
 * the start replays what came after the last checkpoint (store/checkpoint.ts). Three restarts,
 * each killed with kill -9 once ready; the median is the figure. Beside it, for scale: the
 * same restart of a data dir with only the first start's records (`store.restart_ms.0`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnAppliance } from '../appliance/test/child-appliance.ts';
import { tempDir } from '../appliance/test/support.ts';
import { type BenchContext, type BenchGroup, median } from './harness.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const RECORDS = Number(process.env.BENCH_STORE_RECORDS ?? 1_000_000);
const RESTARTS = 3;

function journalBytes(dataDir: string): number {
  return fs
    .readdirSync(dataDir)
    .filter((n) => n.startsWith('journal.log'))
    .reduce((sum, n) => sum + fs.statSync(path.join(dataDir, n)).size, 0);
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  return total;
}

/** Writes the records in a child (bench/store-restart-writer.ts) and kills it -9 once they are all acknowledged. */
async function write(ctx: BenchContext, dataDir: string, records: number): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'store-restart-writer.ts')], {
    env: { PATH: process.env.PATH, IFEC_DATA_DIR: dataDir, BENCH_STORE_RECORDS: String(records) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d) => (out += d));
    child.stdout!.on('data', (d) => {
      out += d;
      for (const line of String(d).split('\n')) if (line.startsWith('progress')) ctx.log(`writer: ${line}`);
      if (/^written \d+/m.test(out)) resolve();
    });
    void exited.then(() => reject(new Error(`writer exited:\n${out}`)));
  });
  ctx.log(`writer: ${/^written .*$/m.exec(out)?.[0]}`);
  child.kill('SIGKILL');
  await exited;
}

/** Restarts after a kill -9: ms from spawn to the banner, and how many records the start replayed. */
async function restart(dataDir: string): Promise<{ ms: number; cpuMs: number; replayed: number; rebuilt: boolean }> {
  const started = performance.now();
  const app = await spawnAppliance(dataDir, { IFEC_LOG_LEVEL: 'info' });
  const ms = performance.now() - started;
  const cpuMs = processCpuMs(app.proc.pid!);
  const replayed = Number(/"records":(\d+),"msg":"journal replayed"/.exec(app.output())?.[1] ?? Number.NaN);
  const rebuilt = app.output().includes('restored from its last checkpoint');
  app.proc.kill('SIGKILL');
  await app.exited;
  return { ms, cpuMs, replayed, rebuilt };
}

/** user + system CPU of a process so far (Linux /proc; 100 ticks a second): the start's cost whatever the machine's load. */
function processCpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function restarts(dataDir: string): Promise<{ ms: number[]; cpuMs: number[]; replayed: number[] }> {
  const ms: number[] = [];
  const cpuMs: number[] = [];
  const replayed: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    const r = await restart(dataDir);
    ms.push(r.ms);
    cpuMs.push(r.cpuMs);
    replayed.push(r.replayed);
  }
  return { ms, cpuMs, replayed };
}

export const storeRestartGroup: BenchGroup = {
  name: 'store',
  async run(ctx) {
    // Scale: a data dir with only the first start's records, restarted the same way.
    const empty = tempDir('ifec-bench-restart0-');
    await write(ctx, empty, 1);
    const base = await restarts(empty);
    ctx.log(
      `restart with the first start's records only: ${base.ms.map((m) => m.toFixed(0)).join(', ')} ms (CPU ${base.cpuMs.join(', ')} ms)`,
    );
    ctx.record({
      id: 'store.restart_ms.0',
      value: median(base.ms),
      unit: 'ms',
      note: `first start's records only; CPU ${median(base.cpuMs)} ms`,
    });

    const dataDir = tempDir('ifec-bench-restart-');
    const writeStart = performance.now();
    await write(ctx, dataDir, RECORDS);
    const writeS = (performance.now() - writeStart) / 1000;
    const r = await restarts(dataDir);
    const id = RECORDS === 1_000_000 ? 'store.restart_ms.1m' : `store.restart_ms.${RECORDS}`;
    ctx.log(
      `${RECORDS} records written and acknowledged in ${writeS.toFixed(0)} s; journal now ${(journalBytes(dataDir) / 2 ** 20).toFixed(1)} MiB, store ${(dirBytes(path.join(dataDir, 'pglite')) / 2 ** 20).toFixed(0)} MiB`,
    );
    ctx.log(
      `restarts after kill -9: ${r.ms.map((m) => m.toFixed(0)).join(', ')} ms (CPU ${r.cpuMs.join(', ')} ms), replaying ${r.replayed.join(', ')} records`,
    );
    ctx.record({
      id,
      value: median(r.ms),
      unit: 'ms',
      goal: '< 3000',
      note: `spawn to ready after kill -9; CPU ${median(r.cpuMs)} ms; replayed ${median(r.replayed)} records (the tail after the last checkpoint); the first start's own: ${median(base.ms).toFixed(0)} ms`,
    });
    fs.rmSync(empty, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  },
};
