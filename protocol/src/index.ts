export * from './topics.ts';
export * from './cabin.ts';
export * from './errors.ts';
