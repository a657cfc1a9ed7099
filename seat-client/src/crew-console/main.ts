/**
 * The crew console at /crew: log in, watch the seat map drawn as the cabin (online, playing,
 * locked, DND, call light, faults), answer calls, start and stop a PA from the library or as
 * free text and see the PA history, lock, unlock or reset a seat, read the content load and
 * ground sync state, and reset the whole cabin for the next flight. What each role sees
 * follows what it may do (roles.ts). When the appliance stops answering, everything shown
 * is marked stale and every command is disabled, with a notice saying since when.
 * In every UI language of the seat (crew-strings.ts).
 */
import './crew.css';
import type { Announcement, CabinPlan, PaHistoryEntry, PaState, SeatMapEntry, SyncOverview } from '@ifec/protocol';
import { isRefusal } from '../api/api-client.ts';
import { h, replace } from '../ui/dom.ts';
import { icon } from '../ui/icons.ts';
import { type ActiveLoadSummary, type Controls, CrewApi } from './crew-api.ts';
import {
  CREW_LANGUAGES,
  type CrewLanguage,
  type CrewStrings,
  crewLanguageFor,
  crewStrings,
  failureReason,
  fill,
} from './crew-strings.ts';
import { FlightPanel } from './flight-panel.ts';
import { MAINTENANCE_ROLES, showMaintenance } from './maintenance.ts';
import { MaintenanceApi } from './maintenance-api.ts';
import { OrdersPanel } from './orders-panel.ts';
import type { ConsolePanel, PanelContext } from './panels.ts';
import { allowed } from './roles.ts';
import { className, seatMapView } from './seat-map.ts';
import { UpdatesApi } from './updates-panel.ts';

const REFRESH_MS = 2000;
/** Content load and ground sync change slowly: every fifth refresh. */
const STATUS_EVERY = 5;
const TOKEN_KEY = 'ifec.crew.token';
const LANG_KEY = 'ifec.crew.lang';

/**
 * Panels other features mount on the console (the shop's orders, software updates): each
 * gets the context and is asked for its element at every redraw. Add a factory here.
 */
const PANELS: ((ctx: PanelContext) => ConsolePanel)[] = [
  (ctx) => {
    const orders = new OrdersPanel({ baseUrl: ctx.baseUrl, token: ctx.token() ?? '', lang: () => ctx.lang() });
    return {
      el: () => orders.el,
      start: () => orders.start(),
      stop: () => orders.stop(),
      relabel: () => orders.relabel(),
    };
  },
];

function start(root: HTMLElement): void {
  const api = new CrewApi(location.origin, sessionStorage.getItem(TOKEN_KEY) ?? undefined);
  let lang: CrewLanguage = crewLanguageFor(localStorage.getItem(LANG_KEY) ?? navigator.language);
  let t: CrewStrings = crewStrings[lang];
  let plan: CabinPlan | undefined;
  let seats: SeatMapEntry[] = [];
  let controls: Record<string, Controls> = {};
  let announcements: Announcement[] = [];
  let pa: PaState | null = null;
  let history: PaHistoryEntry[] = [];
  let content: { active: ActiveLoadSummary | null } | undefined;
  let sync: SyncOverview | undefined;
  let reachable = true;
  let lastGoodAt = Date.now();
  let refreshes = 0;
  let selected: string | undefined;
  let deck = 0;
  let confirmingReset = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const message = h('p', { class: 'message', role: 'status', id: 'crew-message' });
  let flightStatus: FlightPanel | undefined;
  let panels: ConsolePanel[] = [];

  const role = () => sessionStorage.getItem('ifec.crew.role') ?? '';
  const can = (what: Parameters<typeof allowed>[1]) => allowed(role(), what);
  const time = (d: Date | string) =>
    new Intl.DateTimeFormat(lang, { timeStyle: 'medium' }).format(typeof d === 'string' ? new Date(d) : d);
  const ago = (iso: string) => {
    const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
    return s < 90 ? rtf.format(-s, 'second') : rtf.format(-Math.round(s / 60), 'minute');
  };

  function applyLanguage(next: CrewLanguage): void {
    lang = next;
    t = crewStrings[lang];
    localStorage.setItem(LANG_KEY, lang);
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
    document.title = t.consoleTitle;
  }
  applyLanguage(lang);

  function languagePicker(): HTMLElement {
    const names = new Intl.DisplayNames([lang], { type: 'language' });
    return h(
      'label',
      { class: 'language' },
      h('span', { class: 'visually-hidden' }, t.language),
      h(
        'select',
        {
          id: 'crew-language',
          'aria-label': t.language,
          onChange: (e: Event) => {
            applyLanguage((e.target as HTMLSelectElement).value as CrewLanguage);
            flightStatus?.relabel();
            for (const p of panels) p.relabel?.();
            if (api.loggedIn) renderConsole();
            else showLogin();
          },
        },
        CREW_LANGUAGES.map((code) => {
          const option = h(
            'option',
            { value: code, lang: code },
            new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code,
          );
          option.selected = code === lang;
          option.title = names.of(code) ?? code;
          return option;
        }),
      ),
    );
  }

  function showLogin(error?: string): void {
    clearInterval(timer);
    flightStatus?.stop();
    flightStatus = undefined;
    for (const p of panels) p.stop?.();
    panels = [];
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
        h('h1', {}, t.consoleTitle),
        languagePicker(),
        h(
          'form',
          {
            onSubmit: async (e: Event) => {
              e.preventDefault();
              try {
                const who = await api.login(crewId.value.trim(), pin.value);
                sessionStorage.setItem(TOKEN_KEY, who.token);
                sessionStorage.setItem('ifec.crew.name', who.name);
                sessionStorage.setItem('ifec.crew.id', crewId.value.trim());
                sessionStorage.setItem('ifec.crew.role', who.role);
                void showConsole();
              } catch (err) {
                showLogin(
                  isRefusal(err) && err.status === 429
                    ? t.loginThrottled
                    : isRefusal(err) && err.status > 0
                      ? t.loginRefused
                      : t.unreachable,
                );
              }
            },
          },
          h('label', { for: 'crew-id' }, t.crewId),
          crewId,
          h('label', { for: 'crew-pin' }, t.pin),
          pin,
          h('button', { type: 'submit', class: 'button primary', id: 'crew-login' }, t.logIn),
          error ? h('p', { class: 'error', role: 'alert' }, error) : null,
        ),
      ),
    );
    crewId.focus();
  }

  function loggedOut(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    api.logout();
    showLogin(t.sessionEnded);
  }

  async function refresh(): Promise<void> {
    try {
      const slow = refreshes++ % STATUS_EVERY === 0;
      const [s, c, p, hst] = await Promise.all([api.seats(), api.controls(), api.pa(), api.paHistory()]);
      seats = s.seats;
      controls = c.controls;
      pa = p.pa;
      history = hst.history;
      if (!plan) {
        plan = await api.cabinPlan();
        // The main deck first: it is where most passengers (and calls) are.
        deck = Math.max(
          0,
          plan.decks.findIndex((d) => d.deck === 'main'),
        );
      }
      if (slow) {
        // The status panel is worth less than the map: its failure alone does not make the map stale.
        const [cl, sy] = await Promise.allSettled([api.contentLoad(), api.sync()]);
        if (cl.status === 'fulfilled') content = cl.value;
        if (sy.status === 'fulfilled') sync = sy.value;
      }
      reachable = true;
      lastGoodAt = Date.now();
    } catch (err) {
      if (isRefusal(err) && err.status === 401) return loggedOut();
      reachable = false;
    }
    renderConsole();
  }

  /** Maintenance at the gate (maintenance, purser): its own screen, back to the seat map after. */
  let stopMaintenance: (() => void) | undefined;
  function openMaintenance(): void {
    clearInterval(timer);
    stopMaintenance = showMaintenance(root, {
      api: new MaintenanceApi(location.origin, () => sessionStorage.getItem(TOKEN_KEY) ?? undefined),
      who: `${sessionStorage.getItem('ifec.crew.name') ?? ''} (${(t as Record<string, string>)[`role_${role()}`] ?? role()})`,
      lang,
      updates: new UpdatesApi(location.origin, () => sessionStorage.getItem(TOKEN_KEY) ?? undefined),
      back: () => {
        stopMaintenance?.();
        location.hash = '';
        void showConsole();
      },
      loggedOut: () => {
        stopMaintenance?.();
        loggedOut();
      },
    });
  }

  async function showConsole(): Promise<void> {
    if (location.hash === '#maintenance' && MAINTENANCE_ROLES.includes(role())) return openMaintenance();
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
        lang: () => lang,
      });
      flightStatus.start();
    }
    if (panels.length === 0) {
      const ctx: PanelContext = {
        baseUrl: location.origin,
        token: () => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
        role,
        lang: () => lang,
        reachable: () => reachable,
        redraw: () => renderConsole(),
      };
      panels = PANELS.map((make) => make(ctx));
      for (const p of panels) p.start?.();
    }
    await refresh();
    clearInterval(timer);
    timer = setInterval(() => void refresh(), REFRESH_MS);
  }

  async function act(label: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      message.textContent = fill(t.done, { what: label });
    } catch (err) {
      message.textContent = fill(t.failed, { what: label, reason: failureReason(t, err) });
    }
    await refresh();
  }

  function describe(s: SeatMapEntry): string {
    const parts: string[] = [];
    if (!reachable) parts.push(t.stateStale);
    else {
      parts.push(
        s.state === 'offline' && s.lastSeen
          ? fill(t.state_offline, { ago: ago(s.lastSeen) })
          : s.state === 'online'
            ? t.state_online
            : t.state_never_seen,
      );
      if (s.callLight) parts.push(t.legendCall);
      if (s.dnd) parts.push(t.legendDnd);
      if (controls[s.seatId]?.locked) parts.push(t.legendLocked);
      if (s.playing) parts.push(fill(t.playingTitle, { title: s.playing }));
      if (s.faults.length) parts.push(fill(t.faults, { count: s.faults.length }));
    }
    return `${fill(t.seat, { seat: s.seatId })}: ${parts.join(', ')}`;
  }

  const off = () => !reachable;

  function button(id: string, label: string, onClick: () => void, extra: Record<string, string | boolean> = {}) {
    const { class: cls, ...rest } = extra;
    return h(
      'button',
      { type: 'button', class: `button ${cls ?? ''}`.trim(), id, disabled: off(), ...rest, onClick },
      label,
    );
  }

  function seatPanel(): HTMLElement {
    const s = seats.find((x) => x.seatId === selected);
    if (!s)
      return h(
        'section',
        { class: 'panel seat-panel', 'aria-labelledby': 'seat-heading' },
        h('h2', { id: 'seat-heading' }, t.chooseSeat),
      );
    const c = controls[s.seatId] ?? { locked: false, parentalLock: false };
    const label = fill(t.seat, { seat: s.seatId });
    return h(
      'section',
      { class: 'panel seat-panel', 'aria-labelledby': 'seat-heading' },
      h('h2', { id: 'seat-heading' }, fill(t.seatHeading, { seat: s.seatId, class: className(t, s.cabinClass) })),
      h('p', { id: 'seat-state' }, describe(s).replace(/^[^:]+: /, '')),
      s.lastSeen
        ? h('p', { class: 'muted' }, fill(t.lastContact, { time: time(s.lastSeen), version: s.appVersion ?? '?' }))
        : null,
      s.lastError ? h('p', { class: 'muted' }, fill(t.lastError, { error: s.lastError })) : null,
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
        can('ackCall') && s.callLight
          ? button('seat-ack', t.ackCall, () => void act(label, () => api.command(s.seatId, { action: 'ack-call' })), {
              class: 'primary',
            })
          : null,
        can('lock')
          ? c.locked
            ? button(
                'seat-unlock',
                t.unlockSeat,
                () => void act(label, () => api.command(s.seatId, { action: 'unlock' })),
              )
            : button('seat-lock', t.lockSeat, () => void act(label, () => api.command(s.seatId, { action: 'lock' })))
          : null,
        can('parentalLock')
          ? button(
              'seat-parental',
              t.parentalLock,
              () => void act(label, () => api.command(s.seatId, { action: 'parental-lock', on: !c.parentalLock })),
              { 'aria-pressed': String(c.parentalLock) },
            )
          : null,
        can('resetSeat')
          ? button('seat-reset', t.resetSeat, () => void act(label, () => api.command(s.seatId, { action: 'reset' })), {
              class: 'danger',
            })
          : null,
      ),
    );
  }

  function paTitle(id: string | null | undefined, text?: string | null): string {
    if (id) return (t as Record<string, string>)[`pa_${id}`] ?? announcements.find((a) => a.id === id)?.title ?? id;
    return text ?? '';
  }

  function paPanel(): HTMLElement {
    const text = h('input', { id: 'pa-free-text', type: 'text', maxlength: 500, disabled: off() });
    const current = pa ? paTitle(pa.announcementId, pa.text) : null;
    return h(
      'section',
      { class: 'panel pa-panel', 'aria-labelledby': 'pa-heading' },
      h('h2', { id: 'pa-heading' }, icon('megaphone'), ' ', t.pa),
      current
        ? h(
            'div',
            { class: 'pa-live', role: 'status' },
            h('p', {}, fill(t.onAir, { title: current })),
            can('pa')
              ? button('pa-stop', t.endPa, () => void act(t.endPa, () => api.stopPa()), { class: 'danger' })
              : null,
          )
        : h('p', { class: 'muted' }, t.noPa),
      can('pa')
        ? [
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
                    disabled: off() || pa !== null,
                    onClick: () => void act(paTitle(a.id), () => api.startPa({ announcementId: a.id })),
                  },
                  paTitle(a.id),
                ),
              ),
            ),
            h(
              'form',
              {
                class: 'free-text',
                onSubmit: (e: Event) => {
                  e.preventDefault();
                  if (text.value.trim()) void act(t.freeText, () => api.startPa({ text: text.value.trim() }));
                },
              },
              h('label', { for: 'pa-free-text' }, t.liveText),
              h(
                'div',
                { class: 'inline' },
                text,
                h(
                  'button',
                  { type: 'submit', class: 'button', id: 'pa-free-start', disabled: off() || pa !== null },
                  t.startPa,
                ),
              ),
            ),
          ]
        : h('p', { class: 'muted' }, t.paCrewOnly),
      h('h3', { id: 'pa-history-heading' }, t.paHistory),
      history.length
        ? h(
            'ol',
            { class: 'pa-history', 'aria-labelledby': 'pa-history-heading' },
            history
              .slice(0, 6)
              .map((e) =>
                h(
                  'li',
                  { 'data-action': e.action },
                  h('time', { datetime: e.at }, time(e.at)),
                  ' ',
                  e.action === 'start'
                    ? [
                        h('strong', {}, paTitle(e.announcementId, e.text)),
                        ' · ',
                        fill(t.paStarted, { by: e.by.replace(/^crew:/, '') }),
                      ]
                    : fill(t.paEnded, { by: e.by.replace(/^crew:/, '') }),
                ),
              ),
          )
        : h('p', { class: 'muted' }, t.paNone),
    );
  }

  function statusPanel(): HTMLElement {
    const active = content?.active;
    const state = sync?.status;
    const dateFmt = (iso: string) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(iso));
    return h(
      'section',
      { class: 'panel status-panel', 'aria-labelledby': 'status-heading', id: 'system-status' },
      h('h2', { id: 'status-heading' }, t.systemStatus),
      h('h3', {}, t.contentLoad),
      content === undefined
        ? h('p', { class: 'muted' }, t.statusUnknown)
        : active
          ? h(
              'div',
              { id: 'content-load-status' },
              h(
                'p',
                {},
                fill(t.contentLoadLine, { cycle: active.cycle, version: active.version, titles: active.titles.length }),
              ),
              h(
                'p',
                { class: 'muted' },
                fill(t.contentLoadValid, { since: dateFmt(active.activatedAt), until: dateFmt(active.expiresAt) }),
              ),
            )
          : h('p', { id: 'content-load-status' }, t.noContentLoad),
      h('h3', {}, t.groundSync),
      state
        ? h(
            'div',
            { id: 'sync-status', 'data-sync-state': state.state },
            h('p', {}, h('strong', {}, (t as Record<string, string>)[`sync_${state.state}`] ?? state.state)),
            h(
              'p',
              { class: 'muted' },
              state.lastContactAt
                ? fill(t.lastGroundContact, { time: time(state.lastContactAt) })
                : t.neverGroundContact,
            ),
            h(
              'p',
              { class: 'muted' },
              fill(t.syncBacklog, {
                count: new Intl.NumberFormat(lang).format(
                  Math.max(0, state.outboxHead - Math.min(state.acked.critical, state.acked.bulk)),
                ),
              }),
            ),
          )
        : h('p', { class: 'muted' }, t.statusUnknown),
    );
  }

  /** Reset for next flight: every passenger's personal state goes, so it asks twice. */
  function flightPanel(): HTMLElement | null {
    if (!can('resetFlight')) return null;
    const reset = async () => {
      confirmingReset = false;
      try {
        const r = await api.resetForNextFlight();
        message.textContent = fill(t.resetDone, { sessions: r.sessionsEnded, phones: r.phonesUnpaired });
      } catch (err) {
        message.textContent = fill(t.failed, { what: t.resetFlight, reason: failureReason(t, err) });
      }
      await refresh();
    };
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'flight-heading' },
      h('h2', { id: 'flight-heading' }, t.flight),
      confirmingReset
        ? h(
            'div',
            { class: 'buttons', role: 'group', 'aria-label': t.resetFlight },
            h('p', {}, t.confirmReset),
            button('flight-reset-confirm', t.confirmYes, () => void reset(), { class: 'danger' }),
            button('flight-reset-cancel', t.cancel, () => {
              confirmingReset = false;
              renderConsole();
            }),
          )
        : h(
            'div',
            { class: 'buttons' },
            button(
              'flight-reset',
              t.resetFlight,
              () => {
                confirmingReset = true;
                renderConsole();
              },
              { class: 'danger' },
            ),
          ),
    );
  }

  function callsStrip(calling: SeatMapEntry[]): HTMLElement | null {
    if (!calling.length || !reachable) return null;
    return h(
      'section',
      { class: 'calls', 'aria-labelledby': 'calls-heading', id: 'calls' },
      h('h2', { id: 'calls-heading' }, icon('bell'), ' ', t.calls, ` (${calling.length})`),
      h(
        'div',
        { class: 'buttons' },
        calling.map((s) =>
          can('ackCall')
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'button call-ack',
                  'data-seat': s.seatId,
                  onClick: () =>
                    void act(fill(t.seat, { seat: s.seatId }), () => api.command(s.seatId, { action: 'ack-call' })),
                },
                icon('bell'),
                h('span', { class: 'call-seat' }, s.seatId),
                h('span', { class: 'visually-hidden' }, fill(t.acknowledge, { seat: s.seatId })),
              )
            : h('span', { class: 'call-seat-only', 'data-seat': s.seatId }, icon('bell'), s.seatId),
        ),
      ),
    );
  }

  function renderConsole(): void {
    if (!api.loggedIn) return;
    const count = (state: string) => seats.filter((s) => s.state === state).length;
    const calling = reachable ? seats.filter((s) => s.callLight) : [];
    const focused = document.activeElement?.id;
    const name = sessionStorage.getItem('ifec.crew.name') ?? '';
    const roleName = (t as Record<string, string>)[`role_${role()}`] ?? role();
    replace(
      root,
      h(
        'header',
        { class: 'crew-top' },
        h('h1', {}, t.consoleTitle),
        h(
          'span',
          { class: `link ${reachable ? 'up' : 'down'}`, id: 'crew-link', 'data-reachable': String(reachable) },
          reachable ? t.linkUp : t.staleTitle,
        ),
        h('span', { class: 'who', id: 'crew-who', 'data-role': role() }, `${name} · ${roleName}`),
        languagePicker(),
        can('maintenance')
          ? h(
              'button',
              {
                type: 'button',
                id: 'open-maintenance',
                onClick: () => {
                  location.hash = 'maintenance';
                  openMaintenance();
                },
                class: 'button small',
              },
              t.maintenance,
            )
          : null,
        h(
          'button',
          {
            type: 'button',
            class: 'button small',
            id: 'crew-logout',
            onClick: () => {
              api.logout();
              sessionStorage.removeItem(TOKEN_KEY);
              showLogin();
            },
          },
          t.logOut,
        ),
      ),
      reachable
        ? null
        : h(
            'div',
            { class: 'stale-notice', role: 'alert', id: 'crew-stale' },
            h('strong', {}, t.staleTitle),
            ' ',
            fill(t.staleBody, { time: time(new Date(lastGoodAt)) }),
          ),
      h(
        'main',
        { class: 'crew-main' },
        callsStrip(calling),
        plan
          ? seatMapView({
              plan,
              deck,
              seats: new Map(seats.map((s) => [s.seatId, s])),
              locked: (id) => controls[id]?.locked ?? false,
              selected,
              stale: !reachable,
              summary: fill(t.summary, {
                online: count('online'),
                offline: count('offline'),
                never: count('never_seen'),
                calling: calling.length,
              }),
              t,
              describe,
              onSelect: (id) => {
                selected = id;
                renderConsole();
              },
              onDeck: (i) => {
                deck = i;
                renderConsole();
              },
            })
          : h('section', { class: 'seat-map' }, h('h2', {}, t.seatMap), h('p', { class: 'muted' }, t.statusUnknown)),
        h(
          'div',
          { class: 'panels' },
          seatPanel(),
          paPanel(),
          statusPanel(),
          panels.map((p) => p.el()),
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
