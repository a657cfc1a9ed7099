/**
 * The passenger app's composition root: who we are -> settings and language -> catalogue
 * source -> cabin bus -> screens. Runs as the seatback kiosk (Electron preload gives the
 * seat identity) and on phones (no identity: phone rules, no seatback-only titles).
 */
import './styles.css';
import type { PaState } from '@ifec/protocol';
import { withAdBanner, withPreRoll } from '../ads/ads.ts';
import { CabinLink } from '../cabin/cabin-link.ts';
import { CabinOverlays } from '../cabin/cabin-overlays.ts';
import { PersonalChanges, trackingFavourites } from '../cabin/personal-changes.ts';
import { type ViewerCredentials, viewerCredentials, whoAmI } from '../cabin/seat-identity.ts';
import { displayName } from '../catalog/cards.ts';
import { Coverage } from '../catalog/coverage.ts';
import { homeScreen } from '../catalog/home-screen.ts';
import { visibleTo } from '../catalog/model.ts';
import { openCatalogSource } from '../catalog/open-source.ts';
import { FlightAwareness } from '../flight/flight-state.ts';
import { FlightStrip } from '../flight/flight-strip.ts';
import { PolicyNotice } from '../flight/policy-notice.ts';
import { Locale } from '../i18n/i18n.ts';
import { forgetMapPreferences } from '../map/map-preferences.ts';
import { mapView } from '../map/open-map.ts';
import { BackgroundPlayer } from '../player/background-player.ts';
import { ResumeLink } from '../resume/resume-link.ts';
import { ParentalLock } from '../settings/parental-lock.ts';
import { applyToDocument, SettingsStore } from '../settings/settings.ts';
import { installSpatialNavigation } from '../ui/spatial-nav.ts';
import type { AppContext, View } from './context.ts';
import { type LazyModule, lazyModule, lazyScreen } from './lazy-screen.ts';
import { navKey, parseRoute } from './router.ts';
import { Shell } from './shell.ts';

/** Screens home does not need: each its own chunk, fetched on first use or once home is on screen. */
const screens = {
  browse: lazyModule(() => import('../catalog/browse-screen.ts')),
  detail: lazyModule(() => import('../catalog/detail-screen.ts')),
  search: lazyModule(() => import('../catalog/search-screen.ts')),
  player: lazyModule(() => import('../player/player-screen.ts')),
  settings: lazyModule(() => import('../settings/settings-screen.ts')),
  pair: lazyModule(() => import('../pairing/pair-screen.ts')),
  shop: lazyModule(() => import('../shop/shop-screen.ts')),
};

async function boot(): Promise<void> {
  const screen = whoAmI(window);
  document.documentElement.dataset.device = screen.device;
  const settings = new SettingsStore(localStorage, navigator.language);
  let locale = new Locale(settings.current.uiLanguage);
  const parental = new ParentalLock(localStorage);
  const overlays = new CabinOverlays({
    calling: () => cabin.seatStatus.callLight,
    toggle: () => cabin.setStatus({ callLight: !cabin.seatStatus.callLight }),
  });
  let pa: PaState | null = null;
  let busUp = false;
  const flight = new FlightAwareness();
  const flightStrip = new FlightStrip(flight, () => locale);
  const policyNotice = new PolicyNotice();

  // Everything personal on this device, for a new flight (crew reset or a new passenger session).
  let wiping = false;
  const wipe = async () => {
    wiping = true; // the defaults are not pushed back to an appliance that just wiped this seat
    settings.reset(navigator.language);
    parental.reset();
    forgetMapPreferences(localStorage);
    cabin.setStatus({ callLight: false, dnd: false, playing: null });
    await catalog.forgetPersonal().catch(() => undefined);
    location.hash = '#/';
    location.reload();
  };

  // One identity per phone: the bus and the pairing must not each register one (POST /api/phones).
  let registering: Promise<ViewerCredentials | undefined> | undefined;
  const credentials = () =>
    (registering ??= viewerCredentials(screen, localStorage).then((c) => {
      if (!c) registering = undefined; // offline: ask again next time
      return c;
    }));

  const cabin: CabinLink = new CabinLink(screen, credentials, {
    onPa(notice) {
      // When the seat heard it: the e2e test and the bench measure pause latency from here.
      overlays.pa.dataset.receivedAt = String(Date.now());
      pa = notice;
      overlays.showPa(notice, locale);
      if (notice) ctx.playback?.holdForCabin();
      else if (!overlays.lockedNow) ctx.playback?.releaseFromCabin();
    },
    onControls(controls) {
      overlays.setLocked(controls.locked);
      parental.setCrewLock(controls.parentalLock);
      if (controls.locked) ctx.playback?.holdForCabin();
      else if (!pa) ctx.playback?.releaseFromCabin();
    },
    onCommand(action) {
      if (action === 'ack-call') {
        cabin.callAcknowledged();
      } else {
        void wipe();
      }
    },
    onSession(sessionId) {
      resume.setSession(sessionId);
    },
    onRemote(command) {
      if (command.action !== 'resume_here') ctx.playback?.remote(command);
      else {
        // Hand back from a phone: continue here from the newest resume point of any device.
        const from = resume.positionOf(command.titleId)?.positionS ?? 0;
        if (ctx.playback?.titleId === command.titleId) ctx.playback.resumeFrom(from);
        else ctx.navigate(`#/play/${encodeURIComponent(command.titleId)}?from=${Math.round(from * 10) / 10}`);
      }
    },
    onFlight(message) {
      if (message.kind === 'position') flight.setPosition(message.value);
      else if (message.kind === 'phase') flight.setPhase(message.value);
      else flight.setPolicy(message.value, message.blocks);
    },
    onBusStatus(connected) {
      busUp = connected;
      updateOffline();
      resume.busStatus(connected);
      // Recoveries the kiosk watchdog made (reloads after a hang or crash) go to the crew map.
      if (connected)
        void window.ifecKiosk?.takeFaults().then((faults) =>
          faults.forEach((f) => {
            cabin.reportFault(f);
          }),
        );
    },
  });

  // Cold start, home first: the bus, the resume document, the replica and the other screens' code
  // wait until home shows its titles and first artwork, so none of them delays that picture.
  let homeShown!: () => void;
  const afterHome = new Promise<void>((resolve) => {
    homeShown = resolve;
  });
  // Home never came (no catalogue yet, appliance away): the rest starts anyway.
  setTimeout(() => homeShown(), START_DEFERRAL_MAX_MS);

  const personalChanges = new PersonalChanges();
  // Favourites say "saved on this seat" until the appliance has them (cabin/personal-changes.ts).
  const catalog = trackingFavourites(openCatalogSource(screen, localStorage, afterHome), personalChanges);
  const resume = new ResumeLink({
    seatId: screen.seat?.seatId,
    storage: localStorage,
    cabin,
    onWipe: () => void wipe(),
  });
  const ctx: AppContext = {
    screen,
    settings,
    catalog,
    cabin,
    parental,
    resume,
    locale: () => locale,
    // Titles the policy in force restricts are hidden at once (the key server refuses them too).
    titles: () =>
      visibleTo(catalog.titles(), screen.device, parental.active, parental.maxAge).filter((t) => !flight.blocks(t)),
    title: (id) =>
      visibleTo(catalog.titles(), screen.device, parental.active, parental.maxAge).find(
        (t) => t.id === id && !flight.blocks(t),
      ),
    navigate: (hash) => {
      location.hash = hash;
    },
    playback: undefined,
    background: new BackgroundPlayer(() => locale),
    credentials,
    flight,
    flightStrip: flightStrip.el,
    regionBlocked: (titleId) => stopRestricted(titleId, 'refused'),
    coverage: new Coverage(screen.baseUrl, async (): Promise<Record<string, string>> => {
      const c = await credentials();
      return c ? { authorization: `Basic ${btoa(`${c.username}:${c.password}`)}` } : {};
    }),
  };
  // A pass bought in the shop turns Buy into "Included with …" on the detail page on screen.
  ctx.coverage?.subscribe(() => {
    if (parseRoute(location.hash).name === 'title') render();
  });

  /** Leaves the player of a title that may not be shown here, and says why in the passenger's language. */
  function stopRestricted(titleId: string, reason: 'policy' | 'refused'): void {
    const title = catalog.titles().find((t) => t.id === titleId);
    ctx.playback?.holdForCabin();
    policyNotice.show(locale, title ? displayName(title, locale) : titleId, reason);
    cabin.setStatus({
      playing: null,
      lastError: `playback of ${titleId} stopped: not allowed in this airspace (${reason})`,
    });
    if (parseRoute(location.hash).name === 'play') location.hash = '#/';
  }
  flight.subscribe((change) => {
    if (change !== 'policy') return;
    // During a pre-roll nothing plays yet, but the route names the title the passenger is waiting for.
    const route = parseRoute(location.hash);
    const playing = ctx.playback?.titleId ?? (route.name === 'play' ? route.id : undefined);
    const title = playing ? catalog.titles().find((t) => t.id === playing) : undefined;
    if (playing && (title ? flight.blocks(title) : flight.blocks({ id: playing }))) stopRestricted(playing, 'policy');
    // Catalogue screens drop the restricted titles now; the player, the map, a basket being paid and a settings form being filled stay as they are.
    else if (!['play', 'map', 'search', 'pair', 'shop', 'settings'].includes(route.name)) render(true);
  });

  const shell = new Shell({
    seatLabel: screen.seat?.seatId,
    cabinState: () => cabin.state.view(),
    personalChanges: () => personalChanges.view(),
    toggleCall: () => cabin.setStatus({ callLight: !cabin.seatStatus.callLight }),
    toggleDnd: () => settings.update({ doNotDisturb: !settings.current.doNotDisturb }),
  });
  // Queued, sending, received, crew is coming: the seat tools say it as it changes.
  cabin.state.subscribe(() => {
    renderShell();
    overlays.render(locale); // the call button on the PA and lock overlays
  });
  personalChanges.subscribe(() => renderShell());
  const app = document.getElementById('app')!;
  app.replaceChildren(
    shell.header,
    overlays.offline,
    policyNotice.el,
    shell.main,
    ctx.background.el,
    overlays.pa,
    overlays.locked,
  );

  let view: View | undefined;
  let routeKey = '';
  function renderShell(): void {
    const focused = document.activeElement?.id;
    shell.render(locale, navKey(parseRoute(location.hash)));
    // The header is rebuilt when the call state changes: the button pressed keeps the focus.
    if (focused && document.activeElement === document.body) document.getElementById(focused)?.focus();
  }
  let rendering = false;
  let again = false;
  let pendingFocus: string | undefined;
  function render(force = false): void {
    // A view's dispose may save state, which notifies, which asks for a render: run it after this one.
    if (rendering) {
      again = true;
      return;
    }
    const key = location.hash;
    // Do not rebuild the player, a search being typed, the pairing screen (a new code each time), the map, the
    // shop or a settings form being filled (a PIN half typed, a message just shown) when only data changed.
    const route = parseRoute(key);
    if (
      !force &&
      key === routeKey &&
      (route.name === 'play' ||
        route.name === 'search' ||
        route.name === 'pair' ||
        route.name === 'map' ||
        route.name === 'shop' ||
        route.name === 'settings')
    )
      return;
    rendering = true;
    try {
      // A background refresh of home must not take the D-pad's focus away from the card it is on.
      const focused = focusSelector(document.activeElement);
      pendingFocus = focused;
      const leaving = view;
      view = undefined;
      leaving?.dispose?.();
      routeKey = key;
      view = screenFor(route);
      shell.main.replaceChildren(view.el);
      document.title = `${view.title} — ${locale.t.appName}`;
      renderShell();
      if (focused) document.querySelector<HTMLElement>(focused)?.focus({ preventScroll: true });
      document.body.dataset.route = route.name;
      // Cold start ends when home shows titles a passenger can touch (read by the bench).
      if (
        route.name === 'home' &&
        !performance.getEntriesByName('ifec:home-interactive').length &&
        view.el.querySelector('a.card-link')
      ) {
        performance.mark('ifec:home-interactive');
        void firstArtworkPainted(view.el).then(homeShown);
      } else if (route.name !== 'home') homeShown(); // started on another screen: nothing to wait for
    } finally {
      rendering = false;
    }
    if (again) {
      again = false;
      render();
    }
  }
  function screenFor(route: ReturnType<typeof parseRoute>): View {
    const lazy = <M>(mod: LazyModule<M>, make: (m: M) => View) =>
      lazyScreen(mod, make, { loading: locale.t.loading, failed: locale.t.offline }, mounted);
    switch (route.name) {
      case 'home':
        return withAdBanner(ctx, homeScreen(ctx));
      case 'browse':
        return lazy(screens.browse, (m) => m.browseScreen(ctx, route.shelf));
      case 'search':
        return lazy(screens.search, (m) => m.searchScreen(ctx, route.query));
      case 'title':
        return lazy(screens.detail, (m) => m.detailScreen(ctx, route.id));
      case 'play':
        return withPreRoll(ctx, route.id, () => lazy(screens.player, (m) => m.playerScreen(ctx, route.id, route.from)));
      case 'settings':
        return lazy(screens.settings, (m) => m.settingsScreen(ctx));
      case 'pair':
        return lazy(screens.pair, (m) => m.pairScreen(ctx, route.code));
      case 'map':
        return mapView(ctx, flight);
      case 'shop':
        return lazy(screens.shop, (m) => m.shopScreen(ctx, route.titleId));
    }
  }
  /** A screen whose code arrived after the route changed: its title, and the focus it had before a data refresh. */
  function mounted(screen: View): void {
    document.title = `${screen.title} — ${locale.t.appName}`;
    if (pendingFocus && document.activeElement === document.body)
      document.querySelector<HTMLElement>(pendingFocus)?.focus({ preventScroll: true });
    pendingFocus = undefined;
  }
  function updateOffline(): void {
    overlays.setOffline(!catalog.online() && !busUp);
  }

  const applySettings = () => {
    const next = new Locale(settings.current.uiLanguage);
    const changed = next.lang !== locale.lang;
    locale = next;
    applyToDocument(document, settings.current, locale.dir);
    cabin.setStatus({ dnd: settings.current.doNotDisturb });
    overlays.render(locale);
    if (pa) overlays.showPa(pa, locale);
    flightStrip.render();
    ctx.background.render();
    if (changed || parseRoute(location.hash).name !== 'play') render(true);
    else renderShell();
  };
  settings.subscribe(applySettings);
  // Settings are the seat's own state too: kept on the appliance, "queued" while it is away (like favourites).
  settings.subscribe((s) => {
    if (!wiping) void catalog.saveSettings?.(s).catch((e: Error) => console.warn(`settings not kept: ${e.message}`));
  });
  parental.subscribe(() => render(true));
  catalog.subscribe(() => {
    updateOffline();
    render();
  });
  // Resume points moved (here or on a paired device): home and detail show them; the player and the pairing screen follow on their own.
  resume.subscribe(() => {
    const name = parseRoute(location.hash).name;
    if (name === 'home' || name === 'title') render();
  });
  window.addEventListener('hashchange', () => render(true));
  installSpatialNavigation(document);
  applyToDocument(document, settings.current, locale.dir);
  overlays.render(locale);
  cabin.setStatus({ dnd: settings.current.doNotDisturb });
  render(true);
  updateOffline();
  document.body.dataset.ready = 'true';

  // The kiosk's watchdog expects a heartbeat from a live renderer.
  if (window.ifecKiosk) setInterval(() => window.ifecKiosk?.heartbeat(), 2000);
  window.addEventListener('error', (e) => cabin.setStatus({ lastError: String(e.message).slice(0, 500) }));
  await afterHome;
  void cabin.start();
  void resume.start();
  const shellCached = registerShellCache();
  // The other screens' code and search's index are fetched while the seat is idle, so they are in
  // the offline cache before they are needed (the service worker keeps what the page loaded).
  const idle = window.requestIdleCallback ?? ((f: () => void) => setTimeout(f, 200));
  const lazies = [...Object.values(screens).map((m) => () => m.load()), () => import('../catalog/search-index.ts')];
  const next = () => {
    const load = lazies.shift();
    if (load)
      void load()
        .catch(() => undefined)
        .finally(() => idle(next, { timeout: 2000 }));
    else void shellCached.then((post) => post?.());
  };
  idle(next, { timeout: 2000 });
}

/** At most this long after start, the bus and the replica start whether home has shown artwork or not. */
const START_DEFERRAL_MAX_MS = 2500;
/** How long home's first artwork may take to arrive before the rest of the start goes ahead. */
const ARTWORK_WAIT_MS = 800;

/** Resolves once the first artwork of a screen is decoded and a frame has painted it (or soon, without one). */
async function firstArtworkPainted(el: HTMLElement): Promise<void> {
  const img = el.querySelector<HTMLImageElement>('img.art');
  if (img) await Promise.race([img.decode().catch(() => undefined), sleep(ARTWORK_WAIT_MS)]);
  // One frame for the picture, then a task: what follows runs after it is on screen.
  await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Phones (and the kiosk when it runs from the appliance's origin) keep the app shell for offline
 * starts. Resolves to what hands the worker the page's files again (after the lazy screens came).
 */
function registerShellCache(): Promise<(() => void) | undefined> {
  if (!('serviceWorker' in navigator) || !location.protocol.startsWith('http')) return Promise.resolve(undefined);
  return navigator.serviceWorker
    .register('./sw.js', { scope: './' })
    .then(async () => {
      const registration = await navigator.serviceWorker.ready;
      // Everything this page loaded before the worker took over (lazy chunks included) goes in the cache.
      const post = () => {
        const assets = performance
          .getEntriesByType('resource')
          .map((e) => e.name)
          .filter((u) => u.startsWith(location.origin) && /\/assets\//.test(u));
        registration.active?.postMessage({ type: 'cache-shell', urls: [location.pathname, ...assets] });
      };
      post();
      setTimeout(post, 5000);
      return post;
    })
    .catch(() => undefined /* no offline start, the app still works online */);
}

void boot();

/** How to find the focused element again in a rebuilt screen: its id, or its title card in the same row. */
function focusSelector(el: Element | null): string | undefined {
  if (!(el instanceof HTMLElement) || el === document.body) return undefined;
  if (el.id) return `#${CSS.escape(el.id)}`;
  const title = el.dataset.titleId;
  if (!title) return undefined;
  const row = el.closest('[aria-labelledby]')?.getAttribute('aria-labelledby');
  return `${row ? `[aria-labelledby="${CSS.escape(row)}"] ` : ''}[data-title-id="${CSS.escape(title)}"]`;
}
