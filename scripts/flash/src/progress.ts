/**
 * Progress of a long copy (an image onto a unit, a bundle onto a stick): a bar on a terminal
 * (cli-progress), a line per 10 % otherwise (a log, a CI job). Tests pass their own to record it.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(label: string, totalBytes: number): void;
  update(doneBytes: number): void;
  stop(): void;
}

export const silentProgress: Progress = { start() {}, update() {}, stop() {} };

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{label} [{bar}] {percentage}% | {doneMiB}/{totalMiB} MiB | {eta_formatted} left',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let total = 0;
    let label = '';
    const mib = (n: number) => (n / 1048576).toFixed(1);
    return {
      start(l, t) {
        label = l;
        total = t;
        bar.start(t, 0, { label, doneMiB: mib(0), totalMiB: mib(t) });
      },
      update(done) {
        bar.update(done, { label, doneMiB: mib(done), totalMiB: mib(total) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let total = 0;
  let label = '';
  let lastTenth = -1;
  return {
    start(l, t) {
      label = l;
      total = t;
      lastTenth = -1;
    },
    update(done) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${label}: ${tenth * 10}%\n`);
      }
    },
    stop() {},
  };
}
