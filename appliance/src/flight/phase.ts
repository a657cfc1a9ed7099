/**
 * Flight phase from ground speed, vertical speed and height above the field, with hysteresis:
 * a phase changes only when the next phase's condition has held for its dwell time (fix time,
 * so a replay at 60x and a live source agree), and thresholds either side are apart, so GPS
 * noise on a level cruise never flaps it. Step climbs (about 2 minutes at 1,000 ft/min) stay
 * cruise. Pure: fixes in, phase out.
 */
import type { FlightPhase } from '@ifec/protocol';

export interface PhaseInput {
  /** Fix time, ms. */
  at: number;
  groundSpeedMps: number;
  verticalSpeedMps: number;
  /** Height above the relevant field (origin before the flight, destination after). */
  heightM: number;
}

interface Transition {
  to: FlightPhase;
  /** Seconds the condition must hold. */
  dwellS: number;
  when: (i: PhaseInput) => boolean;
  /** The rule, for the log. */
  rule: string;
}

const onGround = (i: PhaseInput) => i.heightM < 40 && Math.abs(i.verticalSpeedMps) < 2;

/** From each phase, where it may go next and when. Checked in order: the first that holds wins. */
export const PHASE_TRANSITIONS: Record<FlightPhase, Transition[]> = {
  gate: [
    { to: 'takeoff', dwellS: 3, when: (i) => i.groundSpeedMps > 25, rule: 'ground speed > 25 m/s for 3 s' },
    { to: 'taxi_out', dwellS: 10, when: (i) => i.groundSpeedMps > 2, rule: 'ground speed > 2 m/s for 10 s' },
  ],
  taxi_out: [{ to: 'takeoff', dwellS: 3, when: (i) => i.groundSpeedMps > 25, rule: 'ground speed > 25 m/s for 3 s' }],
  takeoff: [
    { to: 'climb', dwellS: 5, when: (i) => i.heightM > 450, rule: 'above 450 m (1,500 ft) for 5 s' },
    {
      to: 'taxi_out',
      dwellS: 20,
      when: (i) => onGround(i) && i.groundSpeedMps < 15,
      rule: 'rejected take-off: on the ground below 15 m/s for 20 s',
    },
  ],
  climb: [
    { to: 'descent', dwellS: 60, when: (i) => i.verticalSpeedMps < -2.5, rule: 'vertical speed < -2.5 m/s for 60 s' },
    {
      to: 'cruise',
      dwellS: 60,
      when: (i) => Math.abs(i.verticalSpeedMps) < 1.5 && i.heightM > 1500,
      rule: 'level (|vs| < 1.5 m/s) above 1,500 m for 60 s',
    },
  ],
  cruise: [
    { to: 'descent', dwellS: 90, when: (i) => i.verticalSpeedMps < -2.5, rule: 'vertical speed < -2.5 m/s for 90 s' },
    {
      to: 'climb',
      dwellS: 240,
      when: (i) => i.verticalSpeedMps > 2.5,
      rule: 'vertical speed > 2.5 m/s for 240 s (longer than a step climb)',
    },
  ],
  descent: [
    {
      to: 'approach',
      dwellS: 10,
      when: (i) => i.heightM < 1200,
      rule: 'below 1,200 m (4,000 ft) above the field for 10 s',
    },
    { to: 'climb', dwellS: 90, when: (i) => i.verticalSpeedMps > 2.5, rule: 'vertical speed > 2.5 m/s for 90 s' },
  ],
  approach: [
    { to: 'landed', dwellS: 3, when: onGround, rule: 'on the ground (below 40 m, |vs| < 2 m/s) for 3 s' },
    {
      to: 'climb',
      dwellS: 20,
      when: (i) => i.verticalSpeedMps > 2.5,
      rule: 'go-around: vertical speed > 2.5 m/s for 20 s',
    },
  ],
  landed: [{ to: 'taxi_in', dwellS: 5, when: (i) => i.groundSpeedMps < 15, rule: 'ground speed < 15 m/s for 5 s' }],
  taxi_in: [{ to: 'gate', dwellS: 30, when: (i) => i.groundSpeedMps < 0.5, rule: 'stopped (< 0.5 m/s) for 30 s' }],
};

export interface PhaseChange {
  phase: FlightPhase;
  previous: FlightPhase;
  at: number;
  rule: string;
}

export class PhaseDetector {
  private current: FlightPhase;
  private sinceAt: number;
  /** Since when each transition's condition has held without a break. */
  private readonly holding = new Map<FlightPhase, number>();

  constructor(initial: FlightPhase = 'gate', since = 0) {
    this.current = initial;
    this.sinceAt = since;
  }

  get phase(): FlightPhase {
    return this.current;
  }

  get since(): number {
    return this.sinceAt;
  }

  /** Feeds one fix; returns the change it caused, if any (at most one per fix). */
  update(input: PhaseInput): PhaseChange | undefined {
    for (const t of PHASE_TRANSITIONS[this.current]) {
      if (!t.when(input)) {
        this.holding.delete(t.to);
        continue;
      }
      const from = this.holding.get(t.to) ?? input.at;
      this.holding.set(t.to, from);
      if (input.at - from >= t.dwellS * 1000) {
        const change = { phase: t.to, previous: this.current, at: input.at, rule: t.rule };
        this.current = t.to;
        this.sinceAt = input.at;
        this.holding.clear();
        return change;
      }
    }
    return undefined;
  }
}
