/**
 * Rules by airspace: evaluates the policy document for where the aircraft is (region, altitude,
 * phase) and says what holds, with the rule behind every decision. Pure.
 */
import { type AirspacePolicy, airspacePolicy, type FlightPhase, type PolicyCurrent } from '@ifec/protocol';

export interface Situation {
  region: string | null;
  altitudeM: number;
  phase: FlightPhase;
}

export function matches(rule: AirspacePolicy['rules'][number], s: Situation, tags: readonly string[]): boolean {
  const w = rule.when;
  const region = s.region ?? 'INTL';
  if (w.regions && !w.regions.includes(region)) return false;
  if (w.tags && !w.tags.some((t) => tags.includes(t))) return false;
  if (w.minAltitudeM !== undefined && !(s.altitudeM >= w.minAltitudeM)) return false;
  if (w.maxAltitudeM !== undefined && !(s.altitudeM < w.maxAltitudeM)) return false;
  if (w.phases && !w.phases.includes(s.phase)) return false;
  return true;
}

/** The decision for a situation; `at` is stamped by the caller. */
export function decide(policy: AirspacePolicy, s: Situation, at: string): PolicyCurrent {
  const tags = policy.regionTags[s.region ?? 'INTL'] ?? [];
  const out: PolicyCurrent = {
    at,
    policyId: policy.id,
    policyVersion: policy.version,
    region: s.region,
    tags: [...tags],
    phase: s.phase,
    wifi: { value: policy.defaults.wifi, rule: 'default' },
    voip: { value: policy.defaults.voip, rule: 'default' },
    messaging: { value: policy.defaults.messaging, rule: 'default' },
    priceZone: { value: policy.defaults.priceZone, rule: 'default' },
    blocked: { titles: [], genres: [], rules: [] },
  };
  const titles = new Set<string>();
  const genres = new Set<string>();
  for (const rule of policy.rules) {
    if (!matches(rule, s, tags)) continue;
    if (rule.wifi !== undefined) out.wifi = { value: rule.wifi, rule: rule.id };
    if (rule.voip !== undefined) out.voip = { value: rule.voip, rule: rule.id };
    if (rule.messaging !== undefined) out.messaging = { value: rule.messaging, rule: rule.id };
    if (rule.priceZone !== undefined) out.priceZone = { value: rule.priceZone, rule: rule.id };
    if (rule.blockTitles?.length || rule.blockGenres?.length) {
      for (const t of rule.blockTitles ?? []) titles.add(t);
      for (const g of rule.blockGenres ?? []) genres.add(g.toLowerCase());
      out.blocked.rules.push(rule.id);
    }
  }
  out.blocked.titles = [...titles].sort();
  out.blocked.genres = [...genres].sort();
  return out;
}

/** Same decision, ignoring when it was made: a new one is published only when this differs. */
export function sameDecision(a: PolicyCurrent | undefined, b: PolicyCurrent): boolean {
  if (!a) return false;
  const { at: _a, phase: _pa, ...restA } = a;
  const { at: _b, phase: _pb, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

/** Which rule blocks a title now, if any (by id or by one of its genres). */
export function blockingRule(
  policy: AirspacePolicy,
  s: Situation,
  title: { id: string; genres: readonly string[] },
): string | undefined {
  const tags = policy.regionTags[s.region ?? 'INTL'] ?? [];
  for (const rule of policy.rules) {
    if (!matches(rule, s, tags)) continue;
    if (rule.blockTitles?.includes(title.id)) return rule.id;
    if (rule.blockGenres?.some((g) => title.genres.some((tg) => tg.toLowerCase() === g.toLowerCase()))) return rule.id;
  }
  return undefined;
}

/**
 * Shipped with the appliance and used until the ground sends one: connectivity only above
 * 3,000 m, VoIP never over states tagged no-voip, premium Wi-Fi over the oceans, and a demo
 * content rule (genre "horror" blocked over states tagged gulf).
 */
export const DEMO_AIRSPACE_POLICY: AirspacePolicy = airspacePolicy.parse({
  id: 'demo-airspace',
  version: 1,
  regionTags: {
    SA: ['gulf'],
    AE: ['gulf'],
    QA: ['gulf'],
    KW: ['gulf'],
    BH: ['gulf'],
    OM: ['gulf'],
    IR: ['gulf', 'no-voip'],
    CN: ['no-voip'],
    IN: ['no-voip'],
    PK: ['no-voip'],
    AT: ['eu'],
    BE: ['eu'],
    DE: ['eu'],
    FR: ['eu'],
    NL: ['eu'],
    IT: ['eu'],
    ES: ['eu'],
    GR: ['eu'],
    BG: ['eu'],
    RO: ['eu'],
    HU: ['eu'],
    CZ: ['eu'],
    SK: ['eu'],
    PL: ['eu'],
    INTL: ['oceanic'],
  },
  defaults: { wifi: true, voip: false, messaging: true, priceZone: 'standard' },
  rules: [
    { id: 'voip-above-land-in-eu', when: { tags: ['eu'], minAltitudeM: 3000 }, voip: true },
    { id: 'oceanic-premium', when: { regions: ['INTL'] }, priceZone: 'oceanic-premium', voip: true },
    { id: 'no-voip-states', when: { tags: ['no-voip'] }, voip: false },
    { id: 'gulf-content', when: { tags: ['gulf'] }, blockGenres: ['horror'] },
    { id: 'connectivity-above-3000m', when: { maxAltitudeM: 3000 }, wifi: false, voip: false, messaging: false },
  ],
});
