/**
 * Seat-state replication (settings, favourites, parental lock) on the real appliance with
 * real RxDB replicas over real HTTP: isolation between seats, offline edits pushed after an
 * appliance restart, conflicts settled on the appliance, garbage refused with nothing stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSENGER_SESSION_HEADER, replicationPaths, type SeatStateDoc } from '@ifec/protocol';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import {
  openReplica,
  type Replica,
  readSettings,
  saveSettings,
  setFavourite,
  setParentalLock,
} from '../../seat-client/src/replica/index.ts';
import { seatToken, startReplicationAppliance, tempDataDir, waitUntil } from './replication-fixtures.ts';

type App = Awaited<ReturnType<typeof startReplicationAppliance>>;

describe('seat state replication', () => {
  let app: App;
  const seats: string[] = [];
  const tokens: Record<string, string> = {};
  const replicas: Replica[] = [];

  const call = (method: 'GET' | 'POST', path: string, token: string | undefined, body?: unknown) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const pull = async (seatId: string) =>
    (
      (await (await call('GET', replicationPaths.seatStatePull, tokens[seatId])).json()) as {
        documents: SeatStateDoc[];
      }
    ).documents;
  const open = async (seatId: string, device: 'seat' | 'phone', name: string) => {
    const replica = await openReplica({
      baseUrl: app.url,
      seatId,
      token: tokens[seatId]!,
      device,
      storage: getRxStorageMemory(),
      databaseName: name,
      retryMs: 300,
    });
    replicas.push(replica);
    return replica;
  };

  before(async () => {
    app = await startReplicationAppliance(tempDataDir());
    for (const [seatId, secret] of Object.entries(app.seatSecrets).slice(0, 3)) {
      seats.push(seatId);
      tokens[seatId] = await seatToken(app.url, seatId, secret);
    }
  });

  after(async () => {
    for (const r of replicas) await r.close().catch(() => undefined);
    await app?.stop();
  });

  it('a seat logs in with its secret only', async () => {
    const res = await call('POST', replicationPaths.seatLogin, undefined, {
      seatId: seats[0],
      secret: 'not-the-secret-at-all',
    });
    assert.equal(res.status, 401);
    assert.equal((await call('GET', replicationPaths.seatStatePull, undefined)).status, 401);
    assert.equal((await call('GET', replicationPaths.seatStatePull, `${tokens[seats[0]!]}x`)).status, 401);
  });

  it("seat A neither reads nor writes seat B's state", async () => {
    const [a, b] = seats as [string, string];
    const replicaA = await open(a, 'seat', 'isolation-a');
    const replicaB = await open(b, 'seat', 'isolation-b');
    await Promise.all([replicaA.whenSynced(), replicaB.whenSynced()]);
    await setFavourite(replicaB, 'title-00007', true);
    await saveSettings(replicaB, { uiLanguage: 'ja' });
    await replicaB.whenInSync();
    // A pushes documents with B's ids: they land in A's own state, never in B's.
    const res = await call('POST', replicationPaths.seatStatePush, tokens[a], [
      { newDocumentState: { id: 'settings', kind: 'settings', value: { uiLanguage: 'fr' }, _deleted: false } },
    ]);
    assert.equal(res.status, 200);
    assert.deepEqual(app.seatStates.get(b, 'settings')?.value, { uiLanguage: 'ja' });
    assert.deepEqual(
      (await pull(a)).map((d) => d.id),
      ['settings'],
    );
    assert.deepEqual((await pull(b)).map((d) => d.id).sort(), ['favourite:title-00007', 'settings']);
    await waitUntil(
      async () => (await readSettings(replicaA)).uiLanguage === 'fr',
      5000,
      "A's own change streamed to A",
    );
    assert.equal(await replicaA.seatState.findOne('favourite:title-00007').exec(), null);
    assert.equal((await readSettings(replicaB)).uiLanguage, 'ja');
  });

  it('settles conflicting pushes on the appliance', async () => {
    const seatId = seats[2]!;
    const push = async (rows: unknown) =>
      (await (await call('POST', replicationPaths.seatStatePush, tokens[seatId], rows)).json()) as SeatStateDoc[];
    const settings = (value: object) => ({ id: 'settings', kind: 'settings', value, _deleted: false });
    assert.deepEqual(await push([{ newDocumentState: settings({ uiLanguage: 'en', textSize: 'normal' }) }]), []);
    const base = app.seatStates.get(seatId, 'settings')!;
    // The phone changed the language, then the seat (still holding `base`) changes the text size.
    assert.deepEqual(
      await push([{ assumedMasterState: base, newDocumentState: settings({ uiLanguage: 'de', textSize: 'normal' }) }]),
      [],
    );
    const conflicts = await push([
      { assumedMasterState: base, newDocumentState: settings({ uiLanguage: 'en', textSize: 'large' }) },
    ]);
    assert.equal(conflicts.length, 1);
    assert.deepEqual(conflicts[0]!.value, { uiLanguage: 'de', textSize: 'large' }, 'merged field by field');
    assert.deepEqual(app.seatStates.get(seatId, 'settings')!.value, { uiLanguage: 'de', textSize: 'large' });

    // Parental lock: the stricter lock wins a race.
    const lock = (enabled: boolean, maxAge: number) => ({
      id: 'parental-lock',
      kind: 'parental-lock',
      value: { enabled, maxAge },
      _deleted: false,
    });
    assert.deepEqual(await push([{ newDocumentState: lock(true, 12) }]), []);
    const locked = app.seatStates.get(seatId, 'parental-lock')!;
    assert.deepEqual(await push([{ assumedMasterState: locked, newDocumentState: lock(true, 7) }]), []);
    const refused = await push([{ assumedMasterState: locked, newDocumentState: lock(false, 12) }]);
    assert.deepEqual(
      refused.map((d) => d.value),
      [{ enabled: true, maxAge: 7 }],
    );
    // With the current state assumed, unlocking is an ordinary change.
    assert.deepEqual(
      await push([
        { assumedMasterState: app.seatStates.get(seatId, 'parental-lock'), newDocumentState: lock(false, 7) },
      ]),
      [],
    );
  });

  it('a seat and its phone editing the same settings converge', async () => {
    const seatId = seats[1]!;
    const onSeat = replicas[1]!;
    const onPhone = await open(seatId, 'phone', 'converge-phone');
    await onPhone.whenSynced();
    await Promise.all([saveSettings(onSeat, { textSize: 'x-large' }), saveSettings(onPhone, { highContrast: true })]);
    await waitUntil(
      async () => {
        const [s, p] = await Promise.all([readSettings(onSeat), readSettings(onPhone)]);
        return s.textSize === 'x-large' && s.highContrast === true && JSON.stringify(s) === JSON.stringify(p);
      },
      10_000,
      'seat and phone converge',
    );
    assert.deepEqual(app.seatStates.get(seatId, 'settings')!.value, {
      uiLanguage: 'ja',
      textSize: 'x-large',
      highContrast: true,
    });
  });

  it('pushes edits made while the appliance was down once it is back', async () => {
    const seatId = seats[0]!;
    const replica = replicas[0]!;
    const online: boolean[] = [];
    const sub = replica.online$.subscribe((o) => online.push(o));
    const { dataDir } = app.config;
    const port = app.httpPort;
    await app.stop();
    await waitUntil(() => online.at(-1) === false, 10_000, 'replica notices the appliance is gone');
    await setFavourite(replica, 'title-00042', true);
    await saveSettings(replica, { uiLanguage: 'ar', highContrast: true });
    assert.equal((await readSettings(replica)).uiLanguage, 'ar', 'works offline');
    app = await startReplicationAppliance(dataDir, port);
    await waitUntil(
      () => app.seatStates.get(seatId, 'favourite:title-00042') !== undefined,
      20_000,
      'offline favourite reaches the appliance',
    );
    await waitUntil(
      () => (app.seatStates.get(seatId, 'settings')?.value as { uiLanguage?: string } | undefined)?.uiLanguage === 'ar',
      20_000,
      'offline settings',
    );
    await waitUntil(() => online.at(-1) === true, 10_000, 'online again');
    sub.unsubscribe();
    // Removing a favourite replicates as a deletion.
    await setFavourite(replica, 'title-00042', false);
    await waitUntil(
      () => app.seatStates.get(seatId, 'favourite:title-00042')?._deleted === true,
      10_000,
      'favourite removed',
    );
    await setParentalLock(replica, { enabled: true, maxAge: 12 });
    await waitUntil(() => app.seatStates.get(seatId, 'parental-lock') !== undefined, 10_000, 'lock pushed');
  });

  it('refuses garbage pushes with a 4xx and stores nothing', async () => {
    const seatId = seats[2]!;
    const before = JSON.stringify(await pull(seatId));
    const good = {
      id: 'favourite:title-00001',
      kind: 'favourite',
      value: { titleId: 'title-00001', addedAt: '2026-11-25T10:00:00Z' },
      _deleted: false,
    };
    const cases: Array<[string, unknown, number]> = [
      ['not JSON', '{"newDocumentState":', 400],
      ['not an array', { newDocumentState: good }, 400],
      ['empty', [], 400],
      ['unknown kind', [{ newDocumentState: { ...good, kind: 'shopping-basket' } }], 400],
      ['id of another title', [{ newDocumentState: { ...good, id: 'favourite:title-00002' } }], 400],
      ['extra field', [{ newDocumentState: { ...good, seatId: '1A' } }], 400],
      [
        'bad language',
        [
          {
            newDocumentState: { id: 'settings', kind: 'settings', value: { uiLanguage: 'klingon!' }, _deleted: false },
          },
        ],
        400,
      ],
      ['missing _deleted', [{ newDocumentState: { id: 'settings', kind: 'settings', value: {} } }], 400],
      ['a good row with a bad one', [{ newDocumentState: good }, { newDocumentState: { ...good, id: 'x' } }], 400],
      ['same document twice', [{ newDocumentState: good }, { newDocumentState: good }], 400],
      [
        'too many rows',
        Array.from({ length: 101 }, (_, i) => ({
          newDocumentState: {
            ...good,
            id: `favourite:title-${String(i).padStart(5, '0')}`,
            value: { ...good.value, titleId: `title-${String(i).padStart(5, '0')}` },
          },
        })),
        413,
      ],
      ['too large', [{ newDocumentState: { ...good, value: { ...good.value, pad: 'x'.repeat(70_000) } } }], 413],
    ];
    for (const [what, body, status] of cases) {
      const res = await call('POST', replicationPaths.seatStatePush, tokens[seatId], body);
      assert.equal(res.status, status, what);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      assert.ok(error.code && error.message, what);
    }
    assert.equal(JSON.stringify(await pull(seatId)), before);
  });

  it('refuses a push from an ended passenger session (a seat offline during the reset), stores nothing', async () => {
    const seatId = seats[2]!;
    const live = app.passengers.sessions.sessionOf(seatId)!;
    const row = (titleId: string) => [
      {
        newDocumentState: {
          id: `favourite:${titleId}`,
          kind: 'favourite',
          value: { titleId, addedAt: new Date().toISOString() },
          _deleted: false,
        },
      },
    ];
    const push = (session: string, titleId: string) =>
      fetch(`${app.url}${replicationPaths.seatStatePush}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${tokens[seatId]}`,
          [PASSENGER_SESSION_HEADER]: session,
        },
        body: JSON.stringify(row(titleId)),
      });
    const before = JSON.stringify(await pull(seatId));
    const stale = await push('an-ended-session', 'title-00001');
    assert.equal(stale.status, 409);
    assert.equal(((await stale.json()) as { error: { code: string } }).error.code, 'SESSION_ENDED');
    assert.equal(JSON.stringify(await pull(seatId)), before, 'nothing stored');
    const current = await push(live, 'title-00002');
    assert.equal(current.status, 200);
    assert.ok((await pull(seatId)).some((d) => d.id === 'favourite:title-00002'));
  });
});
