/**
 * Progress of the jobs in a run (transcode, encrypt, images, checksums). The CLI shows a bar
 * per job with an ETA on a terminal and plain lines otherwise; library callers (the appliance's
 * demo content) pass a log function.
 */
import cliProgress from 'cli-progress';

export interface JobProgress {
  update(done: number): void;
  finish(summary?: string): void;
}

export interface Progress {
  job(name: string, total: number, unit: string): JobProgress;
  stop(): void;
}

export function silentProgress(): Progress {
  return { job: () => ({ update() {}, finish() {} }), stop() {} };
}

/** One line per job when it ends: for logs and non-terminal output. */
export function logProgress(log: (line: string) => void): Progress {
  return {
    job(name) {
      const started = Date.now();
      return {
        update() {},
        finish(summary) {
          log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s${summary ? ` (${summary})` : ''}`);
        },
      };
    },
    stop() {},
  };
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return logProgress((line) => stream.write(`${line}\n`));
  const bars = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: false,
      hideCursor: true,
      format: ' {job} |{bar}| {percentage}% | {value}/{total} {unit} | ETA {eta_formatted} {summary}',
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    job(name, total, unit) {
      const bar = bars.create(Math.max(1, Math.round(total)), 0, { job: name.padEnd(12), unit, summary: '' });
      return {
        update(done) {
          bar.update(Math.min(Math.round(done), bar.getTotal()));
        },
        finish(summary) {
          bar.update(bar.getTotal(), { summary: summary ? `— ${summary}` : '' });
          bar.stop();
        },
      };
    },
    stop() {
      bars.stop();
    },
  };
}
