import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { buildAsyncApi } from './asyncapi.ts';
import { cabinChannels, matchChannel, parseCabinMessage } from './channels.ts';
import { resumeTopics } from './resume-layout.ts';
import { topics } from './topics.ts';

const require = createRequire(import.meta.url);

/** Topics with no schema yet (no program publishes them), named so a new one cannot slip by. */
const WITHOUT_SCHEMA = new Set(['policy/current']);

function everyTopic(): string[] {
  const out: string[] = [];
  for (const t of [...Object.values(topics), ...Object.values(resumeTopics)]) {
    if (typeof t === 'string') out.push(t);
    else out.push((t as (...a: string[]) => string)('12A', 'session-0001', 'seat'));
  }
  // filters and router patterns are not topics
  return out.filter((t) => !t.includes('#') && !t.includes('+'));
}

test('every topic the programs name belongs to a channel with a schema', () => {
  for (const topic of everyTopic()) {
    if (WITHOUT_SCHEMA.has(topic)) continue;
    const match = matchChannel(topic);
    assert.ok(match, `${topic} is in the channel table`);
    assert.ok(match.channel.payload, topic);
  }
  assert.deepEqual(matchChannel('seat/12A/health')?.params, { seatId: '12A' });
  assert.deepEqual(matchChannel('seat/12A/resume/s1/up/phone-x')?.params, {
    seatId: '12A',
    sessionId: 's1',
    device: 'phone-x',
  });
  assert.equal(matchChannel('seat/+/health'), undefined, 'a wildcard is not a topic');
  assert.equal(matchChannel('cabin/pa/extra'), undefined);
});

test('a good PA state parses; an empty one clears; garbage is refused with a reason', () => {
  const state = { active: true, id: 'a', startedAt: '2026-01-01T00:00:00Z', by: 'crew P100', text: 'Doors closing' };
  const good = parseCabinMessage('cabin/pa', JSON.stringify(state));
  assert.deepEqual(good, { ok: true, message: { channel: 'paState', params: {}, payload: state } });
  assert.deepEqual(parseCabinMessage('cabin/pa', new Uint8Array()), {
    ok: true,
    message: { channel: 'paState', params: {}, payload: null },
  });
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['cabin/pa', 'not json', /not valid JSON/],
    ['cabin/pa', '{"action":"start","text":"a command on the state topic"}', /active|action/],
    ['cabin/pa', JSON.stringify({ ...state, extra: 1 }), /extra|unrecognized/i],
    ['cabin/pa', new Uint8Array([0xff, 0xfe, 0x00, 0x01]), /not valid JSON/],
    ['cabin/pa', 'x'.repeat(20_000), /exceeds/],
    ['seat/12A/state', '', /empty payload/],
    ['seat/12A/state', '{"locked":"yes"}', /locked/],
    ['seat/12A/command', '{"action":"self-destruct","at":"x","by":"y"}', /action/],
    ['seat/12A/remote', '{"action":"seek","positionS":-1}', /positionS/],
    ['seat/12A/session', '[]', /expected object/],
    ['sync/status', 'null', /expected object/],
    ['seat/12A/resume/s1/updates', 'x', /binary/],
    ['somewhere/else', '{}', /not a cabin bus channel/],
  ];
  for (const [topic, payload, reason] of cases) {
    const result = parseCabinMessage(topic, payload);
    assert.equal(result.ok, false, `${topic} ${String(payload).slice(0, 40)}`);
    if (!result.ok) assert.match(result.reason, reason, topic);
  }
});

test('the AsyncAPI document is valid AsyncAPI 3.0 JSON and names every channel with its schema', () => {
  const document = JSON.parse(JSON.stringify(buildAsyncApi('0.1.0'))) as {
    asyncapi: string;
    channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
    components: { messages: Record<string, { payload: Record<string, unknown> }> };
  };
  const schema = require('@asyncapi/specs/schemas/3.0.0-without-$id.json') as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  assert.ok(validate(document), JSON.stringify(validate.errors?.slice(0, 5)));
  assert.equal(
    validate({ ...document, channels: { paState: { address: 42 } } }),
    false,
    'the validator does refuse a bad document',
  );
  const addresses = Object.values(document.channels).map((c) => c.address);
  assert.deepEqual(
    addresses.sort(),
    Object.values(cabinChannels)
      .map((c) => c.address)
      .sort(),
  );
  for (const topic of everyTopic()) {
    if (WITHOUT_SCHEMA.has(topic)) continue;
    const name = matchChannel(topic)!.name;
    assert.ok(document.channels[name], `${topic} has a channel`);
    const payload = document.components.messages[name]?.payload;
    assert.ok(payload && (payload.type || payload.anyOf || payload.oneOf), `${topic} has a payload schema`);
  }
  assert.deepEqual(
    document.components.messages.crewPa?.payload.oneOf !== undefined ||
      document.components.messages.crewPa?.payload.anyOf !== undefined,
    true,
  );
});
