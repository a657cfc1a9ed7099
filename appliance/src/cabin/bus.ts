/** The cabin domain's MQTT handlers: crew PA commands (crew/pa in, the state goes out on cabin/pa), seat health and faults. */
import { paCommand, parseJson, parseSeatTopic, seatFault, seatHealth, topics } from '@ifec/protocol';
import { describePrincipal } from '../access/principal.ts';
import { PayloadRejected, type TopicRouter } from '../bus/topic-router.ts';
import { PaCommandError, type PaService } from './pa.ts';
import type { SeatMap } from './seat-map.ts';

export function registerCabinTopics(router: TopicRouter, pa: PaService, seatMap: SeatMap): void {
  router.on(topics.crewPa, async (from, _topic, payload) => {
    const command = parseJson(paCommand, payload.toString('utf8'));
    if (!command.ok) throw new PayloadRejected(`${topics.crewPa}: ${command.error}`);
    try {
      await pa.apply(describePrincipal(from), command.value);
    } catch (error) {
      if (error instanceof PaCommandError) throw new PayloadRejected(`${topics.crewPa}: ${error.message}`);
      throw error;
    }
    return 'consumed'; // seats receive the PA state the service publishes, not the command
  });

  router.on('seat/+/health', async (_from, topic, payload) => {
    const seatId = parseSeatTopic(topic)!.seatId;
    const health = parseJson(seatHealth, payload.toString('utf8'));
    if (!health.ok) throw new PayloadRejected(`${topic}: ${health.error}`);
    if (seatMap.has(seatId)) seatMap.reportHealth(seatId, health.value);
    return 'forward';
  });

  router.on('seat/+/fault', async (_from, topic, payload) => {
    const seatId = parseSeatTopic(topic)!.seatId;
    const fault = parseJson(seatFault, payload.toString('utf8'));
    if (!fault.ok) throw new PayloadRejected(`${topic}: ${fault.error}`);
    await seatMap.raiseFault(seatId, fault.value); // durable before the PUBACK
    return 'forward';
  });
}
