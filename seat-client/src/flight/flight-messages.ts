/**
 * The flight messages the seat hears on the cabin bus, checked against protocol's schemas
 * before anything reads them: a message that fails is dropped with its reason.
 */
import {
  type FlightPhaseState,
  type FlightPosition,
  flightPhaseState,
  flightPosition,
  MAX_CONSUMED_PAYLOAD_BYTES,
  type PolicyCurrent,
  parseJson,
  policyBlocks,
  policyCurrent,
  topics,
} from '@ifec/protocol';

export type FlightMessage =
  | { kind: 'position'; value: FlightPosition }
  | { kind: 'phase'; value: FlightPhaseState }
  /** null: the policy was withdrawn (empty retained payload): nothing is restricted by it. */
  | { kind: 'policy'; value: PolicyCurrent | null; blocks: TitleRule };

/** protocol's rule for "this title is restricted now", bound to one policy (it lives in this chunk, with zod). */
export type TitleRule = (title: { id: string; kind?: string; genres?: readonly string[] }) => boolean;

const bind =
  (policy: PolicyCurrent | null): TitleRule =>
  (title) =>
    policyBlocks(policy, title);

/** undefined: not a flight topic (someone else's message); otherwise the message or why it was refused. */
export function parseFlightMessage(
  topic: string,
  bytes: Uint8Array,
): { ok: true; message: FlightMessage } | { ok: false; reason: string } | undefined {
  if (topic !== topics.flightPosition && topic !== topics.flightPhase && topic !== topics.policyCurrent)
    return undefined;
  if (bytes.length > MAX_CONSUMED_PAYLOAD_BYTES)
    return {
      ok: false,
      reason: `payload of ${bytes.length} bytes is over the ${MAX_CONSUMED_PAYLOAD_BYTES}-byte limit`,
    };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (topic === topics.policyCurrent) {
    if (text.length === 0) return { ok: true, message: { kind: 'policy', value: null, blocks: bind(null) } };
    const r = parseJson(policyCurrent, text);
    return r.ok
      ? { ok: true, message: { kind: 'policy', value: r.value, blocks: bind(r.value) } }
      : { ok: false, reason: r.error };
  }
  if (text.length === 0) return { ok: false, reason: 'empty payload' };
  if (topic === topics.flightPosition) {
    const r = parseJson(flightPosition, text);
    return r.ok ? { ok: true, message: { kind: 'position', value: r.value } } : { ok: false, reason: r.error };
  }
  const r = parseJson(flightPhaseState, text);
  return r.ok ? { ok: true, message: { kind: 'phase', value: r.value } } : { ok: false, reason: r.error };
}
