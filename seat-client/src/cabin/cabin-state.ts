/**
 * What the passenger is told about a request that needs the appliance: the call light and
 * do-not-disturb travel in the seat's health report, so a change is "queued" while the cabin
 * bus is down, "sending" until the broker acknowledges the report that carries it (QoS 1
 * PUBACK: the appliance has it on the crew's seat map), then "received"; a crew member's
 * acknowledgement turns a call into "crew is coming". Pure: events in, state out.
 */
export type CallState = 'idle' | 'queued' | 'sending' | 'received' | 'acknowledged';
export type SaveState = 'saved' | 'queued' | 'sending';

export interface CabinStateView {
  call: CallState;
  dnd: { on: boolean; state: SaveState };
  /** When the crew acknowledged (appliance clock as the seat received it), for "crew is coming". */
  acknowledgedAt: number | null;
}

/** "Crew is coming" stays this long after an acknowledgement, unless the passenger calls again. */
export const ACKNOWLEDGED_SHOWN_MS = 5 * 60_000;

export class CabinState {
  /** Each change of the call light or DND gets a revision; a report acknowledged by the broker delivers all up to its own. */
  private revision = 0;
  private delivered = 0;
  private callRevision = 0;
  private dndRevision = 0;
  private calling = false;
  private dndOn = false;
  private connected = false;
  private acknowledgedAt: number | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The passenger pressed "call crew" or "cancel call". */
  setCall(on: boolean): number {
    this.calling = on;
    if (on) this.acknowledgedAt = null;
    this.callRevision = ++this.revision;
    this.emit();
    return this.revision;
  }

  setDnd(on: boolean): number {
    if (on === this.dndOn && this.dndRevision > 0) return this.revision;
    this.dndOn = on;
    this.dndRevision = ++this.revision;
    this.emit();
    return this.revision;
  }

  /** The crew acknowledged the call on the console (seat/<id>/command ack-call). */
  acknowledged(): void {
    this.calling = false;
    this.acknowledgedAt = this.now();
    this.callRevision = ++this.revision;
    this.emit();
  }

  busStatus(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.emit();
  }

  /** The broker acknowledged the health report sent at `revision`. */
  deliveredUpTo(revision: number): void {
    if (revision <= this.delivered) return;
    this.delivered = revision;
    this.emit();
  }

  get currentRevision(): number {
    return this.revision;
  }

  get callLight(): boolean {
    return this.calling;
  }

  view(): CabinStateView {
    const pending = (rev: number) => rev > this.delivered;
    const save = (rev: number): SaveState => (!pending(rev) ? 'saved' : this.connected ? 'sending' : 'queued');
    let call: CallState = 'idle';
    if (this.calling) {
      const s = save(this.callRevision);
      call = s === 'saved' ? 'received' : s;
    } else if (this.acknowledgedAt !== null && this.now() - this.acknowledgedAt < ACKNOWLEDGED_SHOWN_MS) {
      call = 'acknowledged';
    }
    return { call, dnd: { on: this.dndOn, state: save(this.dndRevision) }, acknowledgedAt: this.acknowledgedAt };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
