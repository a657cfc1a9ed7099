/**
 * The moving map, fully offline: Natural Earth outlines drawn with d3-geo on a canvas, the
 * great-circle route, the track flown and to go, the aircraft on its heading, the night side
 * of the Earth, cities in the seat's language, three views and a flight-info panel. This
 * module and its data are one lazy chunk (see open-map.ts): nothing here is in the kiosk's
 * start-up JavaScript.
 *
 * The aircraft is a DOM element over the canvas, not a painted sprite: screen readers and
 * the e2e tests read where it is (data-x, data-y) and which way it points.
 */
import './map.css';
import type { Airport, FlightPosition } from '@ifec/protocol';
import { type GeoProjection, geoCircle, geoGraticule10, geoPath } from 'd3-geo';
import type { FlightAwareness } from '../flight/flight-state.ts';
import { h, replace } from '../ui/dom.ts';
import { airportCityName } from './city-names.ts';
import { antipode, distanceFromLegM, distanceM, type LonLat, subsolarPoint } from './geo-math.ts';
import { CITIES, type City, cityName } from './map-cities.ts';
import { MAP_VIEW_KEY } from './map-preferences.ts';
import { type MapStrings, mapStringsFor } from './map-strings.ts';
import { AIRCRAFT_ZOOM_KM, fitProjection, type MapViewKind, screenHeadingDeg } from './map-view.ts';
import { worldShapes } from './map-world.ts';
import {
  formatAltitude,
  formatDistance,
  formatDuration,
  formatLocalTime,
  formatSpeed,
  formatTemperature,
  saveUnitSystem,
  secondsToGo,
  type UnitSystem,
  unitSystemFor,
} from './units.ts';

export interface MovingMapDeps {
  flight: FlightAwareness;
  lang: string;
  storage: Storage;
  /** navigator.language: the default unit system follows the device's region. */
  deviceLanguage: string;
  device: 'seatback' | 'phone';
  dir: 'ltr' | 'rtl';
}

export interface MovingMap {
  el: HTMLElement;
  title: string;
  dispose(): void;
}

/** The seat's own view of freshness: the bus may be down even when the last message said "live". */
const SEAT_STALE_AFTER_MS = 10_000;
/** Cities this close to the route are labelled on the whole-route and world views. */
const ROUTE_CITY_KM = 350;

export function movingMap(deps: MovingMapDeps): MovingMap {
  const { flight } = deps;
  const lang = deps.lang;
  // Numbers and clocks in the device's variant of the UI language (en-GB: 24-hour clock, en-US: 12-hour).
  const format = deps.deviceLanguage.split('-')[0] === lang ? deps.deviceLanguage : lang;
  const s = mapStringsFor(lang);
  const world = worldShapes();
  let units: UnitSystem = unitSystemFor(deps.storage, deps.deviceLanguage);
  let view: MapViewKind =
    (['route', 'aircraft', 'world'] as const).find((v) => v === deps.storage.getItem(MAP_VIEW_KEY)) ?? 'route';
  let zoom = 1;

  const canvas = h('canvas', { class: 'map-canvas', 'aria-hidden': 'true' });
  const aircraft = h('div', { class: 'map-aircraft', id: 'map-aircraft', role: 'img', hidden: true }, planeIcon());
  const quality = h('p', { class: 'map-quality', id: 'map-quality', role: 'status', hidden: true });
  const stage = h('div', { class: 'map-stage', id: 'map-stage', dir: 'ltr' }, canvas, aircraft, quality);
  const info = h('dl', { class: 'flight-info', id: 'flight-info' });
  const over = h('p', { class: 'map-over', id: 'map-over' });
  const viewButtons = (['route', 'aircraft', 'world'] as const).map((v) =>
    h(
      'button',
      { type: 'button', class: 'button', 'data-view': v, id: `map-view-${v}`, onClick: () => setView(v) },
      s[v === 'route' ? 'viewRoute' : v === 'aircraft' ? 'viewAircraft' : 'viewWorld'],
    ),
  );
  const zoomIn = h(
    'button',
    { type: 'button', class: 'button', id: 'map-zoom-in', 'aria-label': s.zoomIn, onClick: () => setZoom(zoom + 1) },
    '+',
  );
  const zoomOut = h(
    'button',
    { type: 'button', class: 'button', id: 'map-zoom-out', 'aria-label': s.zoomOut, onClick: () => setZoom(zoom - 1) },
    '−',
  );
  const unitsButton = h('button', {
    type: 'button',
    class: 'button secondary',
    id: 'map-units',
    onClick: () => {
      units = units === 'metric' ? 'imperial' : 'metric';
      saveUnitSystem(deps.storage, units);
      refresh();
    },
  });
  const el = h(
    'section',
    { class: `moving-map ${deps.device}`, 'aria-labelledby': 'map-heading' },
    h(
      'div',
      { class: 'map-bar' },
      h('h1', { id: 'map-heading' }, s.title),
      h(
        'div',
        { class: 'map-controls', role: 'group', 'aria-label': s.views },
        viewButtons,
        zoomOut,
        zoomIn,
        unitsButton,
      ),
    ),
    h(
      'div',
      { class: 'map-body' },
      stage,
      h(
        'aside',
        { class: 'flight-panel', 'aria-labelledby': 'flight-info-heading' },
        h('h2', { id: 'flight-info-heading' }, s.flightInfo),
        over,
        info,
      ),
    ),
  );

  function setView(v: MapViewKind): void {
    view = v;
    deps.storage.setItem(MAP_VIEW_KEY, v);
    refresh();
  }
  function setZoom(z: number): void {
    zoom = Math.max(0, Math.min(AIRCRAFT_ZOOM_KM.length - 1, z));
    refresh();
  }

  let frame = 0;
  const refresh = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
      renderInfo();
    });
  };
  const unsubscribe = flight.subscribe(refresh);
  const clock = setInterval(refresh, 15_000); // the terminator, local times and staleness move without messages
  const resize = new ResizeObserver(refresh);
  resize.observe(stage);

  function draw(): void {
    const width = stage.clientWidth,
      height = stage.clientHeight;
    if (width === 0 || height === 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const g = canvas.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const pos = flight.position;
    const phase = flight.phase;
    const origin = lonLat(phase?.origin),
      destination = lonLat(phase?.destination);
    const at: LonLat | null = pos ? [pos.lon, pos.lat] : null;
    const effectiveView: MapViewKind = view === 'route' && !(origin && destination) ? 'aircraft' : view;
    const projection = fitProjection(
      effectiveView,
      { width, height, margin: deps.device === 'phone' ? 28 : 56 },
      { origin, destination, aircraft: at, zoom },
    );
    const path = geoPath(projection, g);

    g.fillStyle = '#0c2744';
    g.fillRect(0, 0, width, height);
    if (effectiveView === 'world') {
      g.fillStyle = '#0f3156';
      g.beginPath();
      path({ type: 'Sphere' });
      g.fill();
    }
    g.strokeStyle = 'rgba(160, 190, 230, 0.12)';
    g.lineWidth = 1;
    g.beginPath();
    path(geoGraticule10());
    g.stroke();
    g.fillStyle = '#52705a';
    g.beginPath();
    path(world.land);
    g.fill();
    g.strokeStyle = 'rgba(230, 240, 220, 0.35)';
    g.lineWidth = 0.7;
    g.beginPath();
    path(world.borders);
    g.stroke();

    // Night: three circles around the sun's antipode, so twilight fades instead of a hard edge.
    const night = antipode(subsolarPoint(new Date()));
    for (const [radius, alpha] of [
      [96, 0.14],
      [93, 0.14],
      [90, 0.2],
    ] as const) {
      g.fillStyle = `rgba(2, 6, 20, ${alpha})`;
      g.beginPath();
      path(geoCircle().center([night[0], night[1]]).radius(radius)());
      g.fill();
    }

    // To go: the great circle from the aircraft (or the origin) to the destination, dashed.
    if (destination && (at ?? origin)) {
      g.setLineDash([8, 8]);
      g.strokeStyle = 'rgba(255, 255, 255, 0.85)';
      g.lineWidth = 2.5;
      g.beginPath();
      path({ type: 'LineString', coordinates: [[...(at ?? origin)!], [...destination]] });
      g.stroke();
      g.setLineDash([]);
    }
    // Flown: from the origin through the breadcrumbs to the aircraft (each leg a great circle).
    if (at) {
      const flown = [...(origin ? [[...origin]] : []), ...flight.track.map((p) => [...p]), [...at]];
      g.strokeStyle = '#ffc233';
      g.lineWidth = 3.5;
      g.beginPath();
      path({ type: 'LineString', coordinates: flown });
      g.stroke();
    }

    drawCities(g, projection, width, height, { origin, destination, view: effectiveView, phase: phase ?? null });
    placeAircraft(projection, pos, width, height);
    stage.dataset.view = effectiveView;
    stage.dataset.zoom = String(zoom);
    if (pos) {
      // For the e2e tests and the bench (flight.position_to_map_ms): which fix is on screen, and since when.
      stage.dataset.positionAt = pos.at;
      stage.dataset.drawnAt = String(Date.now());
    }
  }

  function drawCities(
    g: CanvasRenderingContext2D,
    projection: GeoProjection,
    width: number,
    height: number,
    c: { origin: LonLat | null; destination: LonLat | null; view: MapViewKind; phase: FlightAwareness['phase'] },
  ): void {
    const placed: { x0: number; y0: number; x1: number; y1: number }[] = [];
    const fontSize = deps.device === 'phone' ? 12 : 14;
    g.font = `600 ${fontSize}px system-ui, 'Noto Sans', 'Noto Sans CJK SC', 'Noto Sans Arabic', 'Noto Sans Devanagari', sans-serif`;
    g.textBaseline = 'middle';
    const label = (name: string, p: LonLat, strong: boolean): boolean => {
      const xy = projection([p[0], p[1]]);
      if (!xy || xy[0] < 0 || xy[1] < 0 || xy[0] > width || xy[1] > height) return false;
      const w = g.measureText(name).width;
      const right = xy[0] + 8 + w < width - 4;
      const box = right
        ? { x0: xy[0] - 4, y0: xy[1] - fontSize, x1: xy[0] + 10 + w, y1: xy[1] + fontSize }
        : { x0: xy[0] - 10 - w, y0: xy[1] - fontSize, x1: xy[0] + 4, y1: xy[1] + fontSize };
      if (!strong && placed.some((b) => b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1)) return false;
      placed.push(box);
      g.fillStyle = strong ? '#ffc233' : '#f2f4f8';
      g.beginPath();
      g.arc(xy[0], xy[1], strong ? 5 : 3, 0, 2 * Math.PI);
      g.fill();
      g.lineWidth = 3;
      g.strokeStyle = 'rgba(5, 12, 26, 0.85)';
      g.textAlign = right ? 'left' : 'right';
      const tx = right ? xy[0] + 8 : xy[0] - 8;
      g.strokeText(name, tx, xy[1]);
      g.fillText(name, tx, xy[1]);
      return true;
    };
    const shown: string[] = [];
    // The airports first: they always get their label.
    for (const [airport, p] of [
      [c.phase?.origin, c.origin],
      [c.phase?.destination, c.destination],
    ] as const) {
      if (airport && p && label(airportCity(airport, lang), p, true)) shown.push(airportCity(airport, lang));
    }
    const near = (city: City) =>
      !c.origin ||
      !c.destination ||
      c.view === 'aircraft' ||
      distanceFromLegM([city.lon, city.lat], c.origin, c.destination) < ROUTE_CITY_KM * 1000;
    for (const city of CITIES) {
      if (
        (c.origin && distanceM(c.origin, [city.lon, city.lat]) < 60_000) ||
        (c.destination && distanceM(c.destination, [city.lon, city.lat]) < 60_000)
      )
        continue;
      if (near(city) && label(cityName(city, lang), [city.lon, city.lat], false)) shown.push(cityName(city, lang));
    }
    stage.dataset.cities = shown.join('|');
  }

  function placeAircraft(projection: GeoProjection, pos: FlightPosition | null, width: number, height: number): void {
    const xy = pos ? projection([pos.lon, pos.lat]) : null;
    if (!pos || !xy || xy[0] < 0 || xy[1] < 0 || xy[0] > width || xy[1] > height) {
      aircraft.hidden = true;
      return;
    }
    const heading = screenHeadingDeg(projection, [pos.lon, pos.lat], pos.headingDeg ?? pos.trackDeg);
    aircraft.hidden = false;
    aircraft.style.left = `${xy[0]}px`;
    aircraft.style.top = `${xy[1]}px`;
    aircraft.style.transform = `translate(-50%, -50%) rotate(${heading.toFixed(1)}deg)`;
    aircraft.dataset.x = xy[0].toFixed(1);
    aircraft.dataset.y = xy[1].toFixed(1);
    aircraft.dataset.lon = pos.lon.toFixed(4);
    aircraft.dataset.lat = pos.lat.toFixed(4);
    aircraft.dataset.heading = heading.toFixed(1);
    aircraft.dataset.quality = pos.quality;
    aircraft.classList.toggle('estimated', pos.quality !== 'live');
  }

  function renderInfo(): void {
    const pos = flight.position;
    const phase = flight.phase;
    const now = new Date();
    const tooOld = pos !== null && Date.now() - flight.positionReceivedAt > SEAT_STALE_AFTER_MS;
    const q = !pos ? 'waiting' : pos.quality === 'live' && tooOld ? 'stale' : pos.quality;
    quality.hidden = q === 'live';
    quality.dataset.quality = q;
    quality.textContent =
      q === 'waiting'
        ? s.waiting
        : q === 'stale'
          ? s.stale
          : q === 'dead_reckoning'
            ? s.deadReckoning
            : q === 'lost'
              ? s.lost
              : '';
    if (pos) aircraft.setAttribute('aria-label', `${s.title}: ${pos.lat.toFixed(2)}, ${pos.lon.toFixed(2)}`);
    unitsButton.textContent = `${s.units}: ${units === 'metric' ? s.metric : s.imperial}`;
    for (const b of viewButtons) b.setAttribute('aria-pressed', String(b.dataset.view === view));
    zoomIn.disabled = view !== 'aircraft' || zoom >= AIRCRAFT_ZOOM_KM.length - 1;
    zoomOut.disabled = view !== 'aircraft' || zoom <= 0;

    over.textContent =
      pos && airborne(pos) ? (pos.region ? s.over.replace('{place}', regionName(pos.region, lang)) : s.overWater) : '';
    over.dataset.region = pos?.region ?? '';
    const row = (key: string, label: string, value: string | null) =>
      value === null ? null : [h('dt', {}, label), h('dd', { 'data-field': key }, value)];
    const toGo = pos ? secondsToGo(pos, now) : null;
    const route =
      phase?.origin && phase.destination
        ? `${airportCity(phase.origin, lang)} ${deps.dir === 'rtl' ? '←' : '→'} ${airportCity(phase.destination, lang)}`
        : null;
    const times = pos?.localTimes;
    const destinationOffset = times?.destination?.utcOffsetMin;
    replace(
      info,
      row('flight', s.flight, phase?.flightNumber ? `${phase.flightNumber}${route ? ` · ${route}` : ''}` : route),
      row('phase', s.phase, pos ? s[pos.phase] : phase ? s[phase.phase] : null),
      row('groundSpeed', s.groundSpeed, pos ? formatSpeed(pos.groundSpeedMps, units, format) : null),
      row('altitude', s.altitude, pos ? formatAltitude(pos.altitudeM, units, format) : null),
      row(
        'outsideTemp',
        s.outsideTemp,
        pos?.outsideAirTempC !== undefined && pos ? formatTemperature(pos.outsideAirTempC, units, format) : null,
      ),
      row('distanceFlown', s.distanceFlown, pos ? formatDistance(pos.distanceFlownM, units, format) : null),
      row(
        'distanceToGo',
        s.distanceToGo,
        pos?.distanceToGoM != null ? formatDistance(pos.distanceToGoM, units, format) : null,
      ),
      row('timeToGo', s.timeToGo, toGo !== null ? formatDuration(toGo, format) : null),
      row(
        'arrival',
        s.arrival,
        pos?.eta && destinationOffset !== undefined
          ? formatLocalTime(new Date(pos.eta), destinationOffset, format)
          : null,
      ),
      times && (times.origin || times.destination || times.below)
        ? h('dt', { class: 'times-heading' }, s.localTimes)
        : null,
      row(
        'timeOrigin',
        s.atOrigin,
        times?.origin
          ? formatLocalTime(now, times.origin.utcOffsetMin, format)
          : phase?.origin
            ? zoneTime(now, phase.origin.tz, format)
            : null,
      ),
      row(
        'timeDestination',
        s.atDestination,
        times?.destination
          ? formatLocalTime(now, times.destination.utcOffsetMin, format)
          : phase?.destination
            ? zoneTime(now, phase.destination.tz, format)
            : null,
      ),
      row('timeBelow', s.below, times?.below ? formatLocalTime(now, times.below.utcOffsetMin, format) : null),
    );
  }

  draw();
  renderInfo();
  return {
    el,
    title: s.title,
    dispose() {
      unsubscribe();
      clearInterval(clock);
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
    },
  };
}

function lonLat(a: Airport | null | undefined): LonLat | null {
  return a ? [a.lon, a.lat] : null;
}

function airborne(p: FlightPosition): boolean {
  return !['gate', 'taxi_out', 'taxi_in', 'landed'].includes(p.phase);
}

const airportCity = airportCityName;

function regionName(code: string, lang: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

function zoneTime(at: Date, tz: string, lang: string): string | null {
  try {
    return new Intl.DateTimeFormat(lang, { timeStyle: 'short', timeZone: tz }).format(at);
  } catch {
    return null;
  }
}

function planeIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  // Nose up: the element is rotated by the heading.
  path.setAttribute(
    'd',
    'M12 1.5c.8 0 1.4 1 1.4 2.4v5.6l8.1 4.7v2.1l-8.1-2.5v4.7l2.3 1.8v1.7L12 21l-3.7 1v-1.7l2.3-1.8v-4.7l-8.1 2.5v-2.1l8.1-4.7V3.9c0-1.4.6-2.4 1.4-2.4z',
  );
  svg.append(path);
  return svg;
}

export type { MapStrings };
