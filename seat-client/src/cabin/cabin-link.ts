/**
 * The seat's side of the cabin bus: PA announcements, crew-set controls (lock, parental
 * lock), one-shot crew commands (reset, acknowledge call), the health report the crew
 * console shows (playing, DND, call light) every 10 s and at once on a change; and for resume
 * anywhere, the seat's passenger session, a paired phone's remote commands and what plays
 * (topics in protocol/src/resume.ts). Phones use the same link for broadcasts only; the
 * resume link subscribes to their seat's topics once paired.
 */
import { resumeTopics, type SeatPlayback, topics } from '@ifec/protocol';
import type { CabinEvents } from './cabin-messages.ts';
import { CabinState } from './cabin-state.ts';
import { MqttSocket } from './mqtt-socket.ts';
import type { Screen, ViewerCredentials } from './seat-identity.ts';

export type { CabinEvents, CrewControls } from './cabin-messages.ts';

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
  /** The cabin messages' validators (zod, protocol's channels): loaded when the bus starts, after home. */
  private messages: typeof import('./cabin-messages.ts') | undefined;
  /** A flood of bad flight messages must not become a flood of health reports: one every 10 s at most. */
  private lastDropReportedAt = -Infinity;
  /** What the passenger is told about the call light and DND: queued, sending, received, acknowledged. */
  readonly state = new CabinState();

  constructor(
    private readonly screen: Screen,
    private readonly credentials: () => Promise<ViewerCredentials | undefined>,
    private readonly events: CabinEvents,
  ) {}

  async start(): Promise<void> {
    const url = new URL('/mqtt', this.screen.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const seat = this.screen.seat;
    const credentials = await this.credentials();
    if (!credentials) return this.retryLater();
    try {
      this.messages ??= await import('./cabin-messages.ts');
    } catch {
      return this.retryLater();
    }
    const { username, password } = credentials;
    // Broadcast trees (protocol's BROADCAST_ROOTS); flight-messages.ts picks its exact topics out of them.
    const broadcasts = ['cabin/#', 'flight/#', 'policy/#'];
    const subscriptions = seat
      ? [
          ...broadcasts,
          topics.seatState(seat.seatId),
          topics.seatCommand(seat.seatId),
          resumeTopics.session(seat.seatId),
          resumeTopics.remote(seat.seatId),
        ]
      : broadcasts;
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
        this.state.busStatus(connected);
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
    if (patch.callLight !== undefined && patch.callLight !== this.status.callLight) this.state.setCall(patch.callLight);
    if (patch.dnd !== undefined) this.state.setDnd(patch.dnd);
    this.status = next;
    if (changed) this.reportHealth();
  }

  /** The crew acknowledged the call (seat/<id>/command): the light goes off, the passenger is told crew is coming. */
  callAcknowledged(): void {
    this.status = { ...this.status, callLight: false };
    this.state.acknowledged();
    this.reportHealth();
  }

  /** Raises a fault on seat/<id>/fault (journalled by the appliance, shown on the crew map). */
  reportFault(fault: { id: string; code: string; message: string; at: string }): boolean {
    const seat = this.screen.seat;
    if (seat === undefined || this.socket === undefined) return false;
    return this.socket.publish(topics.seatFault(seat.seatId), JSON.stringify(fault));
  }

  /** What plays on this seat, retained for its paired phones (`at`: appliance clock, ms). */
  reportPlayback(state: SeatPlayback): void {
    const seat = this.screen.seat;
    if (seat) this.socket?.publish(resumeTopics.playback(seat.seatId), JSON.stringify(state), true);
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
    if (!seat || !this.socket?.connected) return;
    // QoS 1: the broker's PUBACK says the appliance has this report, so the passenger can be told.
    const revision = this.state.currentRevision;
    this.socket
      .publishAcked(
        topics.seatHealth(seat.seatId),
        JSON.stringify({
          appVersion: APP_VERSION,
          uptimeS: Math.round((performance.now() - this.startedAt) / 1000),
          lastError: this.status.lastError,
          playing: this.status.playing,
          dnd: this.status.dnd,
          callLight: this.status.callLight,
        }),
      )
      .then(
        () => this.state.deliveredUpTo(revision),
        () => undefined, // the link dropped: the next connect reports again
      );
  }

  private receive(topic: string, bytes: Uint8Array): void {
    if (topic.startsWith('flight/') || topic.startsWith('policy/')) {
      // One promise for every message: they are handled in the order they came. A chunk that
      // failed to load (the appliance busy, a reset connection) is fetched again: a retained
      // policy/current is sent once per subscription, and losing it would leave the seat
      // playing what the airspace forbids until the next change.
      this.flightParser ??= loadFlightParser();
      const loading = this.flightParser;
      loading.catch(() => {
        if (this.flightParser === loading) this.flightParser = undefined;
        setTimeout(() => this.receive(topic, bytes), 1000);
      });
      void loading.then(
        ({ parseFlightMessage }) => {
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
        },
        () => undefined /* retried above */,
      );
      return;
    }
    const { dispatchCabinMessage, warnOnConsole } = this.messages!;
    dispatchCabinMessage(topic, bytes, this.screen.seat?.seatId, this.events, (message, detail) => {
      warnOnConsole(message, detail);
      this.status.lastError = `bad message on ${detail.topic}: ${detail.reason}`.slice(0, 500);
    });
  }

  private retryLater(): void {
    setTimeout(() => void this.start(), 5000);
  }
}

function loadFlightParser(): Promise<typeof import('../flight/flight-messages.ts')> {
  return import('../flight/flight-messages.ts');
}
