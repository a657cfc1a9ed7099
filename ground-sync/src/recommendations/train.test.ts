import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { recoModel } from '@ifec/protocol';
import { simulateViewing, trainingInputOf } from './simulate.ts';
import { trainModel } from './train.ts';

const at = '2026-12-01T00:00:00.000Z';

test('titles watched together become each other’s neighbours, and a blockbuster watched with everything does not dominate', () => {
  const histories = [
    ...Array.from({ length: 20 }, (_, i) => ({
      session: `t${i}`,
      titles: ['thriller-a', 'thriller-b', 'blockbuster'],
    })),
    ...Array.from({ length: 60 }, (_, i) => ({ session: `b${i}`, titles: ['blockbuster', `comedy-${i % 5}`] })),
  ];
  const catalogue = ['thriller-a', 'thriller-b', 'blockbuster', ...Array.from({ length: 5 }, (_, i) => `comedy-${i}`)];
  const model = recoModel.parse(trainModel({ catalogue, counts: [], histories }, { version: 1, trainedAt: at }));
  const name = (i: number) => model.titles[i];
  const ofA = model.neighbours[model.titles.indexOf('thriller-a')]!;
  assert.equal(name(ofA[0]![0]), 'thriller-b');
  assert.ok(ofA[0]![1] > ofA[1]![1], 'the thriller pair scores above the blockbuster pair');
  // A title never lists itself.
  for (const [i, list] of model.neighbours.entries()) assert.ok(list.every(([j]) => j !== i));
});

test('priors rank completed viewings per route, region, language and time of day', () => {
  const counts = [
    ...Array.from({ length: 5 }, () => ({
      titleId: 'tokyo-story',
      cabinClass: 'economy',
      watchedS: 6000,
      completed: true,
      route: 'LHR-NRT',
      region: 'JP',
      audioLanguage: 'ja',
      hour: 22,
    })),
    ...Array.from({ length: 3 }, () => ({
      titleId: 'big-apple',
      cabinClass: 'economy',
      watchedS: 6000,
      completed: true,
      route: 'LHR-JFK',
      region: 'US',
      audioLanguage: 'en',
      hour: 9,
    })),
    ...Array.from({ length: 9 }, () => ({
      titleId: 'big-apple',
      cabinClass: 'economy',
      watchedS: 60,
      completed: false,
      route: 'LHR-NRT',
      hour: 22,
    })),
  ];
  const model = trainModel(
    { catalogue: ['tokyo-story', 'big-apple'], counts, histories: [] },
    { version: 3, trainedAt: at },
  );
  const top = (list: [number, number][] | undefined) => model.titles[list![0]![0]];
  assert.equal(
    top(model.priors.route['LHR-NRT']),
    'tokyo-story',
    'nine abandoned starts weigh less than five completions',
  );
  assert.equal(top(model.priors.route['LHR-JFK']), 'big-apple');
  assert.equal(top(model.priors.region.JP), 'tokyo-story');
  assert.equal(top(model.priors.language.en), 'big-apple');
  assert.equal(top(model.priors.timeOfDay.evening), 'tokyo-story');
  assert.equal(top(model.priors.timeOfDay.morning), 'big-apple');
  assert.equal(model.version, 3);
});

test('a model for 5,000 titles with 20 neighbours each is small and passes its schema', () => {
  const sim = simulateViewing({ seed: 7, titles: 5000, clusters: 25, sessions: 40_000, weeks: 4 });
  const model = recoModel.parse(trainModel(trainingInputOf(sim, sim.sessions), { version: 1, trainedAt: at }));
  const bytes = Buffer.byteLength(JSON.stringify(model));
  const gzip = execFileSync('gzip', ['-c'], { input: JSON.stringify(model) }).length;
  console.log(`model for 5,000 titles: ${(bytes / 1024).toFixed(0)} KB JSON, ${(gzip / 1024).toFixed(0)} KB gzip`);
  assert.equal(model.titles.length, 5000);
  assert.ok(bytes < 2_500_000, `${bytes} bytes`);
});

test('the model schema refuses garbage: an index beyond the titles, a missing list, an unknown field', () => {
  const good = trainModel(
    { catalogue: ['a-1', 'b-2'], counts: [], histories: [{ session: 's', titles: ['a-1', 'b-2'] }] },
    { version: 1, trainedAt: at },
  );
  assert.ok(recoModel.safeParse(good).success);
  assert.equal(recoModel.safeParse({ ...good, neighbours: [[[9, 1]], []] }).success, false);
  assert.equal(recoModel.safeParse({ ...good, neighbours: [[]] }).success, false);
  assert.equal(recoModel.safeParse({ ...good, extra: 1 }).success, false);
  assert.equal(recoModel.safeParse({ ...good, schemaVersion: 2 }).success, false);
  assert.equal(recoModel.safeParse('model').success, false);
});

test('ifec-ground reco train writes a model from a training file, and refuses a bad file with exit 3', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reco-train-'));
  const bin = path.resolve(import.meta.dirname, '../../bin/ifec-ground.mjs');
  const input = path.join(dir, 'input.json');
  fs.writeFileSync(
    input,
    JSON.stringify({ catalogue: ['a-1', 'b-2'], counts: [], histories: [{ session: 's', titles: ['a-1', 'b-2'] }] }),
  );
  const ok = spawnSync(
    process.execPath,
    [bin, 'reco', 'train', input, path.join(dir, 'model.json'), '--version', '4'],
    { encoding: 'utf8' },
  );
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /model v4: 2 titles/);
  assert.equal(recoModel.parse(JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'))).version, 4);
  fs.writeFileSync(input, JSON.stringify({ catalogue: ['NOT A TITLE'], counts: [], histories: [] }));
  const bad = spawnSync(process.execPath, [bin, 'reco', 'train', input, path.join(dir, 'm2.json'), '--version', '5'], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /RECO_INPUT_INVALID: .*catalogue\.0/);
  const usage = spawnSync(process.execPath, [bin, 'reco', 'train', input], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
});
