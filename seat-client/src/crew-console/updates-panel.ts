/**
 * Software updates on the maintenance screen (maintenance role): what this aircraft trusts
 * (root, last versions, expiry), the releases it verified, whether seat units may be served
 * now (gate, or the maintenance-mode switch while parked), the rollout's waves and progress,
 * and the version of every seat. The appliance decides everything; the panel shows and asks.
 */
import {
  type RolloutRequest,
  type UnitUpdateRow,
  type UpdateSource,
  type UpdatesOverview,
  updatesPaths,
} from '@ifec/protocol';
import { ApiError } from '../api/api-client.ts';
import { h, replace } from '../ui/dom.ts';

const REFRESH_MS = 3000;

const STATE_WORDS: Record<string, string> = {
  canary: 'Canary wave: the first units install; the rest wait for their health',
  rest: 'Every other unit installs',
  done: 'Done',
  stopped: 'Stopped',
};

/** Refusals in a maintenance engineer's words (the code is shown beside them). */
const REFUSAL_WORDS: Record<string, string> = {
  UPDATE_TARGET_TAMPERED: 'A load does not match what the airline signed: it was altered. Nothing was installed.',
  UPDATE_ROLLBACK: 'This source holds older signed metadata than the aircraft has seen: a rollback attempt.',
  UPDATE_METADATA_EXPIRED: 'The signed metadata has expired (a frozen feed). Get a fresh export from the ground.',
  UPDATE_MIX_AND_MATCH: 'The metadata files do not belong together (mix-and-match).',
  UPDATE_SIGNATURE_INVALID: 'The metadata is not signed by the keys this aircraft trusts.',
  UPDATE_KEY_REVOKED: 'The metadata is signed by a key the airline has revoked.',
  UPDATE_METADATA_MISSING: 'The source holds no software repository.',
  UPDATE_NO_TRUSTED_ROOT: 'No software root is installed on this aircraft: it was not provisioned for updates.',
  UPDATE_NOT_ON_GROUND: 'Seat units are updated at the gate only.',
  UPDATE_ROLLOUT_ACTIVE: 'A rollout is running: stop it first.',
};

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

function unitRow(u: UnitUpdateRow): HTMLElement {
  return h(
    'tr',
    { class: `unit ${u.state}`, 'data-seat': u.seatId },
    h('td', {}, u.seatId),
    h('td', {}, u.wave),
    h('td', {}, u.state),
    h('td', {}, u.version ?? '—'),
    h('td', { class: 'muted' }, u.detail ?? ''),
  );
}

const TROUBLE = ['failed', 'timed-out', 'rolled-back'];

/** The units with something to tell (trouble first, then the canaries, then by seat); the waiting ones are counted. */
function unitsTable(units: UnitUpdateRow[]): HTMLElement {
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
        h('th', {}, 'Seat'),
        h('th', {}, 'Wave'),
        h('th', {}, 'State'),
        h('th', {}, 'Version'),
        h('th', {}, ''),
      ),
      active.slice(0, 100).map(unitRow),
    ),
    waiting ? h('p', { class: 'muted' }, `${waiting} more seats waiting for their wave`) : null,
  );
}

/** The panel element and a stop for its refresh; `loggedOut` on a 401. */
export function updatesPanel(api: UpdatesApi, loggedOut: () => void): { element: HTMLElement; stop(): void } {
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
          h('p', {}, h('strong', {}, `${what} refused`), code ? ` (${code})` : ''),
          h('p', {}, REFUSAL_WORDS[code] ?? ''),
          h('p', { class: 'muted' }, (err as Error).message),
        ),
      );
    }
    await refresh();
  };

  function render(): void {
    if (!overview) return;
    const o = overview;
    const t = o.trusted;
    const r = o.rollout;
    const release = h(
      'select',
      { id: 'rollout-release', 'aria-label': 'Release to roll out' },
      o.releases.map((x) => h('option', { value: x.target }, `${x.partNumber} ${x.version} (${x.kind})`)),
    );
    const canary = h('input', {
      id: 'rollout-canary',
      type: 'number',
      min: 1,
      max: 100,
      value: 3,
      'aria-label': 'Canary units',
    });
    const deadline = h('input', {
      id: 'rollout-deadline',
      type: 'number',
      min: 60,
      max: 7200,
      value: 900,
      'aria-label': 'Health deadline (seconds)',
    });
    const running = r && (r.state === 'canary' || r.state === 'rest');
    const versions = Object.entries(o.versions);
    replace(
      element,
      h('h2', { id: 'updates-heading' }, 'Software updates'),
      h(
        'dl',
        { class: 'facts', id: 'updates-trust' },
        h('dt', {}, 'Trusted root'),
        h('dd', {}, t ? `version ${t.root}` : 'none installed'),
        h('dt', {}, 'Last seen'),
        h('dd', {}, t ? `timestamp ${t.timestamp}, snapshot ${t.snapshot}, targets ${t.targets}` : '—'),
        h('dt', {}, 'Metadata expires'),
        h('dd', {}, t?.expires ? new Date(t.expires).toLocaleString() : '—'),
        h('dt', {}, 'Seat units'),
        h(
          'dd',
          { id: 'updates-servable' },
          o.servable.allowed
            ? `may be updated now (flight phase ${o.servable.phase}${o.servable.maintenanceMode ? ', maintenance mode' : ''})`
            : `not now: flight phase ${o.servable.phase} (updates only at the gate)`,
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
            onClick: () =>
              void act(
                'Verification',
                () => api.verify({ from: 'downlink' }),
                'Verified: the releases below may be installed.',
              ),
          },
          'Verify from the ground',
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
                'Maintenance mode',
                () => api.maintenanceMode(!o.servable.maintenanceMode),
                o.servable.maintenanceMode
                  ? 'Maintenance mode off.'
                  : 'Maintenance mode on: units may be served while parked.',
              ),
          },
          o.servable.maintenanceMode ? 'Maintenance mode: on' : 'Maintenance mode: off',
        ),
      ),
      h(
        'table',
        { id: 'updates-releases', class: 'list', style: 'margin-block-start: 12px' },
        h('caption', {}, 'Verified releases'),
        h('tr', {}, h('th', {}, 'Part number'), h('th', {}, 'Version'), h('th', {}, 'Kind'), h('th', {}, 'Size')),
        o.releases.map((x) =>
          h(
            'tr',
            {},
            h('td', {}, x.partNumber),
            h('td', {}, x.version),
            h('td', {}, x.kind),
            h('td', {}, `${x.length} B`),
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
                  'Rollout',
                  () =>
                    api.startRollout({
                      target: release.value,
                      canaryCount: Number(canary.value),
                      healthDeadlineS: Number(deadline.value),
                    }),
                  'Rollout started: the canary units first.',
                );
              },
            },
            h('label', {}, 'Release ', release),
            h('label', {}, 'Canary units ', canary),
            h('label', {}, 'Health deadline (s) ', deadline),
            h('button', { type: 'submit', class: 'button primary', id: 'rollout-start' }, 'Start rollout'),
          )
        : null,
      r
        ? h(
            'div',
            { id: 'rollout-progress' },
            h('h3', {}, `Rollout of ${r.version}: ${STATE_WORDS[r.state] ?? r.state}`),
            r.stoppedBecause
              ? h('p', { class: 'refused', role: 'alert', id: 'rollout-stopped' }, r.stoppedBecause)
              : null,
            h(
              'p',
              { id: 'rollout-counts' },
              Object.entries(r.counts)
                .map(([k, v]) => `${v} ${k}`)
                .join(' · '),
            ),
            h('progress', {
              max: r.units.length || 1,
              value: r.counts.healthy ?? 0,
              'aria-label': 'Units healthy on the new version',
              style: 'inline-size: 100%',
            }),
            running
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'button',
                    id: 'rollout-stop',
                    onClick: () =>
                      void act('Stop', () => api.stopRollout(), 'Rollout stopped; units mid-install roll back.'),
                  },
                  'Stop rollout',
                )
              : null,
            unitsTable(r.units),
          )
        : null,
      versions.length
        ? h(
            'p',
            { class: 'muted', id: 'updates-versions' },
            `Versions reported: ${Object.entries(
              versions.reduce<Record<string, number>>((acc, [, v]) => {
                acc[v] = (acc[v] ?? 0) + 1;
                return acc;
              }, {}),
            )
              .map(([v, n]) => `${v} on ${n} seats`)
              .join(', ')}`,
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
          h('h2', { id: 'updates-heading' }, 'Software updates'),
          h('p', { class: 'muted' }, 'Maintenance role only.'),
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
