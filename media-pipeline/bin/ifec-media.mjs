#!/usr/bin/env node
// `ifec-media`, as npm installs it (node_modules/.bin/ifec-media is a symlink to this file): an
// entry point only. It lets Node load TypeScript through tsx, then runs the CLI in src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { runMediaCli } = await import('../src/cli.ts');
process.exit(await runMediaCli(process.argv.slice(2)));
