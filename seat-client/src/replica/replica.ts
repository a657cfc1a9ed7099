/**
 * The seat's offline replica: the catalogue and the seat's own state in RxDB (IndexedDB via
 * Dexie in the browser), replicated with the appliance over RxDB's pull / push / live-stream
 * protocol. The first sync downloads the catalogue snapshot (one compressed file) and then
 * pulls only what changed after it; afterwards the replica answers every query with the
 * appliance unreachable and pushes changes made offline when it comes back.
 *
 *   const replica = await openReplica({ baseUrl, seatId, token, device: 'seat' });
 *   replica.titles.find({ selector: { kind: 'movie' } }).$.subscribe(render);
 *   replica.online$.subscribe((online) => banner(!online));
 *
 * Framework-free on purpose: the UI binds to the RxDB collections and observables.
 */

import {
  type CatalogTitleDoc,
  paths,
  type ReplicationCheckpoint,
  type SeatStateDoc,
  type SeatStatePushRow,
} from '@ifec/protocol';
import { createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { type RxReplicationState, replicateRxCollection } from 'rxdb/plugins/replication';
import { BehaviorSubject, combineLatest, distinctUntilChanged, map, Observable, type Subscription } from 'rxjs';
import { ApplianceApi, type TokenSource } from './appliance-api.ts';
import { LiveEvents } from './live-events.ts';
import { type SeatStateDocument, seatStateSchema, type TitleDocument, titleSchema } from './schemas.ts';

export type Device = 'seat' | 'phone';

export interface ReplicaOptions {
  /** The appliance's origin, e.g. `http://10.0.0.1:8080` ('' or the page's origin in the browser). */
  baseUrl: string;
  seatId: string;
  /** The seat's bearer token (POST /api/seats/login), or a function that returns a fresh one. */
  token: TokenSource;
  device: Device;
  /** Default: IndexedDB (Dexie). Tests under Node pass `getRxStorageMemory()`. */
  // biome-ignore lint/suspicious/noExplicitAny: RxDB storages are generic over their own internals
  storage?: RxStorage<any, any>;
  /** Default `ifec-<device>-<seat>`; one database per seat and device. */
  databaseName?: string;
  fetch?: typeof fetch;
  /** Several tabs of one database share one replication (phones); default true in the browser. */
  multiInstance?: boolean;
  /** The passenger session this seat holds (src/resume/), sent with pushes. */
  passengerSession?: () => string | undefined;
  /** Documents per pull page. */
  batchSize?: number;
  /** How long before a failed request is tried again. */
  retryMs?: number;
}

export type TitlesCollection = RxCollection<TitleDocument>;
export type SeatStateCollection = RxCollection<SeatStateDocument>;

export interface Replica {
  database: RxDatabase;
  titles: TitlesCollection;
  seatState: SeatStateCollection;
  /** True while the appliance is reachable (its live stream is open). */
  online$: Observable<boolean>;
  /** Replication errors (the appliance refused a request, a network failure); retried by RxDB. */
  errors$: Observable<Error>;
  /** Resolves after the first complete sync with the appliance in this session. */
  whenSynced(): Promise<void>;
  /** Resolves when nothing is waiting to be pulled or pushed right now. */
  whenInSync(): Promise<void>;
  close(): Promise<void>;
}

export async function openReplica(options: ReplicaOptions): Promise<Replica> {
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const api = new ApplianceApi(options.baseUrl, options.token, fetchFn, undefined, options.passengerSession);
  const storage = options.storage ?? (await import('rxdb/plugins/storage-dexie')).getRxStorageDexie();
  const database = await createRxDatabase({
    name: options.databaseName ?? `ifec-${options.device}-${options.seatId.toLowerCase()}`,
    storage,
    multiInstance: options.multiInstance ?? 'window' in globalThis,
    eventReduce: true,
    closeDuplicates: true,
  });
  const collections = await database.addCollections({
    titles: { schema: titleSchema },
    seatstate: { schema: seatStateSchema },
  });
  const titles = collections.titles as TitlesCollection;
  const seatState = collections.seatstate as SeatStateCollection;
  const batchSize = options.batchSize ?? 200;
  const retryTime = options.retryMs ?? 3000;
  const identity = `${options.baseUrl.replace(/\/+$/, '')}|${options.seatId}`;

  const catalogEvents = new LiveEvents<CatalogTitleDoc>({
    url: api.url(paths.replication.catalogStream),
    headers: async () => ({}),
    fetch: fetchFn,
  });
  const stateEvents = new LiveEvents<SeatStateDoc>({
    url: api.url(paths.replication.seatStateStream),
    headers: () => api.headers(),
    fetch: fetchFn,
  });
  // A phone never offers seatback-only titles: they arrive as removed and are never stored.
  const forDevice = (doc: CatalogTitleDoc): CatalogTitleDoc =>
    options.device === 'phone' && doc.rights === 'seatback-only' ? { ...doc, _deleted: true } : doc;

  const titlesReplication = replicateRxCollection<TitleDocument, ReplicationCheckpoint>({
    replicationIdentifier: `ifec-catalog|${identity}`,
    collection: titles,
    live: true,
    retryTime,
    waitForLeadership: true,
    pull: {
      batchSize,
      modifier: forDevice,
      stream$: catalogEvents.items$,
      handler: async (since, limit) => {
        if (since)
          return api
            .catalogPull(since, limit)
            .then((page) => ({ documents: page.documents, checkpoint: page.checkpoint ?? since }));
        // First sync: the whole catalogue in one compressed file, then whatever changed after it.
        const snapshot = await api.catalogSnapshot();
        const documents: CatalogTitleDoc[] = snapshot.documents;
        let checkpoint = snapshot.checkpoint ?? undefined;
        while (checkpoint) {
          const page = await api.catalogPull(checkpoint, limit);
          documents.push(...page.documents);
          checkpoint = page.checkpoint ?? checkpoint;
          if (page.documents.length < limit) break;
        }
        return { documents, checkpoint };
      },
    },
  });

  const stateReplication = replicateRxCollection<SeatStateDocument, ReplicationCheckpoint>({
    replicationIdentifier: `ifec-seat-state|${identity}`,
    collection: seatState,
    live: true,
    retryTime,
    waitForLeadership: true,
    pull: {
      batchSize,
      stream$: stateEvents.items$,
      handler: async (since, limit) => {
        const page = await api.seatStatePull(since, limit);
        return { documents: page.documents, checkpoint: page.checkpoint ?? since };
      },
    },
    push: {
      batchSize: 50,
      handler: (rows) => api.seatStatePush(rows.map(pushRow)),
    },
  });

  catalogEvents.start();
  stateEvents.start();
  const requestsOk = new BehaviorSubject(true);
  // biome-ignore lint/suspicious/noExplicitAny: two replications of different document types, read alike
  const errors: Subscription[] = [titlesReplication, stateReplication].map((r: RxReplicationState<any, any>) =>
    r.error$.subscribe(() => requestsOk.next(false)),
  );
  errors.push(catalogEvents.open$.subscribe((open) => open && requestsOk.next(true)));
  const online$ = combineLatest([catalogEvents.open$, requestsOk]).pipe(
    map(([open, ok]) => open && ok),
    distinctUntilChanged(),
  );
  const errors$ = new Observable<Error>((subscriber) => {
    const subs = [
      titlesReplication.error$.subscribe((e) => subscriber.next(e as Error)),
      stateReplication.error$.subscribe((e) => subscriber.next(e as Error)),
    ];
    return () => {
      for (const s of subs) s.unsubscribe();
    };
  });

  return {
    database,
    titles,
    seatState,
    online$,
    errors$,
    whenSynced: async () => {
      await Promise.all([titlesReplication.awaitInitialReplication(), stateReplication.awaitInitialReplication()]);
    },
    whenInSync: async () => {
      await Promise.all([titlesReplication.awaitInSync(), stateReplication.awaitInSync()]);
    },
    close: async () => {
      for (const s of errors) s.unsubscribe();
      catalogEvents.stop();
      stateEvents.stop();
      await Promise.all([titlesReplication.cancel(), stateReplication.cancel()]);
      await database.close();
    },
  };
}

/** Only the document's own fields go up (RxDB may carry its bookkeeping along). */
function pushRow(row: { assumedMasterState?: unknown; newDocumentState: unknown }): SeatStatePushRow {
  const clean = (doc: unknown): SeatStateDoc => {
    const d = doc as SeatStateDoc;
    const out = { id: d.id, kind: d.kind, value: d.value, _deleted: Boolean(d._deleted) } as SeatStateDoc;
    if (typeof d.updatedAt === 'number') out.updatedAt = d.updatedAt;
    return out;
  };
  return {
    assumedMasterState: row.assumedMasterState ? clean(row.assumedMasterState) : null,
    newDocumentState: clean(row.newDocumentState),
  };
}
