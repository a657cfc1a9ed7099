#!/usr/bin/env node
// `ifec-sync`, as npm installs it (node_modules/.bin/ifec-sync is a symlink to this file): an
// entry point only. It lets Node load TypeScript through tsx, then runs src/sync/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { syncCliMain } = await import('../src/sync/cli.ts');
process.exitCode = await syncCliMain(process.argv.slice(2));
