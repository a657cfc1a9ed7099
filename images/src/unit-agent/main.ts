/**
 * The update agent as it runs on a unit (ifec-update-agent.service, bundled into
 * /opt/ifec/update-agent/agent.mjs): after every boot, decide a pending update (rebooted,
 * health before the rollout's deadline → mark good, else roll back); then poll the
 * appliance's assignment and follow it, as protocol/src/updates.ts describes.
 *
 * Transport: the cabin network (CabinTransport) with the unit's identity file
 * (IFEC_IDENTITY, /etc/ifec/seat-unit.json: seat id, secret, appliance address). A
 * maintenance stick (`IFEC_UPDATE_FOLDER`, holding assignment.json and `<sha256>.raucb`)
 * is used instead only when that variable is set.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { CabinTransport } from './cabin-transport.ts';
import { FolderTransport } from './folder-transport.ts';
import { Rauc } from './rauc.ts';
import { UpdateAgent, type UpdateTransport } from './update-agent.ts';

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
  const stateDir = process.env.IFEC_UPDATE_STATE_DIR ?? '/data/update-agent';
  const rauc = new Rauc();
  let transport: UpdateTransport;
  let applianceUrl: string | undefined;
  if (target !== 'seat') {
    // The aircraft server is not a seat in the rollout: its updates come on a stick.
    transport = new FolderTransport(process.env.IFEC_UPDATE_FOLDER ?? '/media/ifec-update', target);
  } else {
    const identityFile = rel.IFEC_IDENTITY ?? process.env.IFEC_IDENTITY ?? '/etc/ifec/seat-unit.json';
    let identity: ReturnType<typeof CabinTransport.identityFromFile>;
    try {
      identity = CabinTransport.identityFromFile(identityFile);
    } catch (error) {
      // Still confirm an ordinary boot, or the bootloader would leave this proven slot at the
      // next power-on; then stop with the reason (systemd retries).
      if (!fs.existsSync(`${stateDir}/pending-update.json`)) await rauc.markGood('booted');
      throw error;
    }
    applianceUrl = identity.applianceUrl;
    transport = process.env.IFEC_UPDATE_FOLDER
      ? new FolderTransport(process.env.IFEC_UPDATE_FOLDER, identity.seatId)
      : new CabinTransport({ identity });
  }
  const agent = new UpdateAgent({
    rauc,
    transport,
    stateDir,
    runningVersion: () => release().IFEC_VERSION ?? '0.0.0',
    reboot: async () => {
      await run('systemctl', ['reboot']);
    },
    probe: (signal) => probe(signal, target, applianceUrl),
    healthDeadlineMs: Number(process.env.IFEC_HEALTH_DEADLINE_S ?? 900) * 1000,
    healthIntervalMs: 5000,
    log: (line) => console.log(`update agent: ${line}`),
  });
  const decided = await agent.afterBoot();
  if (decided) console.log(`update agent: ${JSON.stringify(decided)}`);
  for (;;) {
    let wait = 60;
    try {
      const { outcome, pollAfterS } = await agent.poll();
      wait = pollAfterS;
      if (outcome.did !== 'nothing') console.log(`update agent: ${JSON.stringify(outcome)}`);
      // Installed: the reboot was asked for; systemd stops us.
      if (outcome.did === 'installed') return;
    } catch (error) {
      const e = error as Error & { code?: string };
      console.error(`update agent: ${e.code ? `${e.code}: ` : ''}${e.message}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(Math.max(wait, 1), 3600) * 1000));
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
