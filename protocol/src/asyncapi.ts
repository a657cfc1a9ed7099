/**
 * The cabin bus as an AsyncAPI 3.0 document, built from the channel table (channels.ts) and
 * its zod schemas, so the description cannot drift from what the programs check. The
 * appliance serves it at `/asyncapi.json`. Operations are the appliance's view: `send` for
 * what it publishes, `receive` for what it consumes or relays.
 */
import { z } from 'zod';
import { type CabinChannel, cabinChannels } from './channels.ts';

const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  seatId: 'a seat id: a row number and a letter, such as 12A',
  sessionId: "the seat's passenger session",
  device: 'a device tag: `seat` or `phone-<device id>`',
};

function payloadSchema(channel: CabinChannel): Record<string, unknown> {
  if (channel.payload === 'binary')
    return { type: 'string', format: 'binary', description: 'Yjs sync protocol frames (y-protocols/sync)' };
  const { $schema: _, ...schema } = z.toJSONSchema(channel.payload, {
    target: 'draft-7',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return schema;
}

export function buildAsyncApi(version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const [name, channel] of Object.entries(cabinChannels) as [string, CabinChannel][]) {
    const params = [...channel.address.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    messages[name] = {
      name,
      contentType: channel.payload === 'binary' ? 'application/octet-stream' : 'application/json',
      payload: payloadSchema(channel),
      ...(channel.emptyClears ? { description: 'An empty payload clears the retained state.' } : {}),
    };
    channels[name] = {
      address: channel.address,
      description: channel.description,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
      ...(params.length
        ? { parameters: Object.fromEntries(params.map((p) => [p, { description: PARAMETER_DESCRIPTIONS[p] ?? p }])) }
        : {}),
    };
    const fromAppliance = channel.publishers.includes('appliance');
    operations[`${name}.${fromAppliance ? 'send' : 'receive'}`] = {
      action: fromAppliance ? 'send' : 'receive',
      channel: { $ref: `#/channels/${name}` },
      messages: [{ $ref: `#/channels/${name}/messages/${name}` }],
      description: `published by ${channel.publishers.join(', ')}`,
      bindings: { mqtt: { qos: 1, retain: channel.retained, bindingVersion: '0.2.0' } },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'IFEC cabin bus',
      version,
      description:
        'MQTT 3.1.1 on the aircraft appliance. Only the appliance publishes the broadcast trees (flight/#, cabin/#, policy/#, sync/#); crew commands go under crew/#; a seat writes only its own seat/<id>/#.',
    },
    defaultContentType: 'application/json',
    servers: {
      tcp: { host: 'appliance:1883', protocol: 'mqtt', protocolVersion: '3.1.1' },
      websocket: { host: 'appliance:8080', pathname: '/mqtt', protocol: 'ws', description: 'MQTT over WebSocket' },
    },
    channels,
    operations,
    components: { messages },
  };
}
