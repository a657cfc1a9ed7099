/**
 * The update agent as it runs on a unit (ifec-update-agent.service, bundled into
 * /opt/ifec/update-agent/agent.mjs): after every boot, decide a pending update (health within
 * the deadline → mark good, else roll back); then take an offer if one is waiting.
 *
 * Transport: a folder (`IFEC_UPDATE_FOLDER`, e.g. a maintenance stick, holding `offer.json`
 * and `<sha256>.raucb`). The appliance's rollout over the cabin network plugs in here as
 * another `UpdateTransport` (its protocol belongs to the appliance's updates domain).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FolderTransport } from './folder-transport.ts';
import { Rauc } from './rauc.ts';
import { UpdateAgent, updateOffer } from './update-agent.ts';

const run = promisify(execFile);

function release(): Record<string, string> {
  try {
    return Object.fromEntries(
      fs
        .readFileSync('/etc/ifec-release', 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  } catch {
    return {};
  }
}

/** Healthy: the unit's main service is active and the appliance answers /healthz (seat) or is this unit (server). */
async function probe(signal: AbortSignal, target: string, applianceUrl: string | undefined): Promise<boolean> {
  const service = target === 'seat' ? 'ifec-kiosk.service' : 'ifec-appliance.service';
  await run('systemctl', ['is-active', '--quiet', service], { signal });
  const url = applianceUrl ?? 'http://127.0.0.1:8080';
  const res = await fetch(new URL('/healthz', url), { signal });
  if (!res.ok) throw new Error(`appliance /healthz answered ${res.status}`);
  return true;
}

async function main(): Promise<void> {
  const rel = release();
  const target = rel.IFEC_TARGET ?? 'seat';
  let applianceUrl: string | undefined;
  let unitId = target;
  if (target === 'seat') {
    try {
      const identity = JSON.parse(fs.readFileSync(rel.IFEC_IDENTITY ?? '/etc/ifec/seat-unit.json', 'utf8')) as {
        seatId: string;
        applianceUrl: string;
      };
      applianceUrl = identity.applianceUrl;
      unitId = identity.seatId;
    } catch (error) {
      console.error(`update agent: no seat identity (${(error as Error).message}); health will fail`);
    }
  }
  const folder = process.env.IFEC_UPDATE_FOLDER ?? '/media/ifec-update';
  const transport = new FolderTransport(folder, unitId);
  const agent = new UpdateAgent({
    rauc: new Rauc(),
    transport,
    stateDir: process.env.IFEC_UPDATE_STATE_DIR ?? '/data/update-agent',
    reboot: async () => {
      await run('systemctl', ['reboot']);
    },
    probe: (signal) => probe(signal, target, applianceUrl),
    healthDeadlineMs: Number(process.env.IFEC_HEALTH_DEADLINE_S ?? 300) * 1000,
    healthIntervalMs: 5000,
    log: (line) => console.log(`update agent: ${line}`),
  });
  const decided = await agent.afterBoot();
  if (decided) console.log(`update agent: ${JSON.stringify(decided)}`);
  const offerFile = path.join(folder, 'offer.json');
  if (fs.existsSync(offerFile)) {
    const offer = updateOffer.parse(JSON.parse(fs.readFileSync(offerFile, 'utf8')));
    if (offer.version !== rel.IFEC_VERSION) await agent.install(offer);
  }
}

try {
  await main();
} catch (error) {
  // One line for the journal; systemd restarts the agent (Restart=on-failure).
  const e = error as Error & { code?: string };
  console.error(`update agent: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  process.exitCode = 1;
}
