/**
 * The crew console at /crew: log in, watch the live seat map (online, playing, locked, DND,
 * call light, faults), start and stop a PA from the library or as free text, lock,
 * unlock, reset a seat or acknowledge its call, and reset the whole cabin for the next flight.
 */
import './crew.css';
import type { Announcement, PaState, SeatMapEntry } from '@ifec/protocol';
import { isRefusal } from '../api/api-client.ts';
import { h, replace } from '../ui/dom.ts';
import { type Controls, CrewApi } from './crew-api.ts';
import { FlightPanel } from './flight-panel.ts';
import { MAINTENANCE_ROLES, showMaintenance } from './maintenance.ts';
import { MaintenanceApi } from './maintenance-api.ts';
import { UpdatesApi } from './updates-panel.ts';

const REFRESH_MS = 2000;
const TOKEN_KEY = 'ifec.crew.token';

function start(root: HTMLElement): void {
  const api = new CrewApi(location.origin, sessionStorage.getItem(TOKEN_KEY) ?? undefined);
  let seats: SeatMapEntry[] = [];
  let controls: Record<string, Controls> = {};
  let announcements: Announcement[] = [];
  let pa: PaState | null = null;
  let selected: string | undefined;
  let confirmingReset = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const message = h('p', { class: 'message', role: 'status', id: 'crew-message' });
  let flightStatus: FlightPanel | undefined;

  function showLogin(error?: string): void {
    clearInterval(timer);
    flightStatus?.stop();
    flightStatus = undefined;
    const crewId = h('input', { id: 'crew-id', type: 'text', autocomplete: 'username', required: true });
    const pin = h('input', {
      id: 'crew-pin',
      type: 'password',
      inputmode: 'numeric',
      autocomplete: 'current-password',
      required: true,
    });
    replace(
      root,
      h(
        'main',
        { class: 'login' },
        h('h1', {}, 'Crew console'),
        h(
          'form',
          {
            onSubmit: async (e: Event) => {
              e.preventDefault();
              try {
                const who = await api.login(crewId.value.trim(), pin.value);
                sessionStorage.setItem(TOKEN_KEY, (api as unknown as { token: string }).token);
                sessionStorage.setItem('ifec.crew.name', `${who.name} (${who.role})`);
                sessionStorage.setItem('ifec.crew.id', crewId.value.trim());
                sessionStorage.setItem('ifec.crew.role', who.role);
                void showConsole();
              } catch (err) {
                showLogin(isRefusal(err) ? err.message : 'The appliance is not reachable.');
              }
            },
          },
          h('label', { for: 'crew-id' }, 'Crew ID'),
          crewId,
          h('label', { for: 'crew-pin' }, 'PIN'),
          pin,
          h('button', { type: 'submit', class: 'button primary', id: 'crew-login' }, 'Log in'),
          error ? h('p', { class: 'error', role: 'alert' }, error) : null,
        ),
      ),
    );
    crewId.focus();
  }

  async function refresh(): Promise<void> {
    try {
      const [s, c, p] = await Promise.all([api.seats(), api.controls(), api.pa()]);
      seats = s.seats;
      controls = c.controls;
      pa = p.pa;
      renderConsole();
    } catch (err) {
      if (isRefusal(err) && err.status === 401) {
        sessionStorage.removeItem(TOKEN_KEY);
        return showLogin('Your session ended; log in again.');
      }
      message.textContent = 'The appliance is not reachable; retrying.';
    }
  }

  /** Maintenance at the gate (maintenance, purser): its own screen, back to the seat map after. */
  let stopMaintenance: (() => void) | undefined;
  function openMaintenance(): void {
    clearInterval(timer);
    stopMaintenance = showMaintenance(root, {
      api: new MaintenanceApi(location.origin, () => sessionStorage.getItem(TOKEN_KEY) ?? undefined),
      who: sessionStorage.getItem('ifec.crew.name') ?? '',
      updates: new UpdatesApi(location.origin, () => sessionStorage.getItem(TOKEN_KEY) ?? undefined),
      back: () => {
        stopMaintenance?.();
        location.hash = '';
        void showConsole();
      },
      loggedOut: () => {
        stopMaintenance?.();
        sessionStorage.removeItem(TOKEN_KEY);
        showLogin('Your session ended; log in again.');
      },
    });
  }

  async function showConsole(): Promise<void> {
    if (location.hash === '#maintenance' && MAINTENANCE_ROLES.includes(sessionStorage.getItem('ifec.crew.role') ?? ''))
      return openMaintenance();
    try {
      announcements = (await api.announcements()).announcements;
    } catch (err) {
      if (isRefusal(err) && err.status === 401) return showLogin();
    }
    const crewId = sessionStorage.getItem('ifec.crew.id');
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!flightStatus && crewId && token) {
      flightStatus = new FlightPanel({
        baseUrl: location.origin,
        crewId,
        token,
        setFlight: (plan) => api.setFlight(plan),
      });
      flightStatus.start();
    }
    await refresh();
    clearInterval(timer);
    timer = setInterval(() => void refresh(), REFRESH_MS);
  }

  async function act(label: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      message.textContent = `${label}: done`;
    } catch (err) {
      message.textContent = `${label}: ${(err as Error).message}`;
    }
    await refresh();
  }

  function seatBadges(s: SeatMapEntry): string {
    const c = controls[s.seatId];
    return [
      s.callLight ? 'C' : '',
      c?.locked ? 'L' : '',
      s.dnd ? 'D' : '',
      s.playing ? '▶' : '',
      s.faults.length ? '!' : '',
    ].join(' ');
  }

  function seatLabel(s: SeatMapEntry): string {
    const c = controls[s.seatId];
    const parts = [s.state.replace('_', ' ')];
    if (s.playing) parts.push(`playing ${s.playing}`);
    if (c?.locked) parts.push('locked');
    if (s.dnd) parts.push('do not disturb');
    if (s.callLight) parts.push('call light on');
    if (s.faults.length) parts.push(`${s.faults.length} fault(s)`);
    return `Seat ${s.seatId}: ${parts.join(', ')}`;
  }

  function seatMap(): HTMLElement {
    const rows = new Map<number, SeatMapEntry[]>();
    for (const s of seats) {
      const n = Number.parseInt(s.seatId, 10);
      rows.set(n, [...(rows.get(n) ?? []), s]);
    }
    return h(
      'section',
      { class: 'seat-map', 'aria-labelledby': 'map-heading' },
      h('h2', { id: 'map-heading' }, 'Seat map'),
      h(
        'p',
        { class: 'legend' },
        'C call light · L locked · D do not disturb · ▶ playing · ! fault · green online · red offline · dashed locked',
      ),
      h(
        'div',
        { class: 'rows' },
        [...rows.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([n, list]) =>
            h(
              'div',
              { class: 'seat-row' },
              h('span', { class: 'row-number', 'aria-hidden': 'true' }, n),
              list.map((s) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: `seat ${s.state}${s.callLight ? ' calling' : ''}`,
                    id: `seat-${s.seatId}`,
                    'aria-label': seatLabel(s),
                    'aria-pressed': String(selected === s.seatId),
                    'data-state': s.state,
                    'data-locked': String(controls[s.seatId]?.locked ?? false),
                    onClick: () => {
                      selected = s.seatId;
                      renderConsole();
                    },
                  },
                  h('span', { class: 'seat-id' }, s.seatId.replace(/^\d+/, '')),
                  h('span', { class: 'badges' }, seatBadges(s)),
                ),
              ),
            ),
          ),
      ),
    );
  }

  function seatPanel(): HTMLElement | null {
    const s = seats.find((x) => x.seatId === selected);
    if (!s) return h('section', { class: 'panel' }, h('h2', {}, 'Seat'), h('p', {}, 'Choose a seat on the map.'));
    const c = controls[s.seatId] ?? { locked: false, parentalLock: false };
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'seat-heading' },
      h('h2', { id: 'seat-heading' }, `Seat ${s.seatId} · ${s.cabinClass}`),
      h('p', {}, seatLabel(s).replace(/^Seat \S+: /, '')),
      s.lastSeen
        ? h(
            'p',
            { class: 'muted' },
            `Last seen ${new Date(s.lastSeen).toLocaleTimeString()} · app ${s.appVersion ?? '?'}`,
          )
        : null,
      s.lastError ? h('p', { class: 'muted' }, `Last error: ${s.lastError}`) : null,
      s.faults.length
        ? h(
            'ul',
            {},
            s.faults.map((f) => h('li', {}, `${f.code}: ${f.message}`)),
          )
        : null,
      h(
        'div',
        { class: 'buttons' },
        c.locked
          ? h(
              'button',
              {
                type: 'button',
                class: 'button',
                id: 'seat-unlock',
                onClick: () => act(`Unlock ${s.seatId}`, () => api.command(s.seatId, { action: 'unlock' })),
              },
              'Unlock seat',
            )
          : h(
              'button',
              {
                type: 'button',
                class: 'button',
                id: 'seat-lock',
                onClick: () => act(`Lock ${s.seatId}`, () => api.command(s.seatId, { action: 'lock' })),
              },
              'Lock seat',
            ),
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            id: 'seat-parental',
            'aria-pressed': String(c.parentalLock),
            onClick: () =>
              act(`Parental lock ${s.seatId}`, () =>
                api.command(s.seatId, { action: 'parental-lock', on: !c.parentalLock }),
              ),
          },
          'Parental lock',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            id: 'seat-ack',
            disabled: !s.callLight,
            onClick: () => act(`Call at ${s.seatId}`, () => api.command(s.seatId, { action: 'ack-call' })),
          },
          'Acknowledge call',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button danger',
            id: 'seat-reset',
            onClick: () => act(`Reset ${s.seatId}`, () => api.command(s.seatId, { action: 'reset' })),
          },
          'Reset seat',
        ),
      ),
    );
  }

  function paPanel(): HTMLElement {
    const text = h('input', { id: 'pa-free-text', type: 'text', maxlength: 500 });
    const current = pa
      ? (announcements.find((a) => a.id === pa!.announcementId)?.title ?? pa.text ?? 'Announcement')
      : null;
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'pa-heading' },
      h('h2', { id: 'pa-heading' }, 'Announcements (PA)'),
      current
        ? h(
            'div',
            { class: 'pa-live', role: 'status' },
            h('p', {}, `On air: ${current}`),
            h(
              'button',
              {
                type: 'button',
                class: 'button danger',
                id: 'pa-stop',
                onClick: () => act('Stop PA', () => api.stopPa()),
              },
              'End announcement',
            ),
          )
        : h('p', { class: 'muted' }, 'No announcement on air.'),
      h(
        'div',
        { class: 'buttons' },
        announcements.map((a) =>
          h(
            'button',
            {
              type: 'button',
              class: 'button',
              'data-announcement': a.id,
              disabled: pa !== null,
              onClick: () => act(`PA ${a.title}`, () => api.startPa({ announcementId: a.id })),
            },
            a.title,
          ),
        ),
      ),
      h(
        'form',
        {
          class: 'free-text',
          onSubmit: (e: Event) => {
            e.preventDefault();
            if (text.value.trim()) void act('PA', () => api.startPa({ text: text.value.trim() }));
          },
        },
        h('label', { for: 'pa-free-text' }, 'Live announcement text'),
        text,
        h('button', { type: 'submit', class: 'button', disabled: pa !== null }, 'Start'),
      ),
    );
  }

  /** Reset for next flight: every passenger's personal state goes, so it asks twice. */
  function flightPanel(): HTMLElement {
    const reset = async () => {
      confirmingReset = false;
      try {
        const r = await api.resetForNextFlight();
        message.textContent = `Reset for next flight: ${r.sessionsEnded} passenger sessions ended, ${r.phonesUnpaired} phones unpaired, personal data wiped`;
      } catch (err) {
        message.textContent = `Reset for next flight: ${(err as Error).message}`;
      }
      await refresh();
    };
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'flight-heading' },
      h('h2', { id: 'flight-heading' }, 'Flight'),
      confirmingReset
        ? h(
            'div',
            { class: 'buttons', role: 'group', 'aria-label': 'Confirm reset for next flight' },
            h('p', {}, "Wipe every passenger's resume points, phone pairings and seat settings?"),
            h(
              'button',
              { type: 'button', class: 'button danger', id: 'flight-reset-confirm', onClick: () => void reset() },
              'Yes, reset for next flight',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'button',
                id: 'flight-reset-cancel',
                onClick: () => {
                  confirmingReset = false;
                  renderConsole();
                },
              },
              'Cancel',
            ),
          )
        : h(
            'div',
            { class: 'buttons' },
            h(
              'button',
              {
                type: 'button',
                class: 'button danger',
                id: 'flight-reset',
                onClick: () => {
                  confirmingReset = true;
                  renderConsole();
                },
              },
              'Reset for next flight',
            ),
          ),
    );
  }

  function renderConsole(): void {
    const count = (state: string) => seats.filter((s) => s.state === state).length;
    const calling = seats.filter((s) => s.callLight);
    const focused = document.activeElement?.id;
    replace(
      root,
      h(
        'header',
        { class: 'crew-top' },
        h('h1', {}, 'Crew console'),
        h(
          'p',
          { class: 'summary' },
          `${count('online')} online · ${count('offline')} offline · ${count('never_seen')} never seen · ${calling.length} calling`,
        ),
        h('span', { class: 'muted' }, sessionStorage.getItem('ifec.crew.name') ?? ''),
        MAINTENANCE_ROLES.includes(sessionStorage.getItem('ifec.crew.role') ?? '')
          ? h(
              'button',
              {
                type: 'button',
                class: 'button',
                id: 'open-maintenance',
                onClick: () => {
                  location.hash = 'maintenance';
                  openMaintenance();
                },
              },
              'Maintenance',
            )
          : null,
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            id: 'crew-logout',
            onClick: () => {
              api.logout();
              sessionStorage.removeItem(TOKEN_KEY);
              showLogin();
            },
          },
          'Log out',
        ),
      ),
      h(
        'main',
        { class: 'crew-main' },
        seatMap(),
        h(
          'div',
          { class: 'side' },
          calling.length
            ? h(
                'section',
                { class: 'panel calls', 'aria-labelledby': 'calls-heading' },
                h('h2', { id: 'calls-heading' }, 'Call lights'),
                h(
                  'div',
                  { class: 'buttons' },
                  calling.map((s) =>
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'button',
                        onClick: () => act(`Call at ${s.seatId}`, () => api.command(s.seatId, { action: 'ack-call' })),
                      },
                      `Acknowledge ${s.seatId}`,
                    ),
                  ),
                ),
              )
            : null,
          seatPanel(),
          paPanel(),
          flightStatus?.el,
          flightPanel(),
          message,
        ),
      ),
    );
    if (focused) document.getElementById(focused)?.focus();
  }

  if (api.loggedIn) void showConsole();
  else showLogin();
}

start(document.getElementById('crew')!);
