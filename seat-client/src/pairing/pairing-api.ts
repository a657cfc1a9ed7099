/**
 * Pairing calls for the seat and the phone (HTTP, protocol/src/resume.ts `pairingPaths`).
 * The paths are repeated here, not imported, so the kiosk bundle does not pull every zod
 * schema of @ifec/protocol; pairing-api.test.ts fails if they drift apart.
 */
import type { PairingClaimed, PairingCode } from '@ifec/protocol';

export const PATHS = {
  seatCodes: '/api/pairing/codes',
  seatPhones: '/api/pairing/phones',
  claim: '/api/pairing/claim',
  phone: '/api/pairing',
  phones: '/api/phones',
} as const;

/** An error the appliance answered with: `code` is its machine-readable reason (CODE_EXPIRED, PAIRING_LOCKED…). */
export class PairingRefused extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface PhoneIdentity { deviceId: string; password: string }

type Fetch = typeof fetch;

async function call<T>(fetchFn: Fetch, url: string, init: RequestInit): Promise<T> {
  const res = await fetchFn(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) throw new PairingRefused(res.status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

export class SeatPairing {
  constructor(private readonly baseUrl: string, private readonly seatToken: () => string, private readonly fetchFn: Fetch = globalThis.fetch.bind(globalThis)) {}

  private auth() { return { authorization: `Bearer ${this.seatToken()}` }; }

  /** A new 6-digit code; `url` is what the QR code shows (prefix it with the appliance's address). */
  newCode(): Promise<PairingCode> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.seatCodes}`, { method: 'POST', body: '{}', headers: this.auth() });
  }

  phones(): Promise<{ seatId: string; sessionId: string; phones: { deviceId: string; pairedAt: string }[] }> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.seatPhones}`, { method: 'GET', headers: this.auth() });
  }

  unpairAll(): Promise<{ unpaired: number }> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.seatPhones}`, { method: 'DELETE', headers: this.auth() });
  }
}

export class PhonePairing {
  constructor(private readonly baseUrl: string, private readonly fetchFn: Fetch = globalThis.fetch.bind(globalThis)) {}

  /** A device id and its cabin bus password; keep them (localStorage) for the flight. */
  async register(): Promise<PhoneIdentity> {
    const r = await call<{ deviceId: string; mqtt: { password: string } }>(this.fetchFn, `${this.baseUrl}${PATHS.phones}`, { method: 'POST', body: '{}' });
    return { deviceId: r.deviceId, password: r.mqtt.password };
  }

  claim(phone: PhoneIdentity, code: string): Promise<PairingClaimed> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.claim}`, { method: 'POST', body: JSON.stringify({ ...phone, code }) });
  }

  unpair(phone: PhoneIdentity): Promise<{ unpaired: string }> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.phone}`, { method: 'DELETE', body: JSON.stringify(phone) });
  }
}
