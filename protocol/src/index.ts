/** `@ifec/protocol`: browser-safe (no `node:` module); Node-only helpers are on `@ifec/protocol/node`. */

export * from './ads.ts';
export * from './asyncapi.ts';
export * from './cabin.ts';
export * from './cabin-plan.ts';
export * from './channels.ts';
export * from './commerce.ts';
export * from './content.ts';
export * from './errors.ts';
export * from './flight.ts';
export * from './maintenance.ts';
export * from './paths.ts';
export * from './policy.ts';
export * from './recommendations.ts';
export * from './replication.ts';
export * from './resume.ts';
export * from './seek-preview.ts';
export * from './shop-anomalies.ts';
export * from './sync.ts';
export * from './topics.ts';
export * from './updates.ts';
