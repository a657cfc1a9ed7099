import { z } from 'zod';

/**
 * What the appliance's flight domain publishes on the cabin bus. The seat's moving map,
 * the crew console, the policy engine and the recommendations all read these shapes.
 */

export const flightPhase = z.enum([
  'gate',
  'taxi_out',
  'takeoff',
  'climb',
  'cruise',
  'descent',
  'approach',
  'landed',
  'taxi_in',
]);
export type FlightPhase = z.infer<typeof flightPhase>;

/** Where a fix came from; the crew console shows which one is in use. */
export const positionSourceKind = z.enum(['nmea', 'gdl90', 'arinc429', 'replay', 'simulator']);
export type PositionSourceKind = z.infer<typeof positionSourceKind>;

/**
 * live: a fresh fix from a source; stale: the last fix is older than 5 s;
 * dead_reckoning: no source for a while, position extrapolated from the last speed and track
 * (for at most 10 minutes); lost: nothing usable.
 */
export const positionQuality = z.enum(['live', 'stale', 'dead_reckoning', 'lost']);
export type PositionQuality = z.infer<typeof positionQuality>;

export const airport = z
  .object({
    iata: z
      .string()
      .regex(/^[A-Z0-9]{3}$/)
      .optional(),
    icao: z.string().regex(/^[A-Z0-9]{4}$/),
    name: z.string().max(120),
    city: z.string().max(80).optional(),
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    /** IANA time zone such as Europe/London. */
    tz: z.string().max(64),
  })
  .strict();
export type Airport = z.infer<typeof airport>;

/** A local time somewhere, as the seat shows it: "14:05", with its zone. */
export const localTime = z
  .object({ tz: z.string().max(64), time: z.string().max(8), utcOffsetMin: z.number() })
  .strict();
export type LocalTime = z.infer<typeof localTime>;

/** The retained state on flight/position, published at 1 Hz. SI units; the seat converts. */
export const flightPosition = z
  .object({
    at: z.string().datetime(),
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    /** Metres above mean sea level (geometric or pressure altitude, whichever the source gives). */
    altitudeM: z.number().min(-500).max(20000),
    groundSpeedMps: z.number().min(0).max(400),
    /** Degrees true, 0..360. */
    trackDeg: z.number().min(0).max(360),
    headingDeg: z.number().min(0).max(360).optional(),
    verticalSpeedMps: z.number().min(-200).max(200),
    outsideAirTempC: z.number().min(-100).max(60).optional(),
    quality: positionQuality,
    source: positionSourceKind.nullable(),
    /** Which configured source, e.g. nmea-udp:10110 (two sources may share a kind). */
    sourceId: z.string().max(200).optional(),
    phase: flightPhase,
    /** ISO 3166-1 alpha-2 of the airspace below, or null over international waters / unknown. */
    region: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .nullable(),
    distanceFlownM: z.number().min(0),
    distanceToGoM: z.number().min(0).nullable(),
    eta: z.string().datetime().nullable(),
    localTimes: z
      .object({ origin: localTime.nullable(), destination: localTime.nullable(), below: localTime.nullable() })
      .strict(),
  })
  .strict();
export type FlightPosition = z.infer<typeof flightPosition>;

/** The retained state on flight/phase: the phase and the flight it belongs to. */
export const flightPhaseState = z
  .object({
    phase: flightPhase,
    since: z.string().datetime(),
    previous: flightPhase.nullable(),
    flightNumber: z.string().max(10).nullable(),
    origin: airport.nullable(),
    destination: airport.nullable(),
    /** From the ground's flight plan, when one arrived. */
    scheduledDeparture: z.string().datetime().optional(),
    scheduledArrival: z.string().datetime().optional(),
    /** Who set the flight plan in force: crew on the console, the ground over the link, or the simulator's route. */
    planFrom: z.enum(['crew', 'ground', 'simulator']).optional(),
  })
  .strict();
export type FlightPhaseState = z.infer<typeof flightPhaseState>;

/** What crew set on the console (PUT /api/crew/flight); codes are IATA or ICAO. */
export const flightPlanUpdate = z
  .object({
    flightNumber: z
      .string()
      .regex(/^[A-Z0-9]{2,3}[0-9]{1,4}[A-Z]?$/, 'a flight number such as BA11')
      .optional(),
    origin: z
      .string()
      .regex(/^([A-Z]{3}|[A-Z0-9]{4})$/, 'an IATA or ICAO airport code')
      .optional(),
    destination: z
      .string()
      .regex(/^([A-Z]{3}|[A-Z0-9]{4})$/, 'an IATA or ICAO airport code')
      .optional(),
  })
  .strict();
export type FlightPlanUpdate = z.infer<typeof flightPlanUpdate>;

// ---- the flight plan from the ground ---------------------------------------------------

/** The publication name of an aircraft's next flight plan (kind `flight-plan`, one aircraft). */
export const FLIGHT_PLAN_PUBLICATION = 'next-flight';

const airportCode = z.string().regex(/^([A-Z]{3}|[A-Z0-9]{4})$/, 'an IATA or ICAO airport code');

/** A point of the filed route (a fix, a navaid or a bare position). */
export const routePoint = z
  .object({
    ident: z.string().min(1).max(12).optional(),
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
  })
  .strict();
export type RoutePoint = z.infer<typeof routePoint>;

/**
 * The payload of a `flight-plan` publication: what the airline's operations system knows about
 * the aircraft's next flight. Crew can still override flight number, origin and destination aboard.
 */
export const groundFlightPlan = z
  .object({
    flightNumber: z.string().regex(/^[A-Z0-9]{2,3}[0-9]{1,4}[A-Z]?$/, 'a flight number such as BA11'),
    origin: airportCode,
    destination: airportCode,
    scheduledDeparture: z.string().datetime(),
    scheduledArrival: z.string().datetime(),
    /** Waypoints between origin and destination, in order; empty: the great circle. */
    route: z.array(routePoint).max(500).default([]),
  })
  .strict()
  .refine((p) => Date.parse(p.scheduledArrival) > Date.parse(p.scheduledDeparture), {
    message: 'scheduledArrival must be after scheduledDeparture',
    path: ['scheduledArrival'],
  })
  .refine((p) => p.origin !== p.destination, { message: 'origin and destination are the same', path: ['destination'] });
export type GroundFlightPlan = z.infer<typeof groundFlightPlan>;
