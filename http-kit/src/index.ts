export * from './errors.ts';
export * from './openapi.ts';
