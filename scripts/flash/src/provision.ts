/**
 * A unit's identity, written into the data partition of its disk (flashed or not), never
 * onto the read-only root, so it survives every update. A seat: which seat it is, its bus
 * secret as the appliance issued it at provisioning (the appliance's first-run credentials
 * file), and the appliance's address — the file the kiosk reads (/etc/ifec/seat-unit.json,
 * checked with the kiosk's own parser). The server: the appliance's environment file.
 * Written with debugfs into the ext4 data partition; nothing is mounted.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { partition, readPartitions } from '@ifec/images/src/recipe/disk-image.ts';
import { aircraftId } from '@ifec/protocol';
import { z } from 'zod';
import { parseProvisioning, type SeatProvisioning } from '../../../seat-client/electron/policy/provisioning.ts';

/** The seat user and the ifec group of the images (images/src/recipe/recipes.ts). */
const SEAT_UID = 900;
const IFEC_GID = 950;

export class ProvisionError extends Error {
  constructor(
    readonly code: 'CREDENTIALS_INVALID' | 'SEAT_UNKNOWN' | 'IDENTITY_INVALID' | 'NO_DATA_PARTITION',
    message: string,
  ) {
    super(message);
  }
}

/** The appliance's first-run credentials file (appliance/src/demo/first-run.ts, IssuedCredentials). */
const issuedCredentials = z.object({
  tailNumber: aircraftId,
  seats: z.record(z.string(), z.string().min(8).max(200)),
  crew: z.array(z.unknown()),
});

export function seatIdentity(opts: {
  credentialsFile: string;
  seatId: string;
  applianceUrl: string;
  unitSerial?: string;
}): SeatProvisioning {
  let credentials: z.infer<typeof issuedCredentials>;
  try {
    credentials = issuedCredentials.parse(JSON.parse(fs.readFileSync(opts.credentialsFile, 'utf8')));
  } catch (error) {
    throw new ProvisionError(
      'CREDENTIALS_INVALID',
      `${opts.credentialsFile} is not the appliance's credentials file: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const secret = credentials.seats[opts.seatId];
  if (!secret)
    throw new ProvisionError('SEAT_UNKNOWN', `seat ${opts.seatId} is not in the cabin of ${credentials.tailNumber}`);
  const text = JSON.stringify({
    seatId: opts.seatId,
    secret,
    applianceUrl: opts.applianceUrl,
    tailNumber: credentials.tailNumber,
    ...(opts.unitSerial ? { unitSerial: opts.unitSerial } : {}),
  });
  try {
    return parseProvisioning(text, 'seat identity');
  } catch (error) {
    throw new ProvisionError('IDENTITY_INVALID', (error as Error).message);
  }
}

/** The server's /etc/ifec/appliance.env: which aircraft, its tail, the ground's key. */
export function serverEnvironment(opts: { aircraft: string; tailNumber: string; groundPublicKey?: string }): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(opts.aircraft))
    throw new ProvisionError('IDENTITY_INVALID', `aircraft layout name ${JSON.stringify(opts.aircraft)} is not valid`);
  const tail = aircraftId.safeParse(opts.tailNumber);
  if (!tail.success) throw new ProvisionError('IDENTITY_INVALID', `tail number ${opts.tailNumber} is not valid`);
  const lines = [`IFEC_AIRCRAFT=${opts.aircraft}`, `IFEC_TAIL_NUMBER=${tail.data}`];
  if (opts.groundPublicKey) {
    const key = fs.readFileSync(opts.groundPublicKey, 'utf8').trim();
    if (key.includes('PRIVATE'))
      throw new ProvisionError('IDENTITY_INVALID', "that is a private key; give the ground's public key");
    lines.push(`IFEC_GROUND_PUBLIC_KEY="${key.replaceAll('\n', '\\n')}"`);
  }
  return `${lines.join('\n')}\n`;
}

function dataDevice(disk: string): string {
  const parts = readPartitions(disk);
  let data: ReturnType<typeof partition>;
  try {
    data = partition(parts, 'data');
  } catch {
    throw new ProvisionError('NO_DATA_PARTITION', `${disk} has no partition named data: not a unit's disk`);
  }
  return `${disk}?offset=${data.offset}`;
}

/** Writes `content` as `/ifec/<name>` of the data partition (seen as /etc/ifec/<name> on the unit). */
export function writeIdentityFile(
  disk: string,
  name: string,
  content: string,
  owner: { uid: number; gid: number; mode: number },
): void {
  const device = dataDevice(disk);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-provision-'));
  try {
    const local = path.join(tmp, name);
    fs.writeFileSync(local, content, { mode: 0o600 });
    const dest = `/ifec/${name}`;
    const commands = [
      'mkdir /ifec',
      `rm ${dest}`,
      `write ${local} ${dest}`,
      `set_inode_field ${dest} mode 0${(0o100000 | owner.mode).toString(8)}`,
      `set_inode_field ${dest} uid ${owner.uid}`,
      `set_inode_field ${dest} gid ${owner.gid}`,
    ];
    const script = path.join(tmp, 'commands');
    fs.writeFileSync(script, `${commands.join('\n')}\n`);
    // mkdir/rm fail harmlessly when the folder exists or the file does not; the read-back decides.
    execFileSync('debugfs', ['-w', '-f', script, device], { stdio: 'ignore' });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const back = readIdentityFile(disk, name);
  if (back !== content) throw new ProvisionError('IDENTITY_INVALID', `${name} did not read back as written`);
}

export function readIdentityFile(disk: string, name: string): string {
  return execFileSync('debugfs', ['-R', `cat /ifec/${name}`, dataDevice(disk)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** Mode and owner of an identity file, as debugfs reports them. */
export function identityFileOwner(disk: string, name: string): { mode: number; uid: number; gid: number } {
  const out = execFileSync('debugfs', ['-R', `stat /ifec/${name}`, dataDevice(disk)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const mode = /Mode:\s+(\d+)/.exec(out);
  const user = /User:\s+(\d+)\s+Group:\s+(\d+)/.exec(out);
  return { mode: Number.parseInt(mode?.[1] ?? '0', 8), uid: Number(user?.[1]), gid: Number(user?.[2]) };
}

export function provisionSeat(disk: string, identity: SeatProvisioning): void {
  writeIdentityFile(disk, 'seat-unit.json', `${JSON.stringify(identity, null, 2)}\n`, {
    uid: SEAT_UID,
    gid: IFEC_GID,
    mode: 0o600,
  });
}

export function provisionServer(disk: string, environment: string): void {
  writeIdentityFile(disk, 'appliance.env', environment, { uid: 0, gid: IFEC_GID, mode: 0o640 });
}
