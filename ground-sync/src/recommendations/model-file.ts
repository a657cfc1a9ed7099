/**
 * `ifec-ground reco train <input.json> <model.json> --version <n>`: reads what the ground
 * gathered (recoTrainingInput), trains, checks the result against the model schema and writes
 * it for `ifec-media load build --reco <model.json>` to sign into the next content load.
 */
import fs from 'node:fs';
import { IfecError, type RecoModel, recoModel, recoTrainingInput } from '@ifec/protocol';
import type { Queryable } from '../store/database.ts';
import { trainModel } from './train.ts';
import { type TrainingWindow, trainingInputFromStore } from './viewing-counts.ts';

export class RecoInputRefused extends IfecError<'RECO_INPUT_INVALID'> {
  constructor(message: string) {
    super('RECO_INPUT_INVALID', message);
  }
}

export interface TrainReport {
  version: number;
  titles: number;
  bytes: number;
}

export function trainFromFile(inputPath: string, outPath: string, version: number, now: Date): TrainReport {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
  } catch (error) {
    throw new RecoInputRefused(`${inputPath}: not readable JSON (${(error as Error).message})`);
  }
  const parsed = recoTrainingInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RecoInputRefused(`${inputPath}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const model: RecoModel = recoModel.parse(trainModel(parsed.data, { version, trainedAt: now.toISOString() }));
  const text = JSON.stringify(model);
  fs.writeFileSync(outPath, text);
  return { version, titles: model.titles.length, bytes: Buffer.byteLength(text) };
}

/**
 * Trains from the ground's own tables (viewing_counts and the opted-in watch histories) for one
 * tenant and writes the model file; `catalogue`: the next load's titles (default: every title seen).
 */
export async function trainFromStore(
  db: Queryable,
  tenantId: string,
  outPath: string,
  version: number,
  now: Date,
  options: TrainingWindow & { catalogue?: string[] } = {},
): Promise<TrainReport & { viewings: number; sessions: number }> {
  const input = recoTrainingInput.parse(await trainingInputFromStore(db, tenantId, options));
  const model: RecoModel = recoModel.parse(trainModel(input, { version, trainedAt: now.toISOString() }));
  const text = JSON.stringify(model);
  fs.writeFileSync(outPath, text);
  return {
    version,
    titles: model.titles.length,
    bytes: Buffer.byteLength(text),
    viewings: input.counts.length,
    sessions: input.histories.length,
  };
}
