/**
 * Who may connect: seats (provisioned secret), crew (PIN or a crew token), phones and the
 * appliance's own services (passwords derived from the appliance secret). Seat and crew
 * hashes are held in memory so 850 seats reconnecting at once never touch the store.
 */
import { type CrewRole, crewRole } from '@ifec/protocol';
import type { Sql } from '../store/store.ts';
import { LoginGuard } from './login-guard.ts';
import { LoginBusyError, type PinHasher } from './pin-hasher.ts';
import type { Principal } from './principal.ts';
import { newPin, verifySeatSecret } from './secrets.ts';
import type { TokenSigner } from './tokens.ts';

export { LoginLockedError } from './login-guard.ts';

const CREW_TOKEN_TTL_S = 14 * 3600;

export interface CrewMember {
  crewId: string;
  name: string;
  role: CrewRole;
  pinHash: string;
}

export class AccessDirectory {
  private seatHashes = new Map<string, string>();
  private crew = new Map<string, CrewMember>();
  /**
   * An unknown crew id is checked against this, so it answers as slowly as a real one. Made in
   * the background: waiting for it held every start for the PIN worker to come up (2.6 s on a
   * busy machine), and no login arrives before HTTP listens.
   */
  private dummyPinHash: Promise<string> | undefined;
  readonly loginGuard: LoginGuard;

  constructor(
    private readonly signer: TokenSigner,
    private readonly hasher: PinHasher,
    private readonly now: () => number = Date.now,
  ) {
    this.loginGuard = new LoginGuard((crewId) => this.crew.has(crewId), now);
  }

  async load(db: Sql): Promise<void> {
    const seats = await db.query<{ seat_id: string; secret_hash: string }>('SELECT seat_id, secret_hash FROM seats');
    this.seatHashes = new Map(seats.rows.map((r) => [r.seat_id, r.secret_hash]));
    const crew = await db.query<{ crew_id: string; name: string; role: string; pin_hash: string }>(
      'SELECT * FROM crew',
    );
    this.crew = new Map(
      crew.rows.map((r) => [
        r.crew_id,
        { crewId: r.crew_id, name: r.name, role: crewRole.parse(r.role), pinHash: r.pin_hash },
      ]),
    );
    if (!this.dummyPinHash) {
      this.dummyPinHash = this.hasher.hash(newPin());
      this.dummyPinHash.catch(() => undefined); // a failure surfaces at the first unknown-id login
    }
  }

  get seatIds(): string[] {
    return [...this.seatHashes.keys()];
  }

  crewMember(crewId: string): CrewMember | undefined {
    return this.crew.get(crewId);
  }

  /** MQTT login: `seat:12A`, `crew:P100`, `phone:<device id>`, `service:<name>`; `source` is the peer's address. */
  async authenticate(username: string, password: string, source = 'unknown'): Promise<Principal | undefined> {
    const colon = username.indexOf(':');
    const kind = username.slice(0, colon);
    const id = username.slice(colon + 1);
    if (colon < 1 || !id || !password) return undefined;
    switch (kind) {
      case 'seat': {
        const hash = this.seatHashes.get(id);
        return hash && verifySeatSecret(password, hash) ? { role: 'seat', seatId: id } : undefined;
      }
      case 'crew': {
        const fromToken = this.verifyCrewToken(password);
        if (fromToken?.crewId === id) return fromToken;
        try {
          return await this.loginCrew(id, password, source);
        } catch {
          return undefined;
        }
      }
      case 'phone':
        return password === this.phonePassword(id) ? { role: 'phone', deviceId: id } : undefined;
      case 'service':
        return password === this.servicePassword(id) ? { role: 'service', name: id } : undefined;
      default:
        return undefined;
    }
  }

  /**
   * Checks a PIN. The attempt is reserved with the login guard before any hashing (so parallel
   * guesses cannot outrun the limit); throws LoginLockedError or LoginBusyError.
   */
  async loginCrew(crewId: string, pin: string, source: string): Promise<(Principal & { role: 'crew' }) | undefined> {
    const ticket = this.loginGuard.reserve(crewId, source);
    const member = this.crew.get(crewId);
    let ok: boolean;
    try {
      ok = await this.hasher.verify(pin, member?.pinHash ?? (await (this.dummyPinHash ??= this.hasher.hash(newPin()))));
    } catch (error) {
      if (error instanceof LoginBusyError) this.loginGuard.released(ticket);
      throw error;
    }
    if (!member || !ok) return undefined;
    this.loginGuard.succeeded(ticket);
    return { role: 'crew', crewId, crewRole: member.role };
  }

  issueCrewToken(p: Principal & { role: 'crew' }): { token: string; expiresInS: number } {
    return {
      token: this.signer.sign({ sub: p.crewId, role: p.crewRole, typ: 'crew' }, CREW_TOKEN_TTL_S),
      expiresInS: CREW_TOKEN_TTL_S,
    };
  }

  verifyCrewToken(token: string): (Principal & { role: 'crew' }) | undefined {
    const claims = this.signer.verify<{ sub: string; role: string; typ: string }>(token, this.now());
    if (claims?.typ !== 'crew' || !this.crew.has(claims.sub)) return undefined;
    const role = crewRole.safeParse(claims.role);
    return role.success ? { role: 'crew', crewId: claims.sub, crewRole: role.data } : undefined;
  }

  phonePassword(deviceId: string): string {
    return this.signer.derive(`phone:${deviceId}`);
  }

  servicePassword(name: string): string {
    return this.signer.derive(`service:${name}`);
  }
}
