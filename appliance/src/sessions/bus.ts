/**
 * The sessions domain on the cabin bus: a phone's remote commands and the seat's "what plays"
 * state are zod-checked here and then delivered (seat/<S>/remote to the seat, seat/<S>/playback
 * to the paired phones); a bad one is refused, logged and counted by the bus.
 * Who may publish them is the ACL's business (a phone only for the seat it is paired with).
 */
import { parseJson, remoteCommand, resumeTopics, seatPlayback, topics } from '@ifec/protocol';
import type { Client } from 'aedes';
import type { CabinBus } from '../bus/cabin-bus.ts';
import { PayloadRejected, type TopicRouter } from '../bus/topic-router.ts';

export function registerSessionTopics(router: TopicRouter): void {
  router.on(resumeTopics.remotePattern, async (_from, topic, payload) => {
    const command = parseJson(remoteCommand, payload.toString('utf8'));
    if (!command.ok) throw new PayloadRejected(`${topic}: ${command.error}`);
    return 'forward';
  });
  router.on(resumeTopics.playbackPattern, async (from, topic, payload) => {
    if (from.role !== 'seat') throw new PayloadRejected(`${topic}: only the seat reports what plays on it`);
    const state = parseJson(seatPlayback, payload.toString('utf8'));
    if (!state.ok) throw new PayloadRejected(`${topic}: ${state.error}`);
    return 'forward';
  });
}

/** Closes the bus connections of these phones: ACL decisions are cached per subscription, so an ended pairing must not keep one. */
export function phoneDisconnector(bus: CabinBus): (deviceIds: string[]) => void {
  return (deviceIds) => {
    if (deviceIds.length === 0) return;
    const ids = new Set(deviceIds);
    // aedes keeps its connected clients in `clients` (by client id); its typings omit it.
    const clients = (bus.broker as unknown as { clients: Record<string, Client> }).clients;
    for (const client of Object.values(clients)) {
      const p = bus.principalOf(client);
      if (p?.role === 'phone' && ids.has(p.deviceId)) client.close();
    }
  };
}

/** Feeds flight/phase (whoever publishes it: the appliance's own flight domain or a service) to the reset. */
export function watchFlightPhase(bus: CabinBus, onPhase: (payload: Buffer) => void): void {
  bus.broker.subscribe(
    topics.flightPhase,
    (packet, done) => {
      onPhase(Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
      done();
    },
    () => undefined,
  );
}
