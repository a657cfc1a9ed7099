/**
 * The recommendations domain: the model of the active content load, each passenger session's
 * signals and consent, ranking per caller; its HTTP routes. It reads the flight's ETA and route
 * from the cabin bus (flight/position, flight/phase) without claiming those topics, and adds
 * its personal state to the reset for next flight.
 */

import crypto from 'node:crypto';
import { topics } from '@ifec/protocol';
import { titlesPlayed } from '@ifec/protocol/resume-doc';
import type { Logger } from 'pino';
import type { AccessDirectory } from '../access/directory.ts';
import type { ApplianceDomain, BusLink } from '../domain.ts';
import type { ContentLoads } from '../media/content-loads.ts';
import { type Entitlements, noPurchases } from '../media/playback-policy.ts';
import type { ResumeHub } from '../resume/resume-hub.ts';
import type { SeatStates } from '../seat-state/seat-states.ts';
import type { SeatSessions } from '../seat-state/sessions.ts';
import type { FlightReset } from '../sessions/reset.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';
import { groundOnly } from '../sync/outbox.ts';
import { FlightClock } from './flight-clock.ts';
import { recommendationsRouter } from './http.ts';
import { Recommendations } from './recommendations.ts';
import { applyRecoConsent, RECO_CONSENT_SET, RECO_TABLES, SessionSignals } from './session-signals.ts';

/** aedes' persistence as far as it is read here (its typings omit it on the broker). */
interface RetainedStore {
  createRetainedStream(pattern: string): AsyncIterable<{ payload: Buffer | string }>;
}

/** An opted-in session's watch history for the ground's training: an opaque id, titles in order. */
export const RECO_WATCH_HISTORY = 'reco.watch.history';

export interface RecommendationsDeps {
  config: {
    recommendationsPersonalisedByDefault: boolean;
    plannedFlightMinutes?: number;
    parentalLockMaxAge: number;
    region?: string;
  };
  store: Store;
  records: DurableRecords;
  directory: AccessDirectory;
  seatSessions: SeatSessions;
  sessionOf: (seatId: string) => string | undefined;
  pairedSeat: (deviceId: string) => string | undefined;
  hub: ResumeHub;
  seatStates: SeatStates;
  parentalLocked: (seatId: string) => boolean;
  loads: ContentLoads;
  reset: FlightReset;
  entitlements?: Entitlements;
  bus: BusLink;
  log: Logger;
}

export interface RunningRecommendations {
  recommendations: Recommendations;
  signals: SessionSignals;
  flight: FlightClock;
}

export const recommendationsDomain: ApplianceDomain<RecommendationsDeps, RunningRecommendations> = {
  name: 'recommendations',
  records: { [RECO_WATCH_HISTORY]: groundOnly, [RECO_CONSENT_SET]: applyRecoConsent },
  async open(deps) {
    const { config, store, seatStates, log } = deps;
    const signals = new SessionSignals(store, config.recommendationsPersonalisedByDefault, Date.now, deps.records);
    await signals.load();
    const flight = new FlightClock(
      config.plannedFlightMinutes === undefined ? undefined : config.plannedFlightMinutes * 60,
      config.region,
    );
    const recommendations = new Recommendations({
      signals,
      flight,
      parentalLocked: deps.parentalLocked,
      parentalLockMaxAge: config.parentalLockMaxAge,
      passengerLockMaxAge: (seatId) => {
        const doc = seatStates.get(seatId, 'parental-lock');
        return doc?.kind === 'parental-lock' && !doc._deleted && doc.value.enabled ? doc.value.maxAge : undefined;
      },
      entitlements: deps.entitlements ?? noPurchases,
      favouritesOf: (seatId) =>
        seatStates
          .pull(seatId, null, 1000)
          .documents.flatMap((d) => (d.kind === 'favourite' && !d._deleted ? [d.value.titleId] : [])),
      playedOf: async (sessionId) => titlesPlayed(await deps.hub.document(sessionId)),
      log,
    });
    await recommendations.useLoad(deps.loads.active);
    deps.loads.onActivated((active) => {
      recommendations
        .useLoad(active)
        .catch((error: unknown) => log.error({ err: error }, 'recommendation model not loaded'));
    });
    deps.reset.alsoWipe({
      tables: RECO_TABLES,
      // With consent only, and without the session id: a fresh random id per history.
      async beforeWipe() {
        const histories = signals.optedInHistories();
        if (histories.length === 0) return;
        await deps.records.writeMany(
          RECO_WATCH_HISTORY,
          histories.map((h) => ({ id: crypto.randomUUID(), data: { session: crypto.randomUUID(), titles: h.titles } })),
        );
      },
      wipe: (tx) => signals.forgetAll(tx),
      wiped: () => {
        signals.forgotten();
        recommendations.forgetRankings();
      },
    });
    return {
      api: { recommendations, signals, flight },
      router: recommendationsRouter({
        directory: deps.directory,
        seatSessions: deps.seatSessions,
        sessionOf: deps.sessionOf,
        pairedSeat: deps.pairedSeat,
        recommendations,
        signals,
      }),
      async restore() {
        // Listens beside whichever domain owns these topics. An internal subscription gets no
        // retained message, so what a domain restored before this one published is read once.
        const broker = deps.bus.bus.broker;
        const retained = (broker as unknown as { persistence: RetainedStore }).persistence;
        const feed = async (topic: string, into: (payload: Buffer) => void) => {
          broker.subscribe(
            topic,
            (packet, done) => {
              into(Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
              done();
            },
            () => undefined,
          );
          for await (const packet of retained.createRetainedStream(topic)) into(Buffer.from(packet.payload));
        };
        await feed(topics.flightPosition, (p) => flight.observePosition(p));
        await feed(topics.flightPhase, (p) => flight.observePhase(p));
      },
    };
  },
};
