/**
 * The seat app's one HTTP client for the appliance (passenger app, pairing, replication,
 * crew console). Every refusal becomes one `ApiError` carrying the appliance's code
 * (`{ error: { code, message } }`), so screens pick their localized message by code.
 */

/** The appliance refused (its status, code and message), or could not be reached (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Code of an ApiError for an appliance that did not answer (network down, timeout). */
export const UNREACHABLE = 'UNREACHABLE';

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** Longest refusal message kept: the appliance's are one line. */
const MAX_MESSAGE_CHARS = 500;

export class ApiClient {
  private readonly fetchFn: typeof fetch;

  constructor(
    readonly baseUrl: string,
    fetchFn?: typeof fetch,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.fetchFn = fetchFn ?? globalThis.fetch.bind(globalThis);
  }

  url(path: string): string {
    return new URL(path, `${this.baseUrl.replace(/\/+$/, '')}/`).href;
  }

  /** The JSON body of a 2xx answer; anything else throws ApiError. */
  async request<T>(path: string, request: ApiRequest = {}): Promise<T> {
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path), {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(request.timeoutMs ?? this.timeoutMs),
      });
    } catch (error) {
      throw new ApiError(0, UNREACHABLE, `${method} ${path}: ${(error as Error).message}`);
    }
    if (!res.ok) throw await refusal(res, method, path);
    return (await res.json().catch(() => {
      throw new ApiError(res.status, 'BAD_RESPONSE', `${method} ${path}: the answer is not JSON`);
    })) as T;
  }
}

async function refusal(res: Response, method: string, path: string): Promise<ApiError> {
  const body = (await res.json().catch(() => undefined)) as
    | { error?: { code?: unknown; message?: unknown } }
    | undefined;
  const code = typeof body?.error?.code === 'string' ? body.error.code : `HTTP_${res.status}`;
  const message =
    typeof body?.error?.message === 'string' ? body.error.message : `${method} ${path}: HTTP ${res.status}`;
  return new ApiError(res.status, code, message.slice(0, MAX_MESSAGE_CHARS));
}

/** True when the appliance answered with a refusal (not when it could not be reached). */
export function isRefusal(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status !== 0;
}
