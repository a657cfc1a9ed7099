#!/usr/bin/env node
// `ifec-image`, as npm installs it: lets Node load TypeScript through tsx, then runs src/recipe/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { imageCli } = await import('../src/recipe/cli.ts');
process.exitCode = await imageCli(process.argv.slice(2));
