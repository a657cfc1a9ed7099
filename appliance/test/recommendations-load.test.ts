/**
 * A content load carrying a recommendation model, installed the way maintenance installs one
 * (POST /api/crew/content-loads from a path): the model is copied with the load, verified
 * against the signed load.json, and the ranking uses it; a tampered model refuses the load.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type ContentLoad, RECO_MODEL_FILE, recoModel } from '@ifec/protocol';
import { signContentLoad } from '@ifec/protocol/node';
import { trainModel } from '../../ground-sync/src/recommendations/train.ts';
import {
  buildTestLoad,
  crewLogin,
  type MediaTestAppliance,
  makeMediaSource,
  mediaTempDir,
  startMediaAppliance,
  trustedSigner,
} from './media-support.ts';
import { waitFor } from './support.ts';

let work: string;
let app: MediaTestAppliance;
let maintenance: string;
let signer: { privateKeyPem: string; publicKeyFile: string };
let source: ReturnType<typeof makeMediaSource>;

before(async () => {
  work = mediaTempDir();
  source = makeMediaSource(path.join(work, 'source'));
  signer = trustedSigner(work);
  app = await startMediaAppliance({ IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile, IFEC_RTMP_PORT: '0' });
  maintenance = await crewLogin(app, 'maintenance');
});

after(async () => {
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** A signed load of three titles with a model of `version` beside them (its sha256 in load.json). */
async function loadWithModel(name: string, version: number, loadVersion: number): Promise<string> {
  const ids = ['alpha-film', 'beta-film', 'gamma-film'];
  const out = path.join(work, name);
  const { load } = await buildTestLoad({
    out,
    source,
    titles: ids.map((id) => ({ id })),
    privateKeyPem: signer.privateKeyPem,
    version: loadVersion,
    id: `TEST-RECO-${name}`,
  });
  const model = recoModel.parse(
    trainModel(
      { catalogue: ids, counts: [], histories: [{ session: 's', titles: ['alpha-film', 'beta-film'] }] },
      { version, trainedAt: new Date().toISOString() },
    ),
  );
  const text = JSON.stringify(model);
  fs.mkdirSync(path.join(out, 'recommendations'), { recursive: true });
  fs.writeFileSync(path.join(out, RECO_MODEL_FILE), text);
  const { signature: _old, ...unsigned } = load;
  const signed: ContentLoad = signContentLoad(
    {
      ...unsigned,
      recommendations: {
        path: RECO_MODEL_FILE,
        size: Buffer.byteLength(text),
        sha256: crypto.createHash('sha256').update(text).digest('hex'),
        version,
      },
    },
    signer.privateKeyPem,
  );
  fs.writeFileSync(path.join(out, 'load.json'), JSON.stringify(signed, null, 2));
  return out;
}

async function install(dir: string) {
  const res = await fetch(`${app.url}/api/crew/content-loads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${maintenance}` },
    body: JSON.stringify({ path: dir }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { error?: { code: string; problems: Array<{ code: string }> } },
  };
}

test('a load with a model installs, the model is copied with it and the ranking uses its version', async () => {
  const dir = await loadWithModel('good', 4, 10);
  const r = await install(dir);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const reco = app.recommendations.recommendations;
  await waitFor(() => reco.modelVersion === 4, 5000, 'the model in use');
  assert.ok(fs.existsSync(path.join(reco.currentLoad!.dir, RECO_MODEL_FILE)), 'the model sits in the installed load');
});

test('a model changed after signing refuses the whole load, and the active one stays', async () => {
  const dir = await loadWithModel('tampered', 5, 11);
  const file = path.join(dir, RECO_MODEL_FILE);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"version":5', '"version":6'));
  const r = await install(dir);
  assert.equal(r.status, 422);
  assert.ok(
    r.body.error?.problems.some((p) => p.code === 'RECO_MODEL_CHECKSUM'),
    JSON.stringify(r.body),
  );
  assert.equal(app.recommendations.recommendations.modelVersion, 4);
});
