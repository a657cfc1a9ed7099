import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(fs.readFileSync(`${packageDir}package.json`, 'utf8')) as {
  exports: Record<string, string>;
};

/** Bundles one entry for the browser and lists every module it reaches, Node built-ins included. */
async function browserBundle(entry: string): Promise<{ inputs: string[]; nodeImports: string[]; errors: string[] }> {
  try {
    const result = await esbuild.build({
      entryPoints: [`${packageDir}${entry}`],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const nodeImports = Object.values(result.metafile.inputs).flatMap((input) =>
      input.imports.map((i) => i.path).filter((p) => p.startsWith('node:')),
    );
    return { inputs, nodeImports, errors: [] };
  } catch (error) {
    const errors = ((error as { errors?: esbuild.Message[] }).errors ?? []).map((m) => m.text);
    return { inputs: [], nodeImports: [], errors: errors.length ? errors : [String(error)] };
  }
}

const browserEntries = Object.entries(manifest.exports).filter(([name]) => name !== './node');

for (const [name, entry] of browserEntries) {
  test(`the ${name === '.' ? 'default entry' : name} bundles for the browser without any node: module`, async () => {
    const bundle = await browserBundle(entry);
    assert.deepEqual(bundle.errors, [], `bundling ${entry} for the browser failed`);
    assert.deepEqual(bundle.nodeImports, []);
    assert.ok(
      bundle.inputs.some((i) => i.endsWith(entry.replace(/^\.\//, ''))),
      `${entry} is in its own bundle`,
    );
  });
}

test('the node entry is refused for the browser, so the check above can fail', async () => {
  const bundle = await browserBundle(manifest.exports['./node']!);
  assert.ok(
    bundle.errors.some((e) => /node:(crypto|zlib|fs)/.test(e)),
    `expected a node: module to be refused, got ${bundle.errors.join('; ')}`,
  );
});
