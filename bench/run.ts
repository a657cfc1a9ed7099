/**
 * `npm run bench` runs every group; `npm run bench -- <name>` runs one.
 * Groups live in bench/groups.ts; each measures its own peers in the same run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { groups } from './groups.ts';
import { type Figure, machineDescription } from './harness.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = wanted.length ? groups.filter((g) => wanted.includes(g.name)) : groups;
if (wanted.length && selected.length === 0) {
  console.error(`no bench group named ${wanted.join(', ')}; groups: ${groups.map((g) => g.name).join(', ')}`);
  process.exit(2);
}

const figures: Figure[] = [];
for (const group of selected) {
  console.log(`\n== ${group.name}`);
  try {
    await group.run({
      record: (f) => {
        figures.push(f);
        printFigure(f);
      },
      log: (m) => console.log(`   ${m}`),
    });
  } catch (error) {
    console.error(`   group ${group.name} failed: ${(error as Error).stack ?? error}`);
    figures.push({ id: `${group.name}.failed`, value: null, unit: '', skipped: String((error as Error).message) });
  }
}

const resultsFile = path.join(root, 'bench-results.json');
fs.writeFileSync(
  resultsFile,
  JSON.stringify({ machine: machineDescription(), at: new Date().toISOString(), figures }, null, 2),
);
console.log(`\nwrote ${figures.length} figures to ${resultsFile}`);

function printFigure(f: Figure): void {
  const value = f.value == null ? 'skipped' : `${round(f.value)} ${f.unit}`;
  const peer = f.peer ? `  ${f.peer}: ${f.peer_value == null ? 'skipped' : `${round(f.peer_value)} ${f.unit}`}` : '';
  const r = f.ratio != null ? `  ratio ${f.ratio}` : '';
  const goal = f.goal ? `  goal ${f.goal}` : '';
  const why = f.skipped ? `  (${f.skipped})` : '';
  console.log(`   ${f.id.padEnd(40)} ${value}${peer}${r}${goal}${why}`);
}

function round(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}
