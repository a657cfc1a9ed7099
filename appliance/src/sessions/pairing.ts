/**
 * Pairing a phone with a seat's passenger session. The seat shows a 6-digit code (and a QR
 * code of `/pair?code=…`), single use, valid codeTtlMs (3 min by default); a phone claims it with its device
 * credentials. Guesses are counted per phone and per network address: five wrong ones lock
 * both for LOCKOUT_MS (a fresh device id per guess does not help, the address is the same).
 * And per seat: a wrong code names no seat, so every wrong guess in the cabin counts against
 * every code shown at the time; a code outlives at most MAX_WRONG_GUESSES_PER_CODE of them and
 * is then void (the seat shows a new one). Changing address after each few guesses gains nothing.
 * Codes live in memory only (a restart voids them; the seat asks again); pairings are stored.
 * `pairedSeat` is the O(1) lookup the cabin bus ACL consults on every phone SUBSCRIBE/PUBLISH.
 */
import crypto from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import { IfecError, type PairingCode, phoneDevice } from '@ifec/protocol';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Sql } from '../store/store.ts';
import type { PassengerSessions } from './passenger-sessions.ts';
import { applyPhoneUnpaired, PHONE_PAIRED, PHONE_UNPAIRED, type PhonePaired, type PhoneUnpaired } from './records.ts';

export const DEFAULT_CODE_TTL_MS = 3 * 60_000;
export const MAX_FAILURES = 5;
export const LOCKOUT_MS = 5 * 60_000;
/** Wrong guesses anywhere in the cabin that a shown code survives; then it is void. */
export const MAX_WRONG_GUESSES_PER_CODE = 20;
/** A seat's passenger plus one companion device. */
export const MAX_PHONES_PER_SEAT = 2;
/** Used and expired codes are remembered this long, so a late claim hears why it failed. */
const REMEMBER_MS = 30 * 60_000;

export type PairingErrorCode =
  | 'CODE_UNKNOWN'
  | 'CODE_EXPIRED'
  | 'CODE_USED'
  | 'PAIRING_LOCKED'
  | 'SEAT_FULL'
  | 'NOT_PAIRED'
  | 'NO_SESSION';

export class PairingError extends IfecError<PairingErrorCode> {}

interface IssuedCode {
  seatId: string;
  sessionId: string;
  expiresAt: number;
  usedAt?: number;
  /** The cabin's wrong-guess count when the code was issued. */
  wrongGuessesAtIssue: number;
}

export interface PairedPhone {
  deviceId: string;
  seatId: string;
  sessionId: string;
  pairedAt: string;
}

export class Pairings {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly codeOfSeat = new Map<string, string>();
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();
  private phones = new Map<string, PairedPhone>();
  private wrongGuesses = 0;

  constructor(
    private readonly records: Pick<DurableRecords, 'write' | 'journalOnly'>,
    private readonly sessions: PassengerSessions,
    readonly options: { codeTtlMs?: number; now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.codeTtlMs = options.codeTtlMs ?? DEFAULT_CODE_TTL_MS;
  }

  private readonly now: () => number;
  private readonly codeTtlMs: number;

  async load(db: Sql): Promise<void> {
    const { rows } = await db.query<{ device_id: string; seat_id: string; session_id: string; paired_at: Date }>(
      'SELECT * FROM phone_pairings',
    );
    this.phones = new Map(
      rows
        .filter((r) => this.sessions.sessionOf(r.seat_id) === r.session_id)
        .map((r) => [
          r.device_id,
          {
            deviceId: r.device_id,
            seatId: r.seat_id,
            sessionId: r.session_id,
            pairedAt: new Date(r.paired_at).toISOString(),
          },
        ]),
    );
  }

  /** The seat a phone is paired with; consulted by the ACL, so a Map lookup and nothing more. */
  pairedSeat = (deviceId: string): string | undefined => this.phones.get(deviceId)?.seatId;

  phonesOf(seatId: string): PairedPhone[] {
    return [...this.phones.values()].filter((p) => p.seatId === seatId);
  }

  /** A new code for the seat; the seat's previous unused code stops working. */
  issueCode(seatId: string): PairingCode {
    const sessionId = this.sessions.sessionOf(seatId);
    if (!sessionId) throw new PairingError('NO_SESSION', `seat ${seatId} has no passenger session`);
    this.sweep();
    const previous = this.codeOfSeat.get(seatId);
    if (previous && this.codes.get(previous)?.usedAt === undefined) this.codes.delete(previous);
    let code: string;
    do code = crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
    while (this.codes.has(code));
    const expiresAt = this.now() + this.codeTtlMs;
    this.codes.set(code, { seatId, sessionId, expiresAt, wrongGuessesAtIssue: this.wrongGuesses });
    this.codeOfSeat.set(seatId, code);
    return { code, url: `/#/pair?code=${code}`, expiresAt: new Date(expiresAt).toISOString(), seatId };
  }

  /** `source` is the phone's network address: failures count against it and the device. */
  async claim(deviceId: string, code: string, source: string): Promise<PairedPhone & { device: string }> {
    const keys = [`device:${deviceId}`, `source:${source}`];
    for (const key of keys) {
      const f = this.failures.get(key);
      if (f && f.lockedUntil > this.now()) {
        throw new PairingError(
          'PAIRING_LOCKED',
          `too many wrong pairing codes: try again in ${Math.ceil((f.lockedUntil - this.now()) / 60_000)} min`,
        );
      }
    }
    const issued = this.codes.get(code);
    const refuse = (errorCode: PairingErrorCode, message: string): never => {
      for (const key of keys) {
        const count = (this.failures.get(key)?.count ?? 0) + 1;
        this.failures.set(key, { count, lockedUntil: count >= MAX_FAILURES ? this.now() + LOCKOUT_MS : 0 });
      }
      throw new PairingError(errorCode, message);
    };
    if (!issued) {
      this.wrongGuesses++;
      return refuse('CODE_UNKNOWN', 'wrong pairing code: check the 6 digits on the seat screen');
    }
    if (issued.usedAt === undefined && this.wrongGuesses - issued.wrongGuessesAtIssue >= MAX_WRONG_GUESSES_PER_CODE) {
      issued.expiresAt = Math.min(issued.expiresAt, this.now());
      return refuse(
        'CODE_EXPIRED',
        'too many wrong codes were tried in the cabin while this one was shown: ask the seat for a new one',
      );
    }
    if (issued.usedAt !== undefined)
      return refuse('CODE_USED', 'this pairing code was already used: ask the seat for a new one');
    if (issued.expiresAt <= this.now())
      return refuse('CODE_EXPIRED', 'this pairing code has expired: ask the seat for a new one');
    if (this.sessions.sessionOf(issued.seatId) !== issued.sessionId)
      return refuse('CODE_EXPIRED', 'this pairing code belongs to an ended flight: ask the seat for a new one');
    const others = this.phonesOf(issued.seatId).filter((p) => p.deviceId !== deviceId);
    if (others.length >= MAX_PHONES_PER_SEAT)
      throw new PairingError(
        'SEAT_FULL',
        `seat ${issued.seatId} already has ${MAX_PHONES_PER_SEAT} phones: unpair one first`,
      );

    issued.usedAt = this.now();
    for (const key of keys) this.failures.delete(key);
    const paired: PairedPhone = {
      deviceId,
      seatId: issued.seatId,
      sessionId: issued.sessionId,
      pairedAt: new Date(this.now()).toISOString(),
    };
    // Journalled before the phone hears it is paired: a rebuilt store still lets it in.
    await this.records.write<PhonePaired>(PHONE_PAIRED, crypto.randomUUID(), paired);
    this.phones.set(deviceId, paired);
    return { ...paired, device: phoneDevice(deviceId) };
  }

  async unpair(deviceId: string): Promise<PairedPhone> {
    const paired = this.phones.get(deviceId);
    if (!paired) throw new PairingError('NOT_PAIRED', 'this phone is not paired with a seat');
    this.phones.delete(deviceId);
    await this.records.write<PhoneUnpaired>(PHONE_UNPAIRED, crypto.randomUUID(), { deviceId });
    return paired;
  }

  async unpairSeat(seatId: string): Promise<PairedPhone[]> {
    const phones = this.phonesOf(seatId);
    for (const p of phones) this.phones.delete(p.deviceId);
    await this.records.write<PhoneUnpaired>(PHONE_UNPAIRED, crypto.randomUUID(), { seatId });
    return phones;
  }

  /** Inside the reset transaction: every pairing and every code ends with the flight. */
  async endAll(tx: Transaction): Promise<PairedPhone[]> {
    const ended = [...this.phones.values()];
    await applyPhoneUnpaired(
      tx,
      await this.records.journalOnly<PhoneUnpaired>(PHONE_UNPAIRED, crypto.randomUUID(), { all: true }),
    );
    this.phones = new Map();
    this.codes.clear();
    this.codeOfSeat.clear();
    return ended;
  }

  private sweep(): void {
    const now = this.now();
    for (const [code, issued] of this.codes) {
      if (issued.expiresAt + REMEMBER_MS < now) {
        this.codes.delete(code);
        if (this.codeOfSeat.get(issued.seatId) === code) this.codeOfSeat.delete(issued.seatId);
      }
    }
    for (const [key, f] of this.failures) if (f.lockedUntil && f.lockedUntil < now) this.failures.delete(key);
  }
}
