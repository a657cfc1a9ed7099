/** The crew console's calls to the appliance (crew token as a bearer); paths and types from the protocol. */
import {
  type Announcement,
  type CabinPlan,
  crewConsolePaths,
  type FlightPlanUpdate,
  fillPath,
  maintenancePaths,
  type PaHistoryEntry,
  type PaState,
  paths,
  type SeatCommand,
  type SeatControls,
  type SeatMapEntry,
  type SyncOverview,
} from '@ifec/protocol';
import { ApiClient, type ApiRequest } from '../api/api-client.ts';

export type Controls = Pick<SeatControls, 'locked' | 'parentalLock'>;

/** What GET /api/crew/content-loads says of the active load (media/http.ts). */
export interface ActiveLoadSummary {
  loadId: string;
  cycle: string;
  version: number;
  expiresAt: string;
  activatedAt: string;
  titles: { id: string }[];
}

/** A console that waits longer than this for an answer calls the appliance unreachable. */
const CONSOLE_TIMEOUT_MS = 5000;

export class CrewApi {
  private readonly client: ApiClient;

  constructor(
    baseUrl: string,
    private token: string | undefined,
    fetchFn?: typeof fetch,
  ) {
    this.client = new ApiClient(baseUrl, fetchFn, CONSOLE_TIMEOUT_MS);
  }

  get loggedIn(): boolean {
    return this.token !== undefined;
  }

  async login(crewId: string, pin: string): Promise<{ token: string; name: string; role: string }> {
    const body = await this.client.request<{ token: string; name: string; role: string }>(paths.crew.login, {
      method: 'POST',
      body: { crewId, pin },
    });
    this.token = body.token;
    return body;
  }

  logout(): void {
    this.token = undefined;
  }

  seats(): Promise<{ seats: SeatMapEntry[] }> {
    return this.call(paths.crew.seats);
  }
  controls(): Promise<{ controls: Record<string, Controls> }> {
    return this.call(paths.crew.seatControls);
  }
  announcements(): Promise<{ announcements: Announcement[] }> {
    return this.call(paths.crew.announcements);
  }
  pa(): Promise<{ pa: PaState | null }> {
    return this.call(paths.crew.pa);
  }
  startPa(what: { announcementId: string } | { text: string }): Promise<unknown> {
    return this.call(paths.crew.pa, { method: 'POST', body: { action: 'start', ...what } });
  }
  stopPa(): Promise<unknown> {
    return this.call(paths.crew.pa, { method: 'POST', body: { action: 'stop' } });
  }
  /** Ends every passenger session: resume state, phone pairings and seat settings are wiped. */
  resetForNextFlight(): Promise<{ sessionsEnded: number; phonesUnpaired: number; titlesCounted: number }> {
    return this.call(paths.pairing.resetForNextFlight, { method: 'POST', body: {} });
  }
  /** Origin, destination and flight number (the flight domain answers with the new flight/phase). */
  setFlight(plan: FlightPlanUpdate): Promise<unknown> {
    return this.call(paths.crew.flight, { method: 'PUT', body: plan });
  }
  cabinPlan(): Promise<CabinPlan> {
    return this.call(crewConsolePaths.cabinPlan);
  }
  paHistory(): Promise<{ history: PaHistoryEntry[] }> {
    return this.call(crewConsolePaths.paHistory);
  }
  contentLoad(): Promise<{ active: ActiveLoadSummary | null }> {
    return this.call(paths.crew.contentLoads);
  }
  sync(): Promise<SyncOverview> {
    return this.call(maintenancePaths.sync);
  }
  /** The bearer token, for panels that call the appliance themselves. */
  get bearer(): string | undefined {
    return this.token;
  }
  command(seatId: string, command: SeatCommand): Promise<unknown> {
    return this.call(fillPath(paths.crew.seatCommand, { seatId }), { method: 'POST', body: command });
  }

  private call<T>(path: string, request: ApiRequest = {}): Promise<T> {
    const auth: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    return this.client.request<T>(path, { ...request, headers: { ...auth, ...request.headers } });
  }
}
