/**
 * Routes PUBLISH packets on topics the appliance consumes to the domain that owns them.
 * Patterns use MQTT's single-level wildcard `+`; a domain registers its topics at start.
 */

import { IfecError } from '@ifec/protocol';
import type { Principal } from '../access/principal.ts';

/** What happens to the packet after the handler: delivered to subscribers, or swallowed. */
export type Disposition = 'forward' | 'consumed';

export type TopicHandler = (from: Principal, topic: string, payload: Buffer) => Promise<Disposition>;

/** A handler's way to refuse a payload: logged, counted, the packet dropped. */
export class PayloadRejected extends IfecError<'PAYLOAD_REJECTED'> {
  constructor(message: string) {
    super('PAYLOAD_REJECTED', message);
  }
}

export class TopicRouter {
  private readonly routes: { levels: string[]; pattern: string; handler: TopicHandler }[] = [];

  on(pattern: string, handler: TopicHandler): void {
    if (this.routes.some((r) => r.pattern === pattern)) throw new Error(`topic ${pattern} has two handlers`);
    this.routes.push({ pattern, levels: pattern.split('/'), handler });
  }

  /** Every pattern with its handler, in registration order (appliance/src/domain.ts collects a domain's topics so). */
  entries(): [pattern: string, handler: TopicHandler][] {
    return this.routes.map((r) => [r.pattern, r.handler]);
  }

  match(topic: string): { pattern: string; handler: TopicHandler } | undefined {
    const levels = topic.split('/');
    return this.routes.find(
      (r) => r.levels.length === levels.length && r.levels.every((l, i) => l === '+' || l === levels[i]),
    );
  }
}
