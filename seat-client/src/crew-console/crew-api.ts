/** The crew console's calls to the appliance (crew token as a bearer). */
import type { FlightPlanUpdate } from '@ifec/protocol/flight';

export interface SeatRow {
  seatId: string;
  cabinClass: string;
  state: 'online' | 'offline' | 'never_seen';
  lastSeen: string | null;
  appVersion: string | null;
  lastError: string | null;
  playing: string | null;
  dnd: boolean;
  callLight: boolean;
  faults: { id: string; code: string; message: string; at: string }[];
}
export interface Controls {
  locked: boolean;
  parentalLock: boolean;
}
export interface Announcement {
  id: string;
  title: string;
  texts: Record<string, string>;
}
export interface PaState {
  id: string;
  announcementId?: string;
  text?: string;
  startedAt: string;
}

export class CrewApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export class CrewApi {
  constructor(private readonly baseUrl: string, private token: string | undefined) {}

  get loggedIn(): boolean {
    return this.token !== undefined;
  }

  async login(crewId: string, pin: string): Promise<{ token: string; name: string; role: string }> {
    const body = await this.call<{ token: string; name: string; role: string }>('POST', '/api/crew/login', { crewId, pin }, false);
    this.token = body.token;
    return body;
  }

  logout(): void {
    this.token = undefined;
  }

  seats(): Promise<{ seats: SeatRow[] }> {
    return this.call('GET', '/api/crew/seats');
  }
  controls(): Promise<{ controls: Record<string, Controls> }> {
    return this.call('GET', '/api/crew/seat-controls');
  }
  announcements(): Promise<{ announcements: Announcement[] }> {
    return this.call('GET', '/api/crew/announcements');
  }
  pa(): Promise<{ pa: PaState | null }> {
    return this.call('GET', '/api/crew/pa');
  }
  startPa(what: { announcementId: string } | { text: string }): Promise<unknown> {
    return this.call('POST', '/api/crew/pa', { action: 'start', ...what });
  }
  stopPa(): Promise<unknown> {
    return this.call('POST', '/api/crew/pa', { action: 'stop' });
  }
  /** Ends every passenger session: resume state, phone pairings and seat settings are wiped. */
  resetForNextFlight(): Promise<{ sessionsEnded: number; phonesUnpaired: number; titlesCounted: number }> {
    return this.call('POST', '/api/crew/flight/reset', {});
  }
  /** Origin, destination and flight number (the flight domain answers with the new flight/phase). */
  setFlight(plan: FlightPlanUpdate): Promise<unknown> {
    return this.call('PUT', '/api/crew/flight', plan);
  }
  command(seatId: string, command: { action: 'lock' | 'unlock' | 'reset' | 'ack-call' } | { action: 'parental-lock'; on: boolean }): Promise<unknown> {
    return this.call('POST', `/api/crew/seats/${encodeURIComponent(seatId)}/command`, command);
  }

  private async call<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(auth && this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
    if (!res.ok) throw new CrewApiError(res.status, json.error?.code ?? `HTTP_${res.status}`, json.error?.message ?? res.statusText);
    return json;
  }
}
