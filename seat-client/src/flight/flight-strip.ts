/**
 * The small strip on the home screen: where we go and how long it still takes, linking to the
 * map. One element for the app's life that updates itself as positions arrive (1 Hz), so home
 * is not rebuilt every second.
 */
import type { Locale } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import type { FlightAwareness } from './flight-state.ts';

export class FlightStrip {
  readonly el = h('a', { href: '#/map', class: 'flight-strip', id: 'flight-strip', hidden: true });
  /** City names in the UI languages: a small chunk, fetched once a destination is known (the code shows until then). */
  private cityNames: typeof import('../map/city-names.ts') | undefined;
  private loading = false;

  constructor(
    private readonly flight: FlightAwareness,
    private readonly locale: () => Locale,
  ) {
    flight.subscribe(() => this.render());
  }

  render(): void {
    const { t } = this.locale();
    const pos = this.flight.position;
    const destination = this.flight.phase?.destination;
    const seconds = pos?.eta
      ? (Date.parse(pos.eta) - Date.now()) / 1000
      : pos?.distanceToGoM != null && pos.groundSpeedMps > 30
        ? pos.distanceToGoM / pos.groundSpeedMps
        : null;
    if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
      this.el.hidden = true;
      return;
    }
    this.el.hidden = false;
    if (destination && !this.cityNames && !this.loading) {
      this.loading = true;
      void import('../map/city-names.ts').then(
        (m) => {
          this.cityNames = m;
          this.render();
        },
        () => undefined,
      );
    }
    const lang = this.locale().lang;
    const place = destination
      ? (this.cityNames?.airportCityName(destination, lang) ?? destination.iata ?? destination.icao)
      : '';
    const flightNumber = this.flight.phase?.flightNumber;
    const time = this.locale().duration(Math.max(0, Math.round(seconds / 60) * 60));
    this.el.dataset.secondsToGo = String(Math.round(seconds));
    replace(
      this.el,
      h('span', { class: 'strip-plane', 'aria-hidden': 'true' }, '✈'),
      flightNumber ? h('span', { class: 'strip-flight' }, flightNumber) : null,
      place ? h('span', { class: 'strip-destination' }, place) : null,
      h('span', { class: 'strip-label' }, t.timeToDestination),
      h('strong', { class: 'strip-time', id: 'strip-time' }, time),
      h('span', { class: 'strip-map' }, t.map),
    );
  }
}
