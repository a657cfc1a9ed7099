/**
 * The seat's side of the cabin bus: PA announcements, crew-set controls (lock, parental
 * lock), one-shot crew commands (reset, acknowledge call), the health report the crew
 * console shows (playing, DND, call light) every 10 s and at once on a change; and for resume
 * anywhere, the seat's passenger session, a paired phone's remote commands and what plays
 * (topics in protocol/src/resume.ts). Phones use the same link for broadcasts only; the
 * resume link subscribes to their seat's topics once paired.
 */
import type { RemoteCommand, SeatPlayback } from '@ifec/protocol';
import type { FlightMessage } from '../flight/flight-messages.ts';
import { MqttSocket, text } from './mqtt-socket.ts';
import type { Screen, ViewerCredentials } from './seat-identity.ts';

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
  /** The live passenger session of this seat (retained: arrives at every connect). */
  onSession?(sessionId: string): void;
  /** A paired phone's command, already checked by the appliance. */
  onRemote?(command: RemoteCommand): void;
  /** flight/position, flight/phase, policy/current: already validated against protocol's schemas. */
  onFlight?(message: FlightMessage): void;
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
  private readonly listeners = new Set<(topic: string, payload: Uint8Array) => void>();
  /** The flight validators bring zod and protocol's schemas: their own chunk, fetched while the app boots. */
  private flightParser: Promise<typeof import('../flight/flight-messages.ts')> | undefined;
  /** A flood of bad flight messages must not become a flood of health reports: one every 10 s at most. */
  private lastDropReportedAt = -Infinity;

  constructor(private readonly screen: Screen, private readonly credentials: () => Promise<ViewerCredentials | undefined>, private readonly events: CabinEvents) {}

  async start(): Promise<void> {
    const url = new URL('/mqtt', this.screen.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const seat = this.screen.seat;
    const credentials = await this.credentials();
    if (!credentials) return this.retryLater();
    const { username, password } = credentials;
    const mine = (leaf: string) => `seat/${seat!.seatId}/${leaf}`;
    // Broadcast trees (protocol's BROADCAST_ROOTS); flight-messages.ts picks its exact topics out of them.
    const broadcasts = ['cabin/#', 'flight/#', 'policy/#'];
    const subscriptions = seat ? [...broadcasts, mine('state'), mine('command'), mine('session'), mine('remote')] : broadcasts;
    this.socket = new MqttSocket({
      url: url.href,
      clientId: `${username.replace(':', '-')}-${Math.random().toString(36).slice(2, 8)}`,
      username,
      password,
      subscriptions,
      onMessage: (topic, payload) => {
        for (const listener of this.listeners) listener(topic, payload);
        this.receive(topic, payload);
      },
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

  /** What plays on this seat, retained for its paired phones (`at`: appliance clock, ms). */
  reportPlayback(state: SeatPlayback): void {
    const seat = this.screen.seat;
    if (seat) this.socket?.publish(`seat/${seat.seatId}/playback`, JSON.stringify(state), true);
  }

  /** The bus itself, for the resume link's own subscriptions (undefined until started). */
  get bus(): MqttSocket | undefined {
    return this.socket;
  }

  /** Every message, before the link's own handling (the resume link listens here). */
  listen(listener: (topic: string, payload: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  private receive(topic: string, bytes: Uint8Array): void {
    if (topic.startsWith('flight/') || topic.startsWith('policy/')) {
      // One promise for every message: they are handled in the order they came.
      this.flightParser ??= import('../flight/flight-messages.ts');
      void this.flightParser.then(({ parseFlightMessage }) => {
        const flight = parseFlightMessage(topic, bytes);
        if (!flight) return;
        if (flight.ok) this.events.onFlight?.(flight.message);
        else {
          // Dropped, with the reason in the console and on the crew's seat map (lastError).
          console.warn(`cabin bus: dropped ${topic}: ${flight.reason}`);
          if (performance.now() - this.lastDropReportedAt > 10_000) {
            this.lastDropReportedAt = performance.now();
            this.setStatus({ lastError: `bad message on ${topic}: ${flight.reason}`.slice(0, 500) });
          }
        }
      });
      return;
    }
    const seat = this.screen.seat?.seatId;
    if (seat === undefined && topic !== 'cabin/pa') return; // a phone's seat topics belong to the resume link
    const payload = text(bytes);
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
      } else if (topic.endsWith('/session')) {
        const { sessionId } = JSON.parse(payload) as { sessionId?: unknown };
        if (typeof sessionId === 'string') this.events.onSession?.(sessionId);
      } else if (topic.endsWith('/remote')) {
        this.events.onRemote?.(JSON.parse(payload) as RemoteCommand);
      }
    } catch (error) {
      this.status.lastError = `bad message on ${topic}: ${(error as Error).message}`.slice(0, 500);
    }
  }

  private retryLater(): void {
    setTimeout(() => void this.start(), 5000);
  }
}
