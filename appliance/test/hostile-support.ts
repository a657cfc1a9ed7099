/** Attack helpers for the hostile-cabin tests: raw HTTP from a chosen loopback address (all of 127/8 is local). */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on its own socket from `localAddress`, e.g. 127.0.0.42 standing for one phone on the cabin Wi-Fi. */
export function requestFrom(
  localAddress: string,
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(
      url,
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        localAddress,
        agent: false,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers },
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} from ${localAddress}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The `n`th test address in 127.<block>.x.y (never 127.0.0.1, which the seats in a test use). */
export function address(block: number, n: number): string {
  return `127.${block}.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;
}

export function loginFrom(localAddress: string, baseUrl: string, crewId: string, pin: string): Promise<RawResponse> {
  return requestFrom(localAddress, `${baseUrl}/api/crew/login`, { body: { crewId, pin } });
}

/** A 6-digit PIN that is not `pin`. */
export function wrongPin(pin: string, i: number): string {
  const guess = String((Number(pin) + 1 + i) % 1_000_000).padStart(6, '0');
  return guess === pin ? String((Number(pin) + 2 + i) % 1_000_000).padStart(6, '0') : guess;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
