#!/usr/bin/env node
// `ifec-appliance`, as npm installs it (node_modules/.bin/ifec-appliance is a symlink to this
// file): an entry point only. It runs src/cli.ts from the bundle build.mjs makes (built here when
// missing or older than the sources), or through tsx when the bundle cannot be built.
import { pathToFileURL } from 'node:url';
import { BUNDLE, buildBundle, bundleIsFresh } from '../build.mjs';

async function loadCli() {
  try {
    if (!bundleIsFresh()) await buildBundle();
    return await import(pathToFileURL(BUNDLE).href);
  } catch (error) {
    process.stderr.write(`ifec-appliance: no bundle (${error.message}); running the sources through tsx\n`);
    const { register } = await import('tsx/esm/api');
    register();
    return import('../src/cli.ts');
  }
}

const { applianceCli } = await loadCli();
// `serve` resolves once the appliance is up; its servers keep the process running.
process.exitCode = await applianceCli(process.argv.slice(2));
