/**
 * Parental lock: the passenger's own (a 4-digit PIN, only its hash kept) or crew-set (from
 * the appliance's retained seat controls; only crew lift it). Either one hides adult ratings.
 */
import type { PassengerParentalLock } from '@ifec/protocol';
import { DEFAULT_PARENTAL_AGE, PARENTAL_AGES } from '../catalog/model.ts';
import { hashPin } from './settings.ts';

type PassengerLock = Pick<PassengerParentalLock, 'enabled' | 'pinHash' | 'pinSalt'>;

const KEY = 'ifec.parental.v1';
const AGE_KEY = 'ifec.parental.age.v1';

/** Why a PIN was not taken: too short (or not digits) is not the same as wrong. */
export type PinOutcome = 'ok' | 'too-short' | 'wrong';

export class ParentalLock {
  private passenger: PassengerLock;
  private crew = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage) {
    try {
      this.passenger = JSON.parse(storage.getItem(KEY) ?? '{"enabled":false}') as PassengerLock;
    } catch {
      this.passenger = { enabled: false };
    }
  }

  /** Titles rated above this age are hidden while the lock is on. */
  get maxAge(): number {
    const n = Number(this.storage.getItem(AGE_KEY));
    return PARENTAL_AGES.includes(n as (typeof PARENTAL_AGES)[number]) ? n : DEFAULT_PARENTAL_AGE;
  }

  setMaxAge(age: number): void {
    if (!PARENTAL_AGES.includes(age as (typeof PARENTAL_AGES)[number]) || age === this.maxAge) return;
    this.storage.setItem(AGE_KEY, String(age));
    this.emit();
  }

  /** Lock or unlock with the PIN, saying why it was refused. */
  async toggle(pin: string): Promise<PinOutcome> {
    if (!/^[0-9]{4}$/.test(pin)) return 'too-short';
    const ok = this.passenger.enabled ? await this.unlock(pin) : await this.lock(pin);
    return ok ? 'ok' : 'wrong';
  }

  get active(): boolean {
    return this.passenger.enabled || this.crew;
  }
  get byCrew(): boolean {
    return this.crew;
  }
  get byPassenger(): boolean {
    return this.passenger.enabled;
  }

  setCrewLock(on: boolean): void {
    if (this.crew === on) return;
    this.crew = on;
    this.emit();
  }

  async lock(pin: string): Promise<boolean> {
    if (!/^[0-9]{4}$/.test(pin)) return false;
    const salt = crypto.getRandomValues(new Uint32Array(2)).join('-');
    this.passenger = { enabled: true, pinSalt: salt, pinHash: await hashPin(pin, salt) };
    this.save();
    return true;
  }

  async unlock(pin: string): Promise<boolean> {
    if (!this.passenger.enabled || !this.passenger.pinSalt) return true;
    if ((await hashPin(pin, this.passenger.pinSalt)) !== this.passenger.pinHash) return false;
    this.passenger = { enabled: false };
    this.save();
    return true;
  }

  reset(): void {
    this.passenger = { enabled: false };
    this.storage.removeItem(AGE_KEY);
    this.save();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private save(): void {
    this.storage.setItem(KEY, JSON.stringify(this.passenger));
    this.emit();
  }
  private emit(): void {
    for (const l of this.listeners) l();
  }
}
