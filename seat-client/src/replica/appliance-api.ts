/**
 * The appliance's replication endpoints as the seat calls them. Paths mirror
 * `replicationPaths` in protocol/src/replication.ts (a test checks they agree); they are
 * repeated here so the seat bundle does not carry the protocol package's zod schemas.
 */
import type { CatalogSnapshot, CatalogTitleDoc, PullResponse, ReplicationCheckpoint, SeatStateDoc, SeatStatePushRow } from '@ifec/protocol';

export const paths = {
  catalogSnapshot: '/api/replication/catalog/snapshot',
  catalogPull: '/api/replication/catalog/pull',
  catalogStream: '/api/replication/catalog/stream',
  seatLogin: '/api/seats/login',
  seatStatePull: '/api/replication/seat-state/pull',
  seatStatePush: '/api/replication/seat-state/push',
  seatStateStream: '/api/replication/seat-state/stream',
} as const;

/** The appliance answered with an error (the body's code and message), or not at all. */
export class ApplianceRequestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export type TokenSource = string | (() => string | Promise<string>);

/** PASSENGER_SESSION_HEADER in protocol/src/replication.ts (live-events.test.ts checks they agree). */
export const PASSENGER_SESSION_HEADER = 'x-ifec-passenger-session';

export class ApplianceApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: TokenSource | undefined,
    private readonly fetchFn: typeof fetch,
    private readonly timeoutMs = 15_000,
    /** The passenger session the seat holds, sent with its requests (the appliance refuses pushes from an ended one). */
    private readonly passengerSession: () => string | undefined = () => undefined,
  ) {}

  async headers(): Promise<Record<string, string>> {
    if (this.token === undefined) return {};
    const token = typeof this.token === 'function' ? await this.token() : this.token;
    const session = this.passengerSession();
    return { authorization: `Bearer ${token}`, ...(session ? { [PASSENGER_SESSION_HEADER]: session } : {}) };
  }

  url(path: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  catalogSnapshot(): Promise<CatalogSnapshot> {
    return this.request('GET', paths.catalogSnapshot, undefined, false);
  }

  catalogPull(since: ReplicationCheckpoint, limit: number): Promise<PullResponse<CatalogTitleDoc>> {
    return this.request('GET', `${paths.catalogPull}?${pullQuery(since, limit)}`, undefined, false);
  }

  seatStatePull(since: ReplicationCheckpoint | undefined, limit: number): Promise<PullResponse<SeatStateDoc>> {
    return this.request('GET', `${paths.seatStatePull}?${pullQuery(since, limit)}`, undefined, true);
  }

  /** The appliance's state of every row it settled differently (RxDB's conflicts). */
  seatStatePush(rows: SeatStatePushRow[]): Promise<SeatStateDoc[]> {
    return this.request('POST', paths.seatStatePush, rows, true);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body: unknown, authorised: boolean): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...(authorised ? await this.headers() : {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchFn(this.url(path), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) {
      const error = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
      throw new ApplianceRequestError(res.status, error?.error?.code ?? 'HTTP_ERROR', error?.error?.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return (await res.json()) as T;
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
export async function seatLogin(baseUrl: string, seatId: string, secret: string, fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<{ token: string; expiresInS: number }> {
  const res = await fetchFn(`${baseUrl.replace(/\/+$/, '')}${paths.seatLogin}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seatId, secret }),
  });
  if (!res.ok) throw new Error(`seat login failed: HTTP ${res.status}`);
  return (await res.json()) as { token: string; expiresInS: number };
}
