/**
 * The crew console's flight status: phase, the position source in use and how good its fix
 * is, the airspace and the rules in force, heard live on the cabin bus (crew may read
 * flight/# and policy/#); and the flight plan form (flight number, origin, destination),
 * checked with protocol's flightPlanUpdate before `PUT /api/crew/flight`.
 *
 * One element for the console's life: the console redraws its other panels every 2 s, and a
 * form being typed in must not be rebuilt under the crew member's fingers.
 */
import {
  type FlightPhaseState,
  type FlightPlanUpdate,
  type FlightPosition,
  flightPhaseState,
  flightPlanUpdate,
  flightPosition,
  MAX_CONSUMED_PAYLOAD_BYTES,
  type PolicyCurrent,
  parseJson,
  policyCurrent,
  topics,
} from '@ifec/protocol';
import { ApiError } from '../api/api-client.ts';
import { MqttSocket, text } from '../cabin/mqtt-socket.ts';
import { mapStringsFor } from '../map/map-strings.ts';
import { h, replace } from '../ui/dom.ts';
import { type CrewStrings, crewStrings, failureReason, fill } from './crew-strings.ts';

export interface FlightPanelDeps {
  baseUrl: string;
  crewId: string;
  token: string;
  setFlight(plan: FlightPlanUpdate): Promise<unknown>;
  /** The console's language (crew-strings.ts); English by default. */
  lang?: () => string;
}

export class FlightPanel {
  readonly el: HTMLElement;
  private readonly status = h('dl', { class: 'flight-status', id: 'crew-flight-status' });
  private readonly formMessage = h('p', { class: 'muted', id: 'crew-flight-plan-message', role: 'status' });
  private readonly flightNumber = h('input', {
    id: 'crew-flight-number',
    type: 'text',
    maxlength: 8,
    autocomplete: 'off',
    placeholder: 'BA11',
  });
  private readonly origin = h('input', {
    id: 'crew-flight-origin',
    type: 'text',
    maxlength: 4,
    autocomplete: 'off',
    placeholder: 'LHR',
  });
  private readonly destination = h('input', {
    id: 'crew-flight-destination',
    type: 'text',
    maxlength: 4,
    autocomplete: 'off',
    placeholder: 'SIN',
  });
  private readonly heading = h('h2', { id: 'flight-status-heading' });
  private readonly numberLabel = h('label', { for: 'crew-flight-number' });
  private readonly originLabel = h('label', { for: 'crew-flight-origin' });
  private readonly destinationLabel = h('label', { for: 'crew-flight-destination' });
  private readonly save = h('button', { type: 'submit', class: 'button', id: 'crew-flight-plan-save' });
  private socket: MqttSocket | undefined;
  private position: FlightPosition | null = null;
  private phase: FlightPhaseState | null = null;
  private policy: PolicyCurrent | null = null;
  private connected = false;
  private filled = false;

  constructor(private readonly deps: FlightPanelDeps) {
    this.el = h(
      'section',
      { class: 'panel flight-status-panel', 'aria-labelledby': 'flight-status-heading' },
      this.heading,
      this.status,
      h(
        'form',
        {
          class: 'flight-plan',
          id: 'crew-flight-plan',
          onSubmit: (e: Event) => {
            e.preventDefault();
            void this.submit();
          },
        },
        this.numberLabel,
        this.flightNumber,
        this.originLabel,
        this.origin,
        this.destinationLabel,
        this.destination,
        this.save,
      ),
      this.formMessage,
    );
    this.render();
  }

  start(): void {
    const url = new URL('/mqtt', this.deps.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.socket = new MqttSocket({
      url: url.href,
      clientId: `crew-${this.deps.crewId}-console-${Math.random().toString(36).slice(2, 8)}`,
      username: `crew:${this.deps.crewId}`,
      password: this.deps.token,
      subscriptions: [topics.flightPosition, topics.flightPhase, topics.policyCurrent],
      onMessage: (topic, payload) => this.receive(topic, payload),
      onStatus: (connected) => {
        this.connected = connected;
        this.render();
      },
    });
    this.socket.start();
  }

  stop(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private receive(topic: string, payload: Uint8Array): void {
    if (payload.length > MAX_CONSUMED_PAYLOAD_BYTES) return;
    const body = text(payload);
    if (topic === topics.policyCurrent && body === '') this.policy = null;
    else {
      const schema =
        topic === topics.flightPosition
          ? flightPosition
          : topic === topics.flightPhase
            ? flightPhaseState
            : topic === topics.policyCurrent
              ? policyCurrent
              : undefined;
      if (!schema) return;
      const parsed = parseJson<unknown>(schema, body);
      if (!parsed.ok) {
        console.warn(`crew console: dropped ${topic}: ${parsed.error}`);
        return;
      }
      if (topic === topics.flightPosition) this.position = parsed.value as FlightPosition;
      else if (topic === topics.flightPhase) this.phase = parsed.value as FlightPhaseState;
      else this.policy = parsed.value as PolicyCurrent;
    }
    this.render();
  }

  private get t(): CrewStrings {
    const lang = this.deps.lang?.() ?? 'en';
    return (crewStrings as Record<string, CrewStrings>)[lang] ?? crewStrings.en;
  }

  /** Redraws in the console's language (called when the crew picks another). */
  relabel(): void {
    this.render();
  }

  private render(): void {
    const t = this.t;
    const lang = this.deps.lang?.() ?? 'en';
    const clock = (iso: string) => new Intl.DateTimeFormat(lang, { timeStyle: 'medium' }).format(new Date(iso));
    // English keeps the phase codes crew read on the flight deck's feed; other languages get the map's words.
    const phaseName = (phase: FlightPhaseState['phase']) =>
      lang === 'en' ? phase.replace('_', ' ') : mapStringsFor(lang)[phase];
    this.heading.textContent = t.flightStatus;
    this.numberLabel.textContent = t.fp_flightNumber;
    this.originLabel.textContent = t.fp_origin;
    this.destinationLabel.textContent = t.fp_destination;
    this.save.textContent = t.fp_setPlan;
    const quality: Record<FlightPosition['quality'], string> = {
      live: t.q_live,
      stale: t.q_stale,
      dead_reckoning: t.q_dead_reckoning,
      lost: t.q_lost,
    };
    const p = this.position,
      ph = this.phase,
      pol = this.policy;
    // The form starts from the flight the appliance knows, once; after that it is the crew's.
    if (ph && !this.filled) {
      this.flightNumber.value = ph.flightNumber ?? '';
      this.origin.value = ph.origin?.iata ?? ph.origin?.icao ?? '';
      this.destination.value = ph.destination?.iata ?? ph.destination?.icao ?? '';
      this.filled = true;
    }
    const row = (key: string, label: string, value: string) => [
      h('dt', {}, label),
      h('dd', { 'data-field': key }, value),
    ];
    const code = (a: FlightPhaseState['origin']) => (a ? (a.iata ?? a.icao) : '—');
    replace(
      this.status,
      row('bus', t.fp_bus, this.connected ? t.fp_connected : t.fp_disconnected),
      row(
        'flight',
        t.fp_flight,
        ph ? `${ph.flightNumber ?? t.fp_noNumber} ${code(ph.origin)} → ${code(ph.destination)}` : '—',
      ),
      row(
        'phase',
        t.fp_phase,
        ph ? fill(t.fp_since, { phase: phaseName(ph.phase), time: clock(ph.since) }) : p ? phaseName(p.phase) : '—',
      ),
      row('source', t.fp_source, p ? (p.source ?? t.fp_noSource) : '—'),
      row('quality', t.fp_quality, p ? quality[p.quality] : t.fp_noPosition),
      row(
        'fix',
        t.fp_lastFix,
        p ? fill(t.fp_fixAt, { lat: p.lat.toFixed(3), lon: p.lon.toFixed(3), time: clock(p.at) }) : '—',
      ),
      row('region', t.fp_airspace, p ? (p.region ?? t.fp_intlWaters) : '—'),
      row(
        'policy',
        t.fp_rules,
        pol
          ? `${pol.policyId} v${pol.policyVersion}: Wi-Fi ${pol.wifi.value ? 'on' : 'off'} (${pol.wifi.rule}), VoIP ${pol.voip.value ? 'on' : 'off'} (${pol.voip.rule}), messaging ${pol.messaging.value ? 'on' : 'off'}, price zone ${pol.priceZone.value}, ${pol.blocked.titles.length} titles and ${pol.blocked.genres.length} genres blocked${pol.blocked.rules.length ? ` by ${pol.blocked.rules.join(', ')}` : ''}`
          : t.fp_noPolicy,
      ),
    );
    this.status.dataset.quality = p?.quality ?? '';
    this.status.dataset.source = p?.source ?? '';
  }

  private fieldLabel(field: string): string {
    if (field === 'flightNumber') return this.t.fp_flightNumber;
    if (field === 'origin') return this.t.fp_origin;
    if (field === 'destination') return this.t.fp_destination;
    return this.t.reason_invalid;
  }

  private async submit(): Promise<void> {
    const upper = (s: string) => s.trim().toUpperCase();
    const candidate: Record<string, string> = {};
    if (upper(this.flightNumber.value)) candidate.flightNumber = upper(this.flightNumber.value);
    if (upper(this.origin.value)) candidate.origin = upper(this.origin.value);
    if (upper(this.destination.value)) candidate.destination = upper(this.destination.value);
    const checked = flightPlanUpdate.safeParse(candidate);
    if (!checked.success) {
      this.formMessage.textContent = fill(this.t.fp_notSent, {
        // The fields that are wrong, by their labels: zod's own words are English.
        reason: [...new Set(checked.error.issues.map((i) => this.fieldLabel(String(i.path[0]))))].join(', '),
      });
      this.formMessage.dataset.outcome = 'invalid';
      return;
    }
    try {
      await this.deps.setFlight(checked.data);
      this.formMessage.textContent = this.t.fp_planSet;
      this.formMessage.dataset.outcome = 'saved';
    } catch (err) {
      const missing = err instanceof ApiError && err.status === 404;
      this.formMessage.textContent = missing
        ? this.t.fp_noEndpoint
        : fill(this.t.fp_notSet, { reason: failureReason(this.t, err) });
      this.formMessage.dataset.outcome = missing ? 'no-endpoint' : 'refused';
    }
  }
}
