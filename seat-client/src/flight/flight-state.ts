/**
 * What the seat knows about the flight: the last position and phase from the cabin bus, the
 * track flown since this seat started listening (for the map), and the policy in force (which
 * titles may be shown now). One instance per app, passed in; the map, the home strip, the
 * catalogue filter and the player read it.
 */
import type { FlightPhaseState, FlightPosition, PolicyCurrent } from '@ifec/protocol';
import type { TitleRule } from './flight-messages.ts';

/** Enough breadcrumbs for a 20-hour flight at one per minute; older ones are thinned, never the newest. */
const MAX_TRACK_POINTS = 1200;
/** A breadcrumb every this many metres flown (1 Hz positions would overflow the track). */
const TRACK_STEP_M = 10_000;

export type FlightChange = 'position' | 'phase' | 'policy';

export class FlightAwareness {
  private pos: FlightPosition | null = null;
  private receivedAt = 0;
  private phaseState: FlightPhaseState | null = null;
  private rules: PolicyCurrent | null = null;
  private rule: TitleRule = () => false;
  private trail: [number, number][] = [];
  private lastTrailFlownM = -Infinity;
  private readonly listeners = new Set<(change: FlightChange) => void>();

  get position(): FlightPosition | null {
    return this.pos;
  }
  /** When this device last heard a position (its own clock: the appliance's may differ). */
  get positionReceivedAt(): number {
    return this.receivedAt;
  }
  get phase(): FlightPhaseState | null {
    return this.phaseState;
  }
  get policy(): PolicyCurrent | null {
    return this.rules;
  }
  /** [lon, lat] breadcrumbs every 10 km flown, oldest first (the map adds the current fix). */
  get track(): readonly [number, number][] {
    return this.trail;
  }

  setPosition(p: FlightPosition): void {
    // A retained message replayed at reconnect may be older than what we have.
    if (this.pos && Date.parse(p.at) < Date.parse(this.pos.at)) return;
    // A new flight (distance flown went back): start the track again.
    if (this.pos && p.distanceFlownM + 1000 < this.pos.distanceFlownM) {
      this.trail = [];
      this.lastTrailFlownM = -Infinity;
    }
    this.pos = p;
    this.receivedAt = Date.now();
    if (this.trail.length === 0 || p.distanceFlownM - this.lastTrailFlownM >= TRACK_STEP_M) {
      this.trail.push([p.lon, p.lat]);
      this.lastTrailFlownM = p.distanceFlownM;
      if (this.trail.length > MAX_TRACK_POINTS)
        this.trail = this.trail.filter((_, i) => i % 2 === 0 || i === this.trail.length - 1);
    }
    this.emit('position');
  }

  setPhase(p: FlightPhaseState): void {
    this.phaseState = p;
    this.emit('phase');
  }

  /** The policy and protocol's rule bound to it (see flight-messages.ts: both come with the validator). */
  setPolicy(p: PolicyCurrent | null, blocks: TitleRule): void {
    this.rules = p;
    this.rule = blocks;
    this.emit('policy');
  }

  /** Whether the policy in force restricts this title (the catalogue hides it, the player stops it). */
  blocks(title: { id: string; kind?: string; genres?: readonly string[] }): boolean {
    return this.rule(title);
  }

  subscribe(listener: (change: FlightChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: FlightChange): void {
    for (const l of this.listeners) l(change);
  }
}
