/**
 * The recommendations service aboard: the model of the active content load, each session's
 * signals and consent, the flight clock; rows for one caller. What a session watched and
 * favourited comes from the domains that already hold it (the playback-state document, the
 * seat's replicated favourites) and is read only for a session that opted in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IfecError, type RecoModel, type RecoRows, recoModel, type TitleManifest } from '@ifec/protocol';
import { sha256File } from '@ifec/protocol/node';
import type { Logger } from 'pino';
import type { ActiveContentLoad } from '../media/content-loads.ts';
import type { Entitlements, PlaybackDevice } from '../media/playback-policy.ts';
import type { FlightClock } from './flight-clock.ts';
import { CatalogueIndex, RankingModel, rankRows, type SessionSignal } from './rank.ts';
import type { SessionSignals } from './session-signals.ts';

export interface Caller {
  device: PlaybackDevice;
  /** The seat, or the seat a phone is paired with: its parental lock applies to both. */
  seatId: string;
  sessionId: string;
  /** `seat:12A` or `phone:<id>`, for entitlements. */
  subject: string;
  language: string;
}

export interface RecommendationsDeps {
  signals: SessionSignals;
  flight: FlightClock;
  parentalLocked: (seatId: string) => boolean;
  parentalLockMaxAge: number;
  /** The passenger's own lock on the seat (its replicated parental-lock document), when enabled: its highest age. */
  passengerLockMaxAge: (seatId: string) => number | undefined;
  entitlements: Entitlements;
  /** Titles the seat marked as favourites (its replicated state). */
  favouritesOf: (seatId: string) => string[];
  /** Titles the session played and the furthest position reached (its playback-state document). */
  playedOf: (sessionId: string) => Promise<Map<string, number>>;
  log: Logger;
}

const NO_TITLES: TitleManifest[] = [];

/** A played title counts as finished past 90 % of its length. */
const FINISHED_SHARE = 0.9;

/**
 * A session's rows are kept this long at most when nothing they are keyed on changed: what is
 * not in the key (a purchase) shows within this time. The home screen asks again on every visit.
 */
export const ROWS_CACHE_MS = 15_000;
const ROWS_CACHE_SESSIONS = 4096;

export class Recommendations {
  private active?: ActiveContentLoad;
  private model?: RankingModel;
  /** Per session: the rows last ranked and what they were ranked from. */
  private readonly cache = new Map<string, { key: string; at: number; rows: RecoRows }>();

  constructor(private readonly deps: RecommendationsDeps) {}

  /** The content load whose titles are ranked. */
  get currentLoad(): ActiveContentLoad | undefined {
    return this.active;
  }

  get modelVersion(): number | null {
    return this.model?.model.version ?? null;
  }

  /** The load's model, read and checked against the sha256 its signed load.json gives. */
  async useLoad(active: ActiveContentLoad | undefined): Promise<void> {
    this.active = active;
    this.model = undefined;
    this.cache.clear();
    const entry = active?.load.recommendations;
    if (!active || !entry) return;
    const file = path.join(active.dir, entry.path);
    try {
      if ((await sha256File(file)) !== entry.sha256)
        throw new IfecError('RECO_MODEL_CHECKSUM', `${entry.path} does not match load.json`);
      const model: RecoModel = recoModel.parse(JSON.parse(await fs.promises.readFile(file, 'utf8')));
      this.model = new RankingModel(model);
      this.deps.log.info(
        { loadId: active.loadId, version: model.version, titles: model.titles.length },
        'recommendation model in use',
      );
    } catch (error) {
      // Rows still come, from popularity in catalogue order: a bad model never stops the catalogue.
      this.deps.log.error({ err: error, loadId: active.loadId }, 'recommendation model refused; popularity rows only');
    }
  }

  /** Explicit signals, then what the session's own documents say (favourites, positions). */
  async sessionSignals(caller: Caller): Promise<SessionSignal[]> {
    const explicit = this.deps.signals.signals(caller.sessionId);
    // The catalogue's own index (built once per content load), not a map of 5,000 titles per request.
    const titles = CatalogueIndex.of(this.active?.titles ?? NO_TITLES).byId;
    const implicit: SessionSignal[] = [];
    for (const [titleId, positionS] of await this.deps.playedOf(caller.sessionId)) {
      const t = titles.get(titleId);
      if (t) implicit.push({ kind: positionS >= FINISHED_SHARE * t.durationS ? 'finished' : 'watched', titleId });
    }
    for (const titleId of this.deps.favouritesOf(caller.seatId)) implicit.push({ kind: 'favourited', titleId });
    // Given up, then come back to and finished: the finish is what the passenger thinks of it now.
    const finished = new Set(implicit.flatMap((s) => (s.kind === 'finished' ? [s.titleId] : [])));
    return [...implicit, ...explicit.filter((s) => !(s.kind === 'abandoned' && finished.has(s.titleId)))];
  }

  /** The stricter of the crew's lock and the passenger's own. */
  private lockOf(seatId: string): number | undefined {
    const ages = [
      this.deps.parentalLocked(seatId) ? this.deps.parentalLockMaxAge : undefined,
      this.deps.passengerLockMaxAge(seatId),
    ];
    const set = ages.filter((a): a is number => a !== undefined);
    return set.length > 0 ? Math.min(...set) : undefined;
  }

  /** Forgets every cached ranking (reset for next flight). */
  forgetRankings(): void {
    this.cache.clear();
  }

  async rows(caller: Caller): Promise<RecoRows> {
    const personalised = this.deps.signals.personalised(caller.sessionId);
    const signals = personalised ? await this.sessionSignals(caller) : [];
    const flight = this.deps.flight.context(caller.language);
    const lock = this.lockOf(caller.seatId);
    const minutesLeft = flight.remainingS === undefined ? null : Math.floor(flight.remainingS / 60);
    // Everything the ranking reads, but the catalogue and model (a new load clears the cache).
    const key = [
      caller.device,
      caller.subject,
      caller.seatId,
      caller.language,
      personalised,
      this.deps.signals.version(caller.sessionId),
      lock ?? '-',
      flight.route ?? '-',
      flight.destination ?? '-',
      flight.region ?? '-',
      flight.timeOfDay ?? '-',
      minutesLeft ?? '-',
      signals.map((s) => (s.kind === 'searched' ? `?${s.query}` : `${s.kind}:${s.titleId}`)).join(','),
    ].join('|');
    const now = Date.now();
    const held = this.cache.get(caller.sessionId);
    if (held && held.key === key && now - held.at < ROWS_CACHE_MS) return held.rows;
    const rows = rankRows({
      titles: this.active?.titles ?? NO_TITLES,
      model: this.model,
      signals,
      personalised,
      playback: {
        viewer: { subject: caller.subject, device: caller.device, seatId: caller.seatId },
        parentalMaxAge: lock,
        region: flight.region,
        entitlements: this.deps.entitlements,
      },
      flight,
    });
    const result: RecoRows = { personalised, modelVersion: this.modelVersion, minutesLeft, rows };
    if (this.cache.size >= ROWS_CACHE_SESSIONS && !this.cache.has(caller.sessionId)) this.cache.clear();
    this.cache.set(caller.sessionId, { key, at: now, rows: result });
    return result;
  }
}
