#!/usr/bin/env node
// `ifec-flash`, as npm installs it: lets Node load TypeScript through tsx, then runs src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { flashCli } = await import('../src/cli.ts');
process.exitCode = await flashCli(process.argv.slice(2));
