/**
 * `@ifec/protocol/node`: the parts of the contract that need Node (node:crypto, node:zlib,
 * node:fs): signing and verifying content loads, the uplink batch codec, request and
 * publication signatures, USB bundles. The default entry (index.ts) stays browser-safe.
 */
export * from './content-load.ts';
export * from './sync-batch.ts';
export * from './sync-bundle.ts';
export * from './sync-signing.ts';
