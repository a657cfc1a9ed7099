#!/usr/bin/env node
// `ifec-ground`, as npm installs it (node_modules/.bin/ifec-ground is a symlink to this file): an
// entry point only. It lets Node load TypeScript through tsx, then runs the CLI in src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { groundCliMain } = await import('../src/cli.ts');
process.exitCode = await groundCliMain(process.argv.slice(2));
