/**
 * The bench harness: groups register figures; the runner prints a table and writes
 * bench-results.json (format and ids in ../shared/BENCH.md). A peer is measured in the same
 * run by the group itself; a missing peer is recorded as skipped with its reason.
 */
import os from 'node:os';

export interface Figure {
  id: string;
  value: number | null;
  unit: string;
  peer?: string;
  peer_value?: number | null;
  ratio?: number | null;
  goal?: string;
  /** Why a figure or its peer could not be measured. Never invent a number instead. */
  skipped?: string;
  note?: string;
}

export interface BenchContext {
  record(figure: Figure): void;
  log(message: string): void;
}

export interface BenchGroup {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

/** Nearest-rank percentile; samples need not be sorted. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function ratio(value: number | null | undefined, peer: number | null | undefined): number | null {
  if (value == null || peer == null || peer === 0) return null;
  return Math.round((value / peer) * 1000) / 1000;
}

export function machineDescription(): string {
  return `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`;
}
