/** Domains combined by main.ts: a record kind or a topic claimed twice refuses to start, naming both domains. */

import assert from 'node:assert/strict';
import path from 'node:path';
import test, { after, before } from 'node:test';
import { pino } from 'pino';
import { TopicRouter } from '../src/bus/topic-router.ts';
import { CABIN_PA } from '../src/cabin/pa.ts';
import { type ApplianceDomain, DomainConflict, Domains } from '../src/domain.ts';
import { DOMAINS } from '../src/main.ts';
import { DurableRecords } from '../src/store/durable-records.ts';
import { Journal } from '../src/store/journal.ts';
import { Store } from '../src/store/store.ts';
import { tempDir } from './support.ts';

const log = pino({ level: 'silent' });
let store: Store;
let journal: Journal;

before(async () => {
  const dir = tempDir();
  store = await Store.open(path.join(dir, 'pglite'), log);
  journal = await Journal.open(path.join(dir, 'journal.log'));
});

after(async () => {
  await journal.close();
  await store.close();
});

const fresh = () => new Domains(new DurableRecords(journal, store, log), new TopicRouter());

/** A domain that only claims things, with a log of its start-up and shut-down steps. */
function claimant(
  name: string,
  claims: { records?: string[]; topics?: string[] },
  steps: string[] = [],
): ApplianceDomain<void, string> {
  return {
    name,
    records: Object.fromEntries((claims.records ?? []).map((kind) => [kind, async () => {}])),
    async open() {
      return {
        api: name,
        topics: Object.fromEntries((claims.topics ?? []).map((t) => [t, async () => 'consumed' as const])),
        restore: async () => void steps.push(`restore ${name}`),
        start: async () => void steps.push(`start ${name}`),
        stop: async () => void steps.push(`stop ${name}`),
      };
    },
  };
}

test("the appliance's own domains claim every record kind once", () => {
  assert.doesNotThrow(() => fresh().declare(DOMAINS));
});

test('a second domain declaring a record kind the cabin owns refuses to start, naming both', () => {
  const domains = fresh();
  assert.throws(
    () => domains.declare([...DOMAINS, claimant('shop', { records: ['shop.order', CABIN_PA] })]),
    (error: unknown) => {
      assert.ok(error instanceof DomainConflict);
      assert.equal(error.code, 'DOMAIN_CONFLICT');
      assert.equal(error.message, `record kind ${CABIN_PA} is declared by domain cabin and by domain shop`);
      return true;
    },
  );
});

test('a second domain handling a topic another one handles refuses to start, naming both', async () => {
  const domains = fresh();
  const first = claimant('cabin', { topics: ['seat/+/health'] });
  const second = claimant('maintenance', { topics: ['seat/+/fault', 'seat/+/health'] });
  domains.declare([first, second]);
  assert.equal(await domains.open(first, undefined), 'cabin');
  await assert.rejects(domains.open(second, undefined), {
    name: 'DomainConflict',
    code: 'DOMAIN_CONFLICT',
    message: 'topic seat/+/health is handled by domain cabin and by domain maintenance',
  });
  assert.ok(domains.topics.match('seat/12A/health'), "the first domain's handler stays");
});

test('a domain opened without being declared before the replay is refused', async () => {
  const domains = fresh();
  await assert.rejects(
    domains.open(claimant('late', { records: ['late.record'] }), undefined),
    /record kind late\.record was not declared/,
  );
});

test('domains restore and start in opening order and stop in reverse', async () => {
  const steps: string[] = [];
  const domains = fresh();
  const a = claimant('access', { records: ['a.kind'] }, steps);
  const b = claimant('cabin', { topics: ['seat/+/fault'] }, steps);
  domains.declare([a, b]);
  await domains.open(a, undefined);
  await domains.open(b, undefined);
  await domains.restore();
  await domains.start();
  await domains.stop();
  assert.deepEqual(steps, [
    'restore access',
    'restore cabin',
    'start access',
    'start cabin',
    'stop cabin',
    'stop access',
  ]);
});
