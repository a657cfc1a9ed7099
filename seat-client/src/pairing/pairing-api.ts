/**
 * Pairing calls for the seat and the phone (HTTP, protocol/src/resume.ts `pairingPaths`).
 * The paths are repeated here, not imported, so the kiosk bundle does not pull every zod
 * schema of @ifec/protocol; pairing-api.test.ts fails if they drift apart.
 */
import type { PairingClaimed, PairingCode } from '@ifec/protocol';
import { seatLogin } from '../replica/appliance-api.ts';

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
  private token: { value: string; until: number } | undefined;

  constructor(private readonly baseUrl: string, private readonly seat: { seatId: string; secret: string }, private readonly fetchFn: Fetch = globalThis.fetch.bind(globalThis)) {}

  /** The seat's bearer token (POST /api/seats/login with its provisioned secret), renewed before it expires. */
  private async auth(): Promise<Record<string, string>> {
    if (!this.token || this.token.until < Date.now()) {
      const t = await seatLogin(this.baseUrl, this.seat.seatId, this.seat.secret, this.fetchFn);
      this.token = { value: t.token, until: Date.now() + (t.expiresInS - 60) * 1000 };
    }
    return { authorization: `Bearer ${this.token.value}` };
  }

  /** A new 6-digit code; `url` is what the QR code shows (prefix it with the appliance's address). */
  async newCode(): Promise<PairingCode> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.seatCodes}`, { method: 'POST', body: '{}', headers: await this.auth() });
  }

  async phones(): Promise<{ seatId: string; sessionId: string; phones: { deviceId: string; pairedAt: string }[] }> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.seatPhones}`, { method: 'GET', headers: await this.auth() });
  }

  async unpairAll(): Promise<{ unpaired: number }> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.seatPhones}`, { method: 'DELETE', headers: await this.auth() });
  }
}

/** A phone's identity is its cabin bus login (`phone:<device id>`, from POST /api/phones: seat-identity.ts). */
export function phoneIdentity(credentials: { username: string; password: string }): PhoneIdentity {
  return { deviceId: credentials.username.replace(/^phone:/, ''), password: credentials.password };
}

export class PhonePairing {
  constructor(private readonly baseUrl: string, private readonly fetchFn: Fetch = globalThis.fetch.bind(globalThis)) {}

  claim(phone: PhoneIdentity, code: string): Promise<PairingClaimed> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.claim}`, { method: 'POST', body: JSON.stringify({ ...phone, code }) });
  }

  unpair(phone: PhoneIdentity): Promise<{ unpaired: string }> {
    return call(this.fetchFn, `${this.baseUrl}${PATHS.phone}`, { method: 'DELETE', body: JSON.stringify(phone) });
  }
}
