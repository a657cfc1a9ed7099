import path from 'node:path';
import { buildTestLoad, makeMediaSource, mediaTempDir, startMediaAppliance, trustedSigner, crewLogin } from '/work/main/appliance/test/media-support.ts';
const work = mediaTempDir();
const source = makeMediaSource(path.join(work, 'source'));
const signer = trustedSigner(work);
const env = { IFEC_CONTENT_TRUSTED_KEYS: signer.publicKeyFile, IFEC_RTMP_PORT: '0' };
let app = await startMediaAppliance(env);
const l = await buildTestLoad({ out: path.join(work, 'l'), source, titles: [{ id: 'night-flight' }], privateKeyPem: signer.privateKeyPem });
const t = await crewLogin(app, 'maintenance');
const r = await fetch(`${app.url}/api/crew/content-loads`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify({ path: l.dir }) });
console.log(r.status);
await new Promise(r => setTimeout(r, 500));
await app.stop();
try { app = await startMediaAppliance(env, app.dataDir); console.log('restarted'); await app.stop(); } catch (e) { console.log('ERR', e); }
process.exit(0);
