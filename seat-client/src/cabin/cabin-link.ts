/**
 * The seat's side of the cabin bus: PA announcements, crew-set controls (lock, parental
 * lock), one-shot crew commands (reset, acknowledge call), and the health report the crew
 * console shows (playing, DND, call light) every 10 s and at once on a change.
 */
import { MqttSocket } from './mqtt-socket.ts';
import { viewerCredentials, type Screen } from './seat-identity.ts';

export interface PaNotice {
  id: string;
  texts?: Record<string, string>;
  text?: string;
}

export interface CrewControls {
  locked: boolean;
  parentalLock: boolean;
}

export interface CabinEvents {
  onPa(pa: PaNotice | null): void;
  onControls(controls: CrewControls): void;
  onCommand(action: 'reset' | 'ack-call'): void;
  onBusStatus(connected: boolean): void;
}

export interface SeatStatus {
  playing: string | null;
  dnd: boolean;
  callLight: boolean;
  lastError: string | null;
}

export const APP_VERSION = '0.1.0';
const HEALTH_EVERY_MS = 10_000;

export class CabinLink {
  private socket: MqttSocket | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly startedAt = performance.now();
  private status: SeatStatus = { playing: null, dnd: false, callLight: false, lastError: null };

  constructor(private readonly screen: Screen, private readonly events: CabinEvents) {}

  async start(): Promise<void> {
    const url = new URL('/mqtt', this.screen.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const seat = this.screen.seat;
    const credentials = await viewerCredentials(this.screen, localStorage);
    if (!credentials) return this.retryLater();
    const { username, password } = credentials;
    const subscriptions = seat ? ['cabin/#', `seat/${seat.seatId}/state`, `seat/${seat.seatId}/command`] : ['cabin/#'];
    this.socket = new MqttSocket({
      url: url.href,
      clientId: `${username.replace(':', '-')}-${Math.random().toString(36).slice(2, 8)}`,
      username,
      password,
      subscriptions,
      onMessage: (topic, payload) => this.receive(topic, payload),
      onStatus: (connected) => {
        this.events.onBusStatus(connected);
        if (connected) this.reportHealth();
      },
    });
    this.socket.start();
    if (seat) this.timer = setInterval(() => this.reportHealth(), HEALTH_EVERY_MS);
  }

  /** Updates what the crew sees; published at once when it changed. */
  setStatus(patch: Partial<SeatStatus>): void {
    const next = { ...this.status, ...patch };
    const changed = (Object.keys(patch) as (keyof SeatStatus)[]).some((k) => next[k] !== this.status[k]);
    this.status = next;
    if (changed) this.reportHealth();
  }

  /** Raises a fault on seat/<id>/fault (journalled by the appliance, shown on the crew map). */
  reportFault(fault: { id: string; code: string; message: string; at: string }): boolean {
    const seat = this.screen.seat;
    return seat !== undefined && this.socket !== undefined && this.socket.publish(`seat/${seat.seatId}/fault`, JSON.stringify(fault));
  }

  get seatStatus(): SeatStatus {
    return this.status;
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  close(): void {
    clearInterval(this.timer);
    this.socket?.close();
  }

  private reportHealth(): void {
    const seat = this.screen.seat;
    if (!seat || !this.socket) return;
    this.socket.publish(`seat/${seat.seatId}/health`, JSON.stringify({
      appVersion: APP_VERSION,
      uptimeS: Math.round((performance.now() - this.startedAt) / 1000),
      lastError: this.status.lastError,
      playing: this.status.playing,
      dnd: this.status.dnd,
      callLight: this.status.callLight,
    }));
  }

  private receive(topic: string, payload: string): void {
    try {
      if (topic === 'cabin/pa') {
        const pa = payload ? (JSON.parse(payload) as PaNotice & { active?: boolean }) : null;
        this.events.onPa(pa && pa.active !== false ? pa : null);
      } else if (topic.endsWith('/state')) {
        const c = JSON.parse(payload) as Partial<CrewControls>;
        this.events.onControls({ locked: c.locked === true, parentalLock: c.parentalLock === true });
      } else if (topic.endsWith('/command')) {
        const { action } = JSON.parse(payload) as { action?: string };
        if (action === 'reset' || action === 'ack-call') this.events.onCommand(action);
      }
    } catch (error) {
      this.status.lastError = `bad message on ${topic}: ${(error as Error).message}`.slice(0, 500);
    }
  }

  private retryLater(): void {
    setTimeout(() => void this.start(), 5000);
  }
}
