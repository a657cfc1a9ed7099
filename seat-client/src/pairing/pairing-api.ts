/** Pairing calls for the seat and the phone (HTTP, `paths.pairing` of the protocol). */
import { type PairingClaimed, type PairingCode, type PhoneCredentials, paths } from '@ifec/protocol';
import { ApiClient } from '../api/api-client.ts';
import { seatLogin } from '../replica/appliance-api.ts';

export type PhoneIdentity = PhoneCredentials;

type Fetch = typeof fetch;

export class SeatPairing {
  private token: { value: string; until: number } | undefined;
  private readonly client: ApiClient;

  constructor(
    private readonly baseUrl: string,
    private readonly seat: { seatId: string; secret: string },
    private readonly fetchFn: Fetch = globalThis.fetch.bind(globalThis),
  ) {
    this.client = new ApiClient(baseUrl, fetchFn);
  }

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
    return this.client.request(paths.pairing.seatCodes, { method: 'POST', body: {}, headers: await this.auth() });
  }

  async phones(): Promise<{ seatId: string; sessionId: string; phones: { deviceId: string; pairedAt: string }[] }> {
    return this.client.request(paths.pairing.seatPhones, { headers: await this.auth() });
  }

  async unpairAll(): Promise<{ unpaired: number }> {
    return this.client.request(paths.pairing.seatPhones, { method: 'DELETE', headers: await this.auth() });
  }
}

/** A phone's identity is its cabin bus login (`phone:<device id>`, from POST /api/phones: seat-identity.ts). */
export function phoneIdentity(credentials: { username: string; password: string }): PhoneIdentity {
  return { deviceId: credentials.username.replace(/^phone:/, ''), password: credentials.password };
}

export class PhonePairing {
  private readonly client: ApiClient;

  constructor(baseUrl: string, fetchFn?: Fetch) {
    this.client = new ApiClient(baseUrl, fetchFn);
  }

  claim(phone: PhoneIdentity, code: string): Promise<PairingClaimed> {
    return this.client.request(paths.pairing.claim, { method: 'POST', body: { ...phone, code } });
  }

  unpair(phone: PhoneIdentity): Promise<{ unpaired: string }> {
    return this.client.request(paths.pairing.phone, { method: 'DELETE', body: phone });
  }
}
