import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RecoRow, recoModel, type TitleManifest } from '@ifec/protocol';
import { trainModel } from '../../../ground-sync/src/recommendations/train.ts';
import { recoTitle } from '../../test/reco-fixtures.ts';
import { minimumAge, noPurchases, type PlaybackContext } from '../media/playback-policy.ts';
import { type FlightContext, RankingModel, rankRows, type SessionSignal } from './rank.ts';

const thrillers = ['thriller-1', 'thriller-2', 'thriller-3', 'thriller-4'].map((id) =>
  recoTitle({ id, genres: ['thriller'], durationS: 100 * 60 }),
);
const comedies = ['comedy-1', 'comedy-2', 'comedy-3', 'comedy-4'].map((id) =>
  recoTitle({ id, genres: ['comedy'], durationS: 85 * 60 }),
);
const adult = recoTitle({ id: 'adult-thriller', genres: ['thriller'], rating: { system: 'MPAA', value: 'R' } });
const seatbackOnly = recoTitle({ id: 'seatback-thriller', genres: ['thriller'], rights: 'seatback-only' });
const longFilm = recoTitle({ id: 'long-epic', genres: ['drama'], durationS: 140 * 60 });
const shortFilm = recoTitle({ id: 'short-drama', genres: ['drama'], durationS: 70 * 60 });
const episodes = [1, 2, 3, 4].map((e) =>
  recoTitle({
    id: `sea-s1e${e}`,
    genres: ['documentary'],
    durationS: 25 * 60,
    series: { id: 'sea', season: 1, episode: e },
  }),
);
const premium = recoTitle({ id: 'premium-thriller', genres: ['thriller'], priceTier: 'premium-1' });
const catalogue: TitleManifest[] = [
  ...thrillers,
  ...comedies,
  adult,
  seatbackOnly,
  longFilm,
  shortFilm,
  ...episodes,
  premium,
];

const histories = [
  ...Array.from({ length: 30 }, (_, i) => ({
    session: `t${i}`,
    titles: [
      'thriller-1',
      'thriller-2',
      'adult-thriller',
      'seatback-thriller',
      'premium-thriller',
      ...(i % 2 ? ['thriller-3'] : ['thriller-4']),
    ],
  })),
  ...Array.from({ length: 30 }, (_, i) => ({
    session: `c${i}`,
    titles: ['comedy-1', 'comedy-2', i % 2 ? 'comedy-3' : 'comedy-4', 'long-epic'],
  })),
];
const counts = [
  ...Array.from({ length: 40 }, () => ({
    titleId: 'long-epic',
    cabinClass: 'economy',
    watchedS: 8400,
    completed: true,
    route: 'LHR-NRT',
    region: 'JP',
  })),
  ...Array.from({ length: 20 }, () => ({
    titleId: 'comedy-1',
    cabinClass: 'economy',
    watchedS: 5100,
    completed: true,
    route: 'LHR-NRT',
    region: 'JP',
  })),
  ...Array.from({ length: 10 }, () => ({
    titleId: 'adult-thriller',
    cabinClass: 'economy',
    watchedS: 5100,
    completed: true,
    route: 'LHR-NRT',
  })),
  ...Array.from({ length: 10 }, () => ({
    titleId: 'seatback-thriller',
    cabinClass: 'economy',
    watchedS: 5100,
    completed: true,
    route: 'LHR-NRT',
  })),
  ...Array.from({ length: 15 }, () => ({
    titleId: 'short-drama',
    cabinClass: 'economy',
    watchedS: 4200,
    completed: true,
    region: 'JP',
  })),
];
const model = new RankingModel(
  recoModel.parse(
    trainModel(
      { catalogue: catalogue.map((t) => t.id), counts, histories },
      { version: 1, trainedAt: '2026-12-01T00:00:00Z' },
    ),
  ),
);

const seat: PlaybackContext = {
  viewer: { subject: 'seat:12A', device: 'seat', seatId: '12A' },
  parentalMaxAge: undefined,
  region: undefined,
  entitlements: noPurchases,
};
const flight: FlightContext = {
  route: 'LHR-NRT',
  destination: 'Tokyo',
  region: 'JP',
  language: 'en',
  timeOfDay: 'evening',
};
const byId = new Map(catalogue.map((t) => [t.id, t]));
const watchedTwoThrillers: SessionSignal[] = [
  { kind: 'watched', titleId: 'thriller-1' },
  { kind: 'finished', titleId: 'thriller-2' },
];

function rank(
  o: {
    signals?: SessionSignal[];
    personalised?: boolean;
    playback?: Partial<PlaybackContext>;
    flight?: Partial<FlightContext>;
  } = {},
): RecoRow[] {
  return rankRows({
    titles: catalogue,
    model,
    signals: o.signals ?? [],
    personalised: o.personalised ?? true,
    playback: { ...seat, ...o.playback },
    flight: { ...flight, ...o.flight },
  });
}
const everyCard = (rows: RecoRow[]) => rows.flatMap((r) => r.items.map((i) => byId.get(i.titleId)!));
const row = (rows: RecoRow[], kind: RecoRow['kind']) => rows.find((r) => r.kind === kind);

test('cold start: a new session gets the route’s and the region’s popular rows, each card saying why, and nothing personal', () => {
  const rows = rank();
  assert.deepEqual(
    rows.map((r) => r.kind),
    ['popular-route', 'popular-region'],
  );
  const route = row(rows, 'popular-route')!;
  assert.equal(route.items[0]!.titleId, 'long-epic');
  assert.deepEqual(route.reason, { key: 'popular-route', place: 'Tokyo' });
  assert.ok(route.items.every((i) => i.reason.key === 'popular-route' && i.reason.place === 'Tokyo'));
  assert.equal(row(rows, 'popular-region')!.reason.place, 'JP');
  // With no route known: the region row, and with no model at all: a popular row from the catalogue.
  assert.deepEqual(
    rank({ flight: { route: undefined } }).map((r) => r.kind),
    ['popular-region'],
  );
  const bare = rankRows({
    titles: catalogue,
    model: undefined,
    signals: [],
    personalised: false,
    playback: seat,
    flight: {},
  });
  assert.deepEqual(
    bare.map((r) => r.kind),
    ['popular'],
  );
});

test('a session that watched two thrillers gets thrillers first, explained by what it watched', () => {
  const rows = rank({ signals: watchedTwoThrillers });
  assert.equal(rows[0]!.kind, 'for-you');
  const forYou = rows[0]!.items.map((i) => byId.get(i.titleId)!);
  assert.ok(forYou.length >= 3);
  assert.ok(
    forYou.slice(0, 3).every((t) => t.genres.includes('thriller')),
    forYou.map((t) => t.id).join(', '),
  );
  assert.ok(
    !forYou.some((t) => t.id === 'thriller-1' || t.id === 'thriller-2'),
    'what it watched is not offered again',
  );
  assert.match(rows[0]!.items[0]!.reason.title ?? '', /^thriller-[12]$/);
  const because = row(rows, 'because-you-watched')!;
  assert.deepEqual(because.reason, { key: 'because-you-watched', title: 'thriller-2' });
  assert.ok(byId.get(because.items[0]!.titleId)!.genres.includes('thriller'));
  // The comedy session, by contrast, gets comedies.
  const comedy = rank({ signals: [{ kind: 'favourited', titleId: 'comedy-1' }] });
  assert.ok(byId.get(comedy[0]!.items[0]!.titleId)!.genres.includes('comedy'));
});

test('without consent the same signals are ignored: only the popular rows', () => {
  assert.deepEqual(
    rank({ signals: watchedTwoThrillers, personalised: false }).map((r) => r.kind),
    ['popular-route', 'popular-region'],
  );
});

test('a locked seat never gets an adult title, in any row', () => {
  const open = everyCard(rank({ signals: watchedTwoThrillers, flight: { remainingS: 5 * 3600 } }));
  assert.ok(
    open.some((t) => t.id === 'adult-thriller'),
    'the adult thriller is a strong candidate when unlocked',
  );
  for (const signals of [[], watchedTwoThrillers, [{ kind: 'favourited' as const, titleId: 'adult-thriller' }]]) {
    const locked = everyCard(rank({ signals, playback: { parentalMaxAge: 12 }, flight: { remainingS: 5 * 3600 } }));
    assert.ok(locked.length > 0);
    assert.ok(
      locked.every((t) => minimumAge(t.rating) <= 12),
      locked.map((t) => `${t.id} ${t.rating.value}`).join(', '),
    );
  }
});

test('a phone never gets a seatback-only title; a title not paid for is not offered either', () => {
  const onSeat = everyCard(rank({ signals: watchedTwoThrillers }));
  assert.ok(
    onSeat.some((t) => t.rights === 'seatback-only'),
    'the seat does get it',
  );
  const phone = { viewer: { subject: 'phone:p1', device: 'phone' as const, seatId: '12A' } };
  for (const signals of [[], watchedTwoThrillers]) {
    const cards = everyCard(rank({ signals, playback: phone, flight: { remainingS: 5 * 3600 } }));
    assert.ok(cards.length > 0);
    assert.ok(cards.every((t) => t.rights !== 'seatback-only'));
    assert.ok(cards.every((t) => t.priceTier === 'included'));
  }
  const bought = everyCard(
    rank({
      signals: watchedTwoThrillers,
      playback: { entitlements: { purchased: (_v, id) => id === 'premium-thriller' } },
    }),
  );
  assert.ok(bought.some((t) => t.id === 'premium-thriller'));
});

test('fits before landing never offers a 140-minute film with 90 minutes left, and offers a run of episodes that fits', () => {
  for (const personalised of [false, true]) {
    const fits = row(
      rank({ personalised, signals: watchedTwoThrillers, flight: { remainingS: 90 * 60 } }),
      'fits-before-landing',
    )!;
    assert.ok(fits.items.length > 0);
    assert.deepEqual(fits.reason, { key: 'fits-before-landing', minutes: 90 });
    for (const item of fits.items) {
      const t = byId.get(item.titleId)!;
      const runS = t.durationS * (item.reason.episodes ?? 1);
      assert.ok(runS <= 80 * 60, `${t.id} runs ${runS / 60} min with 90 left`);
    }
    assert.ok(!fits.items.some((i) => i.titleId === 'long-epic'));
    const run = fits.items.find((i) => i.titleId === 'sea-s1e1');
    assert.equal(run?.reason.episodes, 3, 'three 25-minute episodes fit in 80 minutes, four do not');
  }
  // With three hours left the epic fits; with five minutes nothing does; without an ETA there is no such row.
  assert.ok(
    row(rank({ flight: { remainingS: 180 * 60 } }), 'fits-before-landing')!.items.some(
      (i) => i.titleId === 'long-epic',
    ),
  );
  assert.equal(row(rank({ flight: { remainingS: 5 * 60 } }), 'fits-before-landing'), undefined);
  assert.equal(row(rank(), 'fits-before-landing'), undefined);
});

test('an abandoned title is held against its neighbours’ share and never offered again; searches nudge what they find', () => {
  const rows = rank({ signals: [...watchedTwoThrillers, { kind: 'abandoned', titleId: 'thriller-3' }] });
  assert.ok(
    !everyCard(rows.filter((r) => r.kind === 'for-you' || r.kind === 'because-you-watched')).some(
      (t) => t.id === 'thriller-3',
    ),
  );
  const searched = rank({ signals: [{ kind: 'searched', query: 'comedy' }] });
  assert.equal(searched[0]!.kind, 'for-you');
  assert.ok(byId.get(searched[0]!.items[0]!.titleId)!.genres.includes('comedy'));
});

test('an abandoned title pulls its neighbours down: what is most like it ranks lower than without it', () => {
  const scoreOf = (signals: SessionSignal[], id: string) => {
    const forYou = row(rank({ signals }), 'for-you')?.items.map((i) => i.titleId) ?? [];
    return forYou.indexOf(id) === -1 ? Number.POSITIVE_INFINITY : forYou.indexOf(id);
  };
  // thriller-3 and thriller-4 were watched by alternate halves of the thriller sessions: each is the other's neighbour.
  const liked: SessionSignal[] = [
    { kind: 'finished', titleId: 'thriller-1' },
    { kind: 'watched', titleId: 'comedy-1' },
  ];
  const without = scoreOf(liked, 'thriller-2');
  const abandonedNeighbour = scoreOf([...liked, { kind: 'abandoned', titleId: 'thriller-1' }], 'thriller-2');
  assert.ok(Number.isFinite(without), 'thriller-2 is offered after a finished thriller');
  assert.ok(
    abandonedNeighbour > without,
    `thriller-2 ranks lower once thriller-1 is abandoned (${without} -> ${abandonedNeighbour})`,
  );
});
