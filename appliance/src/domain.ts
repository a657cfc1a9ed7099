/**
 * The shape every appliance domain takes, and how main.ts combines them. A domain hands
 * main.ts one module: the durable record kinds it owns (registered before the journal is
 * replayed), and an `open` that builds its services from what earlier domains expose and
 * returns its topic handlers, its HTTP router and its start-up and shut-down steps. A record
 * kind or a topic claimed by two domains refuses to start, naming both.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { IfecError } from '@ifec/protocol';
import type { Router } from 'express';
import type { CabinBus } from './bus/cabin-bus.ts';
import { type TopicHandler, TopicRouter } from './bus/topic-router.ts';
import type { DurableRecords, RecordApplier } from './store/durable-records.ts';

export interface DomainParts<Api> {
  /** What main.ts and later domains may use. */
  api: Api;
  /** MQTT topic patterns this domain consumes (TopicRouter's `+` wildcard). */
  topics?: Readonly<Record<string, TopicHandler>>;
  router?: Router;
  /** Requests answered on node:http before express (the origin's segments); returns false when it does not take one. */
  fastPath?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Once every domain is open and the bus exists, before anything listens: republish what the cabin was told, reload what was running. */
  restore?(): Promise<void>;
  /** Once HTTP and MQTT listen (background loops, ingest listeners). */
  start?(): Promise<void>;
  /** On shutdown, in reverse order, before the store closes. */
  stop?(): Promise<void>;
}

export interface ApplianceDomain<Deps, Api> {
  /** Names the domain in start-up errors. */
  readonly name: string;
  /** Record kind -> applier; the same applier runs for a live write and for the replay. */
  readonly records?: Readonly<Record<string, RecordApplier>>;
  /** Builds the domain after the journal is replayed; may read the store. */
  open(deps: Deps): Promise<DomainParts<Api>>;
}

export class DomainConflict extends IfecError<'DOMAIN_CONFLICT'> {
  constructor(message: string) {
    super('DOMAIN_CONFLICT', message);
  }
}

/** Topics a `register(router)` function declares, as a record (for the domains whose handlers register on a TopicRouter). */
export function topicsOf(register: (router: TopicRouter) => void): Record<string, TopicHandler> {
  const router = new TopicRouter();
  register(router);
  return Object.fromEntries(router.entries());
}

/** The cabin bus as domains see it: they may publish from restore() on, once main.ts has connected it. */
export class BusLink {
  private connected?: CabinBus;

  connect(bus: CabinBus): void {
    this.connected = bus;
  }

  get bus(): CabinBus {
    if (!this.connected)
      throw new IfecError(
        'BUS_NOT_CONNECTED',
        'the cabin bus is used before main.ts connected it (publish from restore(), not open())',
      );
    return this.connected;
  }

  readonly publish: CabinBus['publish'] = (topic, payload, options) => this.bus.publish(topic, payload, options);
}

/** The open domains of one appliance, in the order they were opened. */
export class Domains {
  private readonly kindOwner = new Map<string, string>();
  private readonly topicOwner = new Map<string, string>();
  private readonly opened: { name: string; parts: DomainParts<unknown> }[] = [];

  constructor(
    private readonly records: DurableRecords,
    readonly topics: TopicRouter,
  ) {}

  /** Registers every domain's record kinds: call before the journal is replayed. */
  declare(domains: ApplianceDomain<never, unknown>[]): void {
    for (const domain of domains) {
      for (const [kind, apply] of Object.entries(domain.records ?? {})) {
        const owner = this.kindOwner.get(kind);
        if (owner)
          throw new DomainConflict(`record kind ${kind} is declared by domain ${owner} and by domain ${domain.name}`);
        this.kindOwner.set(kind, domain.name);
        this.records.register(kind, apply);
      }
    }
  }

  /** Opens one domain; its topics join the router. Returns what it exposes. */
  async open<Deps, Api>(domain: ApplianceDomain<Deps, Api>, deps: Deps): Promise<Api> {
    for (const kind of Object.keys(domain.records ?? {})) {
      if (this.kindOwner.get(kind) !== domain.name)
        throw new DomainConflict(
          `domain ${domain.name} is opened but its record kind ${kind} was not declared before the replay`,
        );
    }
    const started = performance.now();
    const parts = await domain.open(deps);
    this.took(`open ${domain.name}`, started);
    for (const [pattern, handler] of Object.entries(parts.topics ?? {})) {
      const owner = this.topicOwner.get(pattern);
      if (owner)
        throw new DomainConflict(`topic ${pattern} is handled by domain ${owner} and by domain ${domain.name}`);
      this.topicOwner.set(pattern, domain.name);
      this.topics.on(pattern, handler);
    }
    this.opened.push({ name: domain.name, parts });
    return parts.api;
  }

  /** Every domain's router, in opening order. */
  get routers(): Router[] {
    return this.opened.flatMap((d) => (d.parts.router ? [d.parts.router] : []));
  }

  /** Every domain's fast path, in opening order. */
  get fastPaths(): Array<(req: IncomingMessage, res: ServerResponse) => boolean> {
    return this.opened.flatMap((d) => (d.parts.fastPath ? [d.parts.fastPath] : []));
  }

  async restore(): Promise<void> {
    for (const d of this.opened) {
      const started = performance.now();
      await d.parts.restore?.();
      this.took(`restore ${d.name}`, started);
    }
  }

  async start(): Promise<void> {
    for (const d of this.opened) {
      const started = performance.now();
      await d.parts.start?.();
      this.took(`start ${d.name}`, started);
    }
  }

  /** Steps of the start that took 10 ms or more (logged once ready: where a slow start went). */
  readonly slowSteps: Record<string, number> = {};

  private took(step: string, started: number): void {
    const ms = performance.now() - started;
    if (ms >= 10) this.slowSteps[step] = Math.round(ms);
  }

  async stop(): Promise<void> {
    for (const d of [...this.opened].reverse()) await d.parts.stop?.();
  }
}
