export * from './topics.ts';
export * from './cabin.ts';
export * from './errors.ts';
export * from './content.ts';
export * from './content-load.ts';
export * from './sync.ts';
export * from './sync-bundle.ts';
export * from './replication.ts';
