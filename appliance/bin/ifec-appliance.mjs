#!/usr/bin/env node
// `ifec-appliance`, as npm installs it (node_modules/.bin/ifec-appliance is a symlink to this
// file): an entry point only. It lets Node load TypeScript through tsx, then runs src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { applianceCli } = await import('../src/cli.ts');
// `serve` resolves once the appliance is up; its servers keep the process running.
process.exitCode = await applianceCli(process.argv.slice(2));
