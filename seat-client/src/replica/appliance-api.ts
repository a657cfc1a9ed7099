/** The appliance's replication endpoints as the seat calls them (`paths.replication` of the protocol). */
import {
  type CatalogSnapshot,
  type CatalogTitleDoc,
  PASSENGER_SESSION_HEADER,
  type PullResponse,
  paths,
  type ReplicationCheckpoint,
  type SeatStateDoc,
  type SeatStatePushRow,
} from '@ifec/protocol';
import { ApiClient } from '../api/api-client.ts';

export type TokenSource = string | (() => string | Promise<string>);

export class ApplianceApi {
  private readonly client: ApiClient;

  constructor(
    baseUrl: string,
    private readonly token: TokenSource | undefined,
    fetchFn: typeof fetch,
    timeoutMs = 15_000,
    /** The passenger session the seat holds, sent with its requests (the appliance refuses pushes from an ended one). */
    private readonly passengerSession: () => string | undefined = () => undefined,
  ) {
    this.client = new ApiClient(baseUrl, fetchFn, timeoutMs);
  }

  async headers(): Promise<Record<string, string>> {
    if (this.token === undefined) return {};
    const token = typeof this.token === 'function' ? await this.token() : this.token;
    const session = this.passengerSession();
    return { authorization: `Bearer ${token}`, ...(session ? { [PASSENGER_SESSION_HEADER]: session } : {}) };
  }

  url(path: string): string {
    return this.client.url(path);
  }

  catalogSnapshot(): Promise<CatalogSnapshot> {
    return this.request('GET', paths.replication.catalogSnapshot, undefined, false);
  }

  catalogPull(since: ReplicationCheckpoint, limit: number): Promise<PullResponse<CatalogTitleDoc>> {
    return this.request('GET', `${paths.replication.catalogPull}?${pullQuery(since, limit)}`, undefined, false);
  }

  seatStatePull(since: ReplicationCheckpoint | undefined, limit: number): Promise<PullResponse<SeatStateDoc>> {
    return this.request('GET', `${paths.replication.seatStatePull}?${pullQuery(since, limit)}`, undefined, true);
  }

  /** The appliance's state of every row it settled differently (RxDB's conflicts). */
  seatStatePush(rows: SeatStatePushRow[]): Promise<SeatStateDoc[]> {
    return this.request('POST', paths.replication.seatStatePush, rows, true);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body: unknown, authorised: boolean): Promise<T> {
    return this.client.request<T>(path, { method, body, headers: authorised ? await this.headers() : {} });
  }
}

function pullQuery(since: ReplicationCheckpoint | undefined, limit: number): string {
  const q = new URLSearchParams({ limit: String(limit) });
  if (since) {
    q.set('updatedAt', String(since.updatedAt));
    q.set('id', since.id);
  }
  return q.toString();
}

/** A seat unit's login with its provisioned secret: the token `openReplica` needs. */
export function seatLogin(
  baseUrl: string,
  seatId: string,
  secret: string,
  fetchFn?: typeof fetch,
): Promise<{ token: string; expiresInS: number }> {
  return new ApiClient(baseUrl, fetchFn).request(paths.replication.seatLogin, {
    method: 'POST',
    body: { seatId, secret },
  });
}
