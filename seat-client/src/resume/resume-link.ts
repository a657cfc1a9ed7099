/**
 * Resume anywhere, as the app sees it: resume points (read and written here, merged across the
 * seat and its paired phones by the Yjs document), the seat's passenger session, and on a phone
 * its pairing and what plays on the seat. Yjs arrives in a lazy chunk (resume-document.ts); until
 * it has loaded, reads answer "no resume point" and writes are held.
 *
 * Session rule (privacy by default): a device holds one session's state. The seat learns its
 * session from the retained seat/<S>/session; a different id than the one it holds means a new
 * flight, and everything personal on the device is wiped (onWipe). A phone's session comes with
 * its pairing; when the seat's session moves on, or the bus refuses the seat's topics, the
 * pairing has ended and the phone forgets it and its copy of the document.
 */
import { type PairingClaimed, resumeTopics, type SeatPlayback } from '@ifec/protocol';
import type { CabinLink } from '../cabin/cabin-link.ts';
import type { ContinueEntry, ResumeDocument } from './resume-document.ts';

const PAIRING_KEY = 'ifec.pairing.v1';
/** The device's copy of its session's document: `{ sessionId, update }` (resume-document.ts). */
export const STORAGE_KEY = 'ifec.resume.v1';

/** The passenger session this device holds, without loading Yjs (the replica sends it with pushes). */
export function keptSessionId(storage: Storage): string | undefined {
  try {
    return (
      (JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as { sessionId?: string | null } | null)?.sessionId ??
      undefined
    );
  } catch {
    return undefined;
  }
}

export interface ResumePoint {
  positionS: number;
  at: number;
  device: string;
}

export interface ResumeLinkOptions {
  /** `seat` for a seatback; a phone passes nothing until paired. */
  seatId?: string;
  storage: Storage;
  cabin: CabinLink;
  /** The seat's new-flight wipe of what lives outside the document (settings, favourites…). */
  onWipe?(): void;
}

type Module = typeof import('./resume-document.ts');

export class ResumeLink {
  private mod: Module | undefined;
  private document: ResumeDocument | undefined;
  private readonly held: (() => void)[] = [];
  private readonly listeners = new Set<() => void>();
  private pairing: PairingClaimed | undefined;
  private playback: SeatPlayback | undefined;
  private attachment = 0;
  private pendingSession: string | undefined;
  private stopListening: (() => void)[] = [];

  constructor(private readonly o: ResumeLinkOptions) {
    if (!o.seatId) this.pairing = readPairing(o.storage);
  }

  /** Loads Yjs and the kept document; then connects whenever the bus is up. */
  async start(): Promise<void> {
    this.mod = await import('./resume-document.ts');
    this.open(this.o.seatId ? null : (this.pairing?.sessionId ?? null));
    for (const write of this.held.splice(0)) write();
    this.emit();
    if (this.pendingSession) this.setSession(this.pendingSession);
    else if (this.o.cabin.connected) void this.attach();
  }

  // ---- resume points -------------------------------------------------------------------------

  positionOf(titleId: string): ResumePoint | undefined {
    const p = this.document?.positionOf(titleId);
    return p && { positionS: p.positionS, at: p.at, device: p.device };
  }

  continuing(): ContinueEntry[] {
    return this.document?.continuing() ?? [];
  }

  save(titleId: string, positionS: number, durationS?: number): void {
    const write = () => this.document!.client.setPosition(titleId, Math.round(positionS * 10) / 10, durationS);
    if (this.document) write();
    else this.held.push(write);
  }

  /** The title the passenger played last on any device. */
  lastTitle(): string | undefined {
    return this.document?.client.lastTitle()?.titleId;
  }

  /** The audio and subtitle languages chosen last on any of the passenger's devices. */
  languages(): { audio: string | null; subtitles: string | null } | undefined {
    return this.document?.client.languages();
  }

  setLanguages(audio: string | null, subtitles: string | null): void {
    const write = () => this.document!.client.setLanguages(audio, subtitles);
    if (this.document) write();
    else this.held.push(write);
  }

  /** Episode progress: the episode of a series the passenger is on. */
  setEpisode(seriesId: string, episodeId: string): void {
    const write = () => this.document!.client.setEpisode(seriesId, episodeId);
    if (this.document) write();
    else this.held.push(write);
  }

  /** Resolves when the appliance acknowledged every write so far (or at once offline). */
  async flushed(): Promise<void> {
    this.document?.save();
    await this.document?.client.flushed();
  }

  /** The appliance's clock as this device estimates it (stamps on what it reports). */
  now(): number {
    return this.document?.client.now() ?? Date.now();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- the seat's session --------------------------------------------------------------------

  /** From the retained seat/<S>/session. */
  setSession(sessionId: string): void {
    if (!this.mod) {
      this.pendingSession = sessionId;
      return;
    }
    if (this.document?.sessionId === sessionId) return;
    const previous = this.document?.sessionId ?? null;
    if (previous !== null) this.o.onWipe?.();
    this.open(sessionId);
    this.emit();
    if (this.o.cabin.connected) void this.attach();
  }

  // ---- the phone's pairing -------------------------------------------------------------------

  get paired(): PairingClaimed | undefined {
    return this.pairing;
  }

  /** What plays on the paired seat, as the seat last reported it. */
  get seatPlayback(): SeatPlayback | undefined {
    return this.playback;
  }

  pairedWith(claimed: PairingClaimed): void {
    this.pairing = claimed;
    this.o.storage.setItem(PAIRING_KEY, JSON.stringify(claimed));
    if (this.mod) this.open(claimed.sessionId);
    this.emit();
    // The appliance closes the phone's bus connection at a claim (its ACL changed): attach after the reconnect.
    if (this.o.cabin.connected) void this.attach();
  }

  /** The pairing ended (unpaired here, on the seat, or by the end of the flight). */
  forgetPairing(): void {
    this.pairing = undefined;
    this.playback = undefined;
    this.o.storage.removeItem(PAIRING_KEY);
    this.detach();
    if (this.mod) {
      this.document?.destroy();
      this.document = undefined;
      this.mod.ResumeDocument.wipe(this.o.storage);
      this.open(null);
    }
    this.emit();
  }

  /** A remote command for the paired seat (QoS 1: resolves when the appliance took it). */
  async sendRemote(command: object): Promise<void> {
    const bus = this.o.cabin.bus;
    if (!this.pairing || !bus) throw new Error('not paired');
    await bus.publishAcked(resumeTopics.remote(this.pairing.seatId), JSON.stringify(command));
  }

  // ---- the bus -------------------------------------------------------------------------------

  busStatus(connected: boolean): void {
    if (connected) void this.attach();
    else this.detach();
  }

  private open(sessionId: string | null): void {
    this.document?.save();
    this.document?.destroy();
    const seatId = this.o.seatId ?? this.pairing?.seatId ?? 'unpaired';
    const device = this.o.seatId ? 'seat' : (this.pairing?.device ?? 'phone-unpaired');
    this.document = this.mod!.ResumeDocument.open(this.o.storage, { seatId, device, sessionId });
    // Kept at once: after a wipe, a reload must find the new session's (empty) copy, not the old one.
    this.document.save();
    this.document.onChange(() => this.emit());
  }

  /** Subscribes the seat's (or the paired seat's) resume topics and synchronises the document. */
  private async attach(): Promise<void> {
    const attempt = ++this.attachment;
    this.detach(false);
    const bus = this.o.cabin.bus;
    const document = this.document;
    if (!this.mod || !bus || !document?.sessionId) return;
    const transport = this.mod.busTransport(bus, (fn) => {
      const stop = this.o.cabin.listen(fn);
      this.stopListening.push(stop);
      return stop;
    });
    try {
      if (this.pairing) await this.watchSeat(this.pairing);
      if (attempt !== this.attachment) return;
      await document.client.connect(transport);
    } catch (error) {
      const code = (error as { code?: string }).code;
      // The bus refused the seat's topics: this phone is no longer paired.
      if (code === 'RESUME_ACCESS_DENIED' || code === 'SUBSCRIPTION_REFUSED') this.forgetPairing();
      // No answer to our sync requests on a live bus: try again a little later.
      else if (code === 'RESUME_SYNC_TIMEOUT' && attempt === this.attachment)
        setTimeout(() => {
          if (attempt === this.attachment && this.o.cabin.connected) void this.attach();
        }, 5000);
      // BUS_DISCONNECTED: the next connect attaches again.
    }
  }

  /** A phone follows the seat's session (a new one ends the pairing) and what plays on it. */
  private async watchSeat(pairing: PairingClaimed): Promise<void> {
    const bus = this.o.cabin.bus!;
    // The bus is up, so the cabin link has loaded this chunk already.
    const { checkedMessage } = await import('../cabin/cabin-messages.ts');
    const session = resumeTopics.session(pairing.seatId);
    const playback = resumeTopics.playback(pairing.seatId);
    this.stopListening.push(
      this.o.cabin.listen((topic, payload) => {
        if (topic !== session && topic !== playback) return;
        const message = checkedMessage(topic, payload);
        if (message?.channel === 'seatSession' && message.payload.sessionId !== pairing.sessionId) this.forgetPairing();
        else if (message?.channel === 'seatPlayback') {
          this.playback = message.payload;
          this.emit();
        }
      }),
    );
    await bus.subscribe(session);
    await bus.subscribe(playback);
  }

  private detach(disconnect = true): void {
    for (const stop of this.stopListening.splice(0)) stop();
    if (disconnect) this.document?.client.disconnect();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

function readPairing(storage: Storage): PairingClaimed | undefined {
  try {
    return JSON.parse(storage.getItem(PAIRING_KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}
