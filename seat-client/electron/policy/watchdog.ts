/**
 * The renderer watchdog's decisions, as a pure state machine fed with events and a clock.
 * The page sends a heartbeat every 2 s. A missing heartbeat, an unresponsive renderer or a
 * crashed one leads to a reload; repeated failures in a short window fall back to the
 * packaged shell (which still browses the replica), then to relaunching the kiosk.
 * Every recovery is reported to the appliance as a seat fault.
 */
export type WatchdogEvent =
  | { kind: 'heartbeat'; at: number }
  | { kind: 'unresponsive'; at: number }
  | { kind: 'responsive'; at: number }
  | { kind: 'renderer-gone'; at: number; reason: string }
  | { kind: 'load-failed'; at: number; url: string; code: number }
  | { kind: 'tick'; at: number };

export type WatchdogAction =
  | { kind: 'none' }
  | { kind: 'reload'; fault: SeatFaultReport }
  | { kind: 'load-packaged'; fault: SeatFaultReport }
  | { kind: 'relaunch'; fault: SeatFaultReport };

export interface SeatFaultReport {
  code: 'RENDERER_HUNG' | 'RENDERER_CRASHED' | 'RENDERER_UNRESPONSIVE' | 'APP_LOAD_FAILED' | 'RENDERER_RECOVERY_LOOP';
  message: string;
}

export interface WatchdogOptions {
  /** No heartbeat for this long: the page is hung. */
  heartbeatTimeoutMs: number;
  /** Unresponsive for this long: reload. */
  unresponsiveGraceMs: number;
  /** Recoveries counted in this window. */
  windowMs: number;
  /** After this many recoveries in the window, load the packaged shell; after twice as many, relaunch. */
  maxRecoveries: number;
  /** After a reload, wait this long for the first heartbeat. */
  bootGraceMs: number;
}

export const DEFAULT_WATCHDOG: WatchdogOptions = {
  heartbeatTimeoutMs: 15_000,
  unresponsiveGraceMs: 5_000,
  windowMs: 5 * 60_000,
  maxRecoveries: 3,
  bootGraceMs: 30_000,
};

export class RendererWatchdog {
  private lastBeat: number;
  private unresponsiveSince: number | undefined;
  private recoveries: number[] = [];
  private graceUntil: number;

  constructor(
    private readonly o: WatchdogOptions,
    startedAt: number,
  ) {
    this.lastBeat = startedAt;
    this.graceUntil = startedAt + o.bootGraceMs;
  }

  handle(event: WatchdogEvent): WatchdogAction {
    switch (event.kind) {
      case 'heartbeat':
        this.lastBeat = event.at;
        this.unresponsiveSince = undefined;
        this.graceUntil = 0;
        return { kind: 'none' };
      case 'responsive':
        this.unresponsiveSince = undefined;
        return { kind: 'none' };
      case 'unresponsive':
        this.unresponsiveSince ??= event.at;
        return { kind: 'none' };
      case 'renderer-gone':
        return this.recover(event.at, { code: 'RENDERER_CRASHED', message: `renderer gone: ${event.reason}` });
      case 'load-failed':
        // The appliance is unreachable at boot: the packaged shell starts from the replica.
        return this.note(event.at, {
          kind: 'load-packaged',
          fault: { code: 'APP_LOAD_FAILED', message: `could not load ${event.url} (${event.code})` },
        });
      case 'tick':
        if (this.unresponsiveSince !== undefined && event.at - this.unresponsiveSince >= this.o.unresponsiveGraceMs) {
          return this.recover(event.at, {
            code: 'RENDERER_UNRESPONSIVE',
            message: `unresponsive for ${event.at - this.unresponsiveSince} ms`,
          });
        }
        if (event.at > this.graceUntil && event.at - this.lastBeat >= this.o.heartbeatTimeoutMs) {
          return this.recover(event.at, {
            code: 'RENDERER_HUNG',
            message: `no heartbeat for ${event.at - this.lastBeat} ms`,
          });
        }
        return { kind: 'none' };
    }
  }

  private recover(at: number, fault: SeatFaultReport): WatchdogAction {
    this.recoveries = this.recoveries.filter((t) => at - t < this.o.windowMs);
    const count = this.recoveries.length + 1;
    if (count > this.o.maxRecoveries * 2) {
      return this.note(at, {
        kind: 'relaunch',
        fault: {
          code: 'RENDERER_RECOVERY_LOOP',
          message: `${count} recoveries in ${this.o.windowMs / 1000} s; relaunching (${fault.message})`,
        },
      });
    }
    if (count > this.o.maxRecoveries) return this.note(at, { kind: 'load-packaged', fault });
    return this.note(at, { kind: 'reload', fault });
  }

  private note(at: number, action: Exclude<WatchdogAction, { kind: 'none' }>): WatchdogAction {
    this.recoveries.push(at);
    this.unresponsiveSince = undefined;
    this.lastBeat = at;
    this.graceUntil = at + this.o.bootGraceMs;
    return action;
  }
}
