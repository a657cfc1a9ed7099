/**
 * Software updates on the maintenance screen (maintenance role): what this aircraft trusts
 * (root, last versions, expiry), the releases it verified, whether seat units may be served
 * now (gate, or the maintenance-mode switch while parked), the rollout's waves and progress,
 * and the version of every seat. The appliance decides everything; the panel shows and asks.
 */
import {
  type RolloutRequest,
  type RolloutStop,
  type UnitUpdateRow,
  type UpdateSource,
  type UpdatesOverview,
  updatesPaths,
} from '@ifec/protocol';
import { ApiError } from '../api/api-client.ts';
import { mapStringsFor } from '../map/map-strings.ts';
import { h, replace } from '../ui/dom.ts';
import { fill } from './crew-strings.ts';
import { maintenanceFormat } from './maintenance-format.ts';
import {
  type MaintenanceStrings,
  rolloutStopWordsIn,
  unitDetailWordsIn,
  updateRefusalWordsIn,
} from './maintenance-strings.ts';

const REFRESH_MS = 3000;

export class UpdatesApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string | undefined,
  ) {}

  overview(): Promise<UpdatesOverview> {
    return this.call('GET', updatesPaths.crewOverview);
  }

  verify(source: UpdateSource): Promise<unknown> {
    return this.call('POST', updatesPaths.crewVerify, source);
  }

  startRollout(request: RolloutRequest): Promise<unknown> {
    return this.call('POST', updatesPaths.crewRollouts, request);
  }

  stopRollout(): Promise<unknown> {
    return this.call('POST', updatesPaths.crewStopRollout);
  }

  maintenanceMode(on: boolean): Promise<unknown> {
    return this.call('POST', updatesPaths.crewMaintenanceMode, { on });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = this.token();
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) {
      const b = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
      throw new ApiError(res.status, b.error?.code ?? `HTTP_${res.status}`, b.error?.message ?? res.statusText);
    }
    return (await res.json()) as T;
  }
}

/** A code the appliance sends, in words when the table has them (`prefix_code`), else as sent. */
const word = (t: MaintenanceStrings, prefix: string, code: string) =>
  (t as Record<string, string>)[`${prefix}_${code}`] ?? code;

function unitRow(t: MaintenanceStrings, u: UnitUpdateRow): HTMLElement {
  return h(
    'tr',
    { class: `unit ${u.state}`, 'data-seat': u.seatId },
    h('td', {}, u.seatId),
    h('td', {}, word(t, 'wave', u.wave)),
    h('td', {}, word(t, 'unit', u.state)),
    h('td', {}, u.version ?? '—'),
    h('td', { class: 'muted' }, u.detailCode ? unitDetailWordsIn(t, u.detailCode) : (u.detail ?? '')),
  );
}

/** Why the rollout stopped, in words; an appliance that sent no code is shown as it said it. */
function stoppedBecause(t: MaintenanceStrings, stop: RolloutStop | null, english: string | null): HTMLElement {
  const detail =
    stop?.code === 'CANARY_FAILED' ? (stop.detailCode ? unitDetailWordsIn(t, stop.detailCode) : stop.detail) : null;
  return h(
    'div',
    { class: 'refused', role: 'alert', id: 'rollout-stopped' },
    h('p', {}, stop ? rolloutStopWordsIn(t, stop) : (english ?? '')),
    detail ? h('p', { class: 'muted' }, detail) : null,
  );
}

const TROUBLE = ['failed', 'timed-out', 'rolled-back'];

/** The units with something to tell (trouble first, then the canaries, then by seat); the waiting ones are counted. */
function unitsTable(t: MaintenanceStrings, units: UnitUpdateRow[]): HTMLElement {
  const active = units
    .filter((u) => u.state !== 'waiting')
    .sort(
      (a, b) =>
        Number(TROUBLE.includes(b.state)) - Number(TROUBLE.includes(a.state)) ||
        Number(b.wave === 'canary') - Number(a.wave === 'canary') ||
        a.seatId.localeCompare(b.seatId, 'en', { numeric: true }),
    );
  const waiting = units.length - active.length;
  return h(
    'div',
    { style: 'max-block-size: 320px; overflow: auto' },
    h(
      'table',
      { class: 'list', id: 'rollout-units' },
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t.col_seat),
        h('th', { scope: 'col' }, t.col_wave),
        h('th', { scope: 'col' }, t.col_state),
        h('th', { scope: 'col' }, t.col_version),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t.col_detail)),
      ),
      active.slice(0, 100).map((u) => unitRow(t, u)),
    ),
    waiting ? h('p', { class: 'muted' }, fill(t.moreWaiting, { count: waiting })) : null,
  );
}

/** The panel element and a stop for its refresh; `loggedOut` on a 401. */
export function updatesPanel(
  api: UpdatesApi,
  loggedOut: () => void,
  lang = 'en',
): { element: HTMLElement; stop(): void } {
  const format = maintenanceFormat(lang);
  const { t } = format;
  // Flight phases as the map and the flight panel name them; English keeps the appliance's code.
  const phase = (p: string) =>
    lang === 'en' ? p : ((mapStringsFor(lang) as unknown as Record<string, string>)[p] ?? p);
  const element = h('section', { class: 'panel', 'aria-labelledby': 'updates-heading', id: 'maintenance-updates' });
  const result = h('div', { id: 'updates-result', role: 'status' });
  let overview: UpdatesOverview | undefined;
  let stopped = false;

  const act = async (what: string, fn: () => Promise<unknown>, done: string) => {
    replace(result, h('p', { class: 'muted' }, `${what}…`));
    try {
      await fn();
      replace(result, h('p', {}, done));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return loggedOut();
      const code = err instanceof ApiError ? err.code : '';
      replace(
        result,
        h(
          'div',
          { class: 'refused', role: 'alert' },
          h('p', {}, h('strong', {}, fill(t.refused, { what })), code ? ` (${code})` : ''),
          h('p', {}, updateRefusalWordsIn(t, code) ?? ''),
          h('p', { class: 'muted' }, (err as Error).message),
        ),
      );
    }
    await refresh();
  };

  function render(): void {
    if (!overview) return;
    const o = overview;
    const trust = o.trusted;
    const r = o.rollout;
    const release = h(
      'select',
      { id: 'rollout-release', 'aria-label': t.releaseToRollOut },
      o.releases.map((x) => h('option', { value: x.target }, `${x.partNumber} ${x.version} (${x.kind})`)),
    );
    const canary = h('input', {
      id: 'rollout-canary',
      type: 'number',
      min: 1,
      max: 100,
      value: 3,
      'aria-label': t.canaryUnits,
    });
    const deadline = h('input', {
      id: 'rollout-deadline',
      type: 'number',
      min: 60,
      max: 7200,
      value: 900,
      'aria-label': t.healthDeadlineLong,
    });
    const running = r && (r.state === 'canary' || r.state === 'rest');
    const versions = Object.entries(o.versions);
    replace(
      element,
      h('h2', { id: 'updates-heading' }, t.updatesHeading),
      h(
        'dl',
        { class: 'facts', id: 'updates-trust' },
        h('dt', {}, t.trustedRoot),
        h('dd', {}, trust ? fill(t.rootVersion, { version: trust.root }) : t.noneInstalled),
        h('dt', {}, t.lastSeen),
        h(
          'dd',
          {},
          trust
            ? fill(t.lastSeenValue, { timestamp: trust.timestamp, snapshot: trust.snapshot, targets: trust.targets })
            : '—',
        ),
        h('dt', {}, t.metadataExpires),
        h('dd', {}, trust?.expires ? new Date(trust.expires).toLocaleString(lang) : '—'),
        h('dt', {}, t.seatUnits),
        h(
          'dd',
          { id: 'updates-servable' },
          fill(o.servable.allowed ? (o.servable.maintenanceMode ? t.servableMaintenance : t.servable) : t.notServable, {
            phase: phase(o.servable.phase),
          }),
        ),
      ),
      h(
        'div',
        { class: 'buttons' },
        h(
          'button',
          {
            type: 'button',
            class: 'button primary',
            id: 'updates-verify',
            onClick: () => void act(t.verification, () => api.verify({ from: 'downlink' }), t.verified),
          },
          t.verifyFromGround,
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            id: 'updates-maintenance-mode',
            'aria-pressed': o.servable.maintenanceMode ? 'true' : 'false',
            onClick: () =>
              void act(
                t.maintenanceMode,
                () => api.maintenanceMode(!o.servable.maintenanceMode),
                o.servable.maintenanceMode ? t.maintenanceModeOffDone : t.maintenanceModeOnDone,
              ),
          },
          o.servable.maintenanceMode ? t.maintenanceModeOn : t.maintenanceModeOff,
        ),
      ),
      h(
        'table',
        { id: 'updates-releases', class: 'list', style: 'margin-block-start: 12px' },
        h('caption', {}, t.verifiedReleases),
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t.col_partNumber),
          h('th', { scope: 'col' }, t.col_version),
          h('th', { scope: 'col' }, t.col_kind),
          h('th', { scope: 'col' }, t.col_size),
        ),
        o.releases.map((x) =>
          h(
            'tr',
            {},
            h('td', {}, x.partNumber),
            h('td', {}, x.version),
            h('td', {}, x.kind),
            h('td', { class: 'number' }, format.bytes(x.length)),
          ),
        ),
      ),
      o.releases.length && !running
        ? h(
            'form',
            {
              id: 'rollout-form',
              class: 'rollout-form',
              style: 'display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin-block: 12px',
              onSubmit: (e: Event) => {
                e.preventDefault();
                void act(
                  t.rollout,
                  () =>
                    api.startRollout({
                      target: release.value,
                      canaryCount: Number(canary.value),
                      healthDeadlineS: Number(deadline.value),
                    }),
                  t.rolloutStarted,
                );
              },
            },
            h('label', {}, `${t.release} `, release),
            h('label', {}, `${t.canaryUnits} `, canary),
            h('label', {}, `${t.healthDeadline} `, deadline),
            h('button', { type: 'submit', class: 'button primary', id: 'rollout-start' }, t.startRollout),
          )
        : null,
      r
        ? h(
            'div',
            { id: 'rollout-progress' },
            h('h3', {}, fill(t.rolloutOf, { version: r.version, state: word(t, 'ro', r.state) })),
            r.stop || r.stoppedBecause ? stoppedBecause(t, r.stop ?? null, r.stoppedBecause) : null,
            h(
              'p',
              { id: 'rollout-counts' },
              Object.entries(r.counts)
                .map(([k, v]) => `${v} ${word(t, 'unit', k)}`)
                .join(' · '),
            ),
            h('progress', {
              max: r.units.length || 1,
              value: r.counts.healthy ?? 0,
              'aria-label': t.unitsHealthy,
              style: 'inline-size: 100%',
            }),
            running
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'button',
                    id: 'rollout-stop',
                    onClick: () => void act(t.stop, () => api.stopRollout(), t.rolloutStopped),
                  },
                  t.stopRollout,
                )
              : null,
            unitsTable(t, r.units),
          )
        : null,
      versions.length
        ? h(
            'p',
            { class: 'muted', id: 'updates-versions' },
            fill(t.versionsReported, {
              list: Object.entries(
                versions.reduce<Record<string, number>>((acc, [, v]) => {
                  acc[v] = (acc[v] ?? 0) + 1;
                  return acc;
                }, {}),
              )
                .map(([v, n]) => fill(t.versionOnSeats, { version: v, count: n }))
                .join(', '),
            }),
          )
        : null,
      result,
    );
  }

  async function refresh(): Promise<void> {
    try {
      overview = await api.overview();
      if (!stopped) render();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return loggedOut();
      if (err instanceof ApiError && err.status === 403)
        replace(
          element,
          h('h2', { id: 'updates-heading' }, t.updatesHeading),
          h('p', { class: 'muted' }, t.maintenanceRoleOnly),
        );
    }
  }
  void refresh();
  const timer = setInterval(() => {
    // Do not redraw under the engineer's hands while they fill the rollout form.
    if (element.contains(document.activeElement) && document.activeElement?.tagName !== 'BUTTON') return;
    void refresh();
  }, REFRESH_MS);
  return {
    element,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
