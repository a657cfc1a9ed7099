/**
 * ifec-flash: at the gate or on the bench, writes a unit's image and identity, and carries
 * sync bundles between the aircraft and the ground on a USB stick. Every copy shows progress
 * and is checked after writing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FlashError, flashImage, readManifest } from './image-writer.ts';
import { type Progress, terminalProgress } from './progress.ts';
import {
  ProvisionError,
  provisionSeat,
  provisionServer,
  readIdentityFile,
  seatIdentity,
  serverEnvironment,
} from './provision.ts';
import { formatStick, listStick, readBundles, StickError, writeBundles } from './usb-stick.ts';

export const USAGE = `usage: ifec-flash <command> [options]

  image <image.json> <disk>        write the unit's disk image (the .img next to image.json) onto
                                   <disk> (/dev/sdX or a disk-image file), read it back and check its
                                   sha256, then give the data partition the rest of the disk
  provision-seat <disk>            write the seat's identity onto its data partition:
      --seat <id>                    the seat, e.g. 12A
      --credentials <file>           the appliance's first-run-credentials.json (its seat secrets)
      --appliance <url>              the appliance's address, e.g. http://10.0.0.1:8080
      [--serial <unit serial>]
  provision-server <disk>          write the server's appliance.env onto its data partition:
      --aircraft <layout> --tail <tail number> [--ground-key <public key file>]
  show-identity <disk>             print the identity on a unit's disk (the secret hidden)

  usb format <stick>               make a FAT32 stick labelled IFECSYNC (erases it)
  usb list <stick>                 the sync bundles on a stick
  usb write <stick> <bundle>...    copy bundles (*.ifecb) onto a stick, checked before and after
  usb read <stick> <folder>        copy every bundle off a stick into a folder, each checked

  <disk> and <stick> are a block device (unmounted) or a disk-image file.
exit codes: 0 done, 2 usage, 3 refused or failed (the reason printed)
`;

type Options = ReturnType<typeof parse>['values'];

export async function flashCli(argv: string[], progress: Progress = terminalProgress()): Promise<number> {
  let values: Options;
  let args: string[];
  try {
    ({ values, positionals: args } = parse(argv));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const usage = (why: string) => {
    process.stderr.write(`${why}\n\n${USAGE}`);
    return 2;
  };
  try {
    switch (args[0]) {
      case 'image': {
        const [, manifestFile, disk] = args;
        if (!manifestFile || !disk) return usage('image needs <image.json> <disk>');
        const manifest = readManifest(manifestFile);
        const image = path.join(path.dirname(manifestFile), `${manifest.target}.img`);
        const result = flashImage(image, manifest, disk, progress);
        say(`${manifest.target} ${manifest.version} written to ${disk} and verified (sha256 ${result.sha256})`);
        if (result.grown) say('the data partition now takes the rest of the disk (grown at first boot)');
        say(`next: ifec-flash provision-${manifest.target} ${disk} …`);
        return 0;
      }
      case 'provision-seat': {
        const disk = args[1];
        if (!disk || !values.seat || !values.credentials || !values.appliance)
          return usage('provision-seat needs <disk> --seat --credentials --appliance');
        const identity = seatIdentity({
          seatId: values.seat,
          credentialsFile: values.credentials,
          applianceUrl: values.appliance,
          unitSerial: values.serial,
        });
        provisionSeat(disk, identity);
        say(
          `seat ${identity.seatId} of ${identity.tailNumber} provisioned on ${disk} (appliance ${identity.applianceUrl})`,
        );
        return 0;
      }
      case 'provision-server': {
        const disk = args[1];
        if (!disk || !values.aircraft || !values.tail)
          return usage('provision-server needs <disk> --aircraft <layout> --tail <tail number>');
        provisionServer(
          disk,
          serverEnvironment({
            aircraft: values.aircraft,
            tailNumber: values.tail,
            groundPublicKey: values['ground-key'],
          }),
        );
        say(`aircraft server for ${values.tail} provisioned on ${disk}`);
        return 0;
      }
      case 'show-identity': {
        const disk = args[1];
        if (!disk) return usage('show-identity needs <disk>');
        for (const name of ['seat-unit.json', 'appliance.env']) {
          let text: string;
          try {
            text = readIdentityFile(disk, name);
          } catch {
            continue;
          }
          if (!text) continue;
          say(`${name}:\n${text.replace(/("secret"\s*:\s*")[^"]+/, '$1…')}`);
        }
        return 0;
      }
      case 'usb':
        return await usb(args.slice(1), progress, say, usage);
      default:
        return usage(args[0] ? `unknown command ${args[0]}` : 'name a command');
    }
  } catch (error) {
    if (error instanceof FlashError || error instanceof ProvisionError || error instanceof StickError) {
      process.stderr.write(`ifec-flash: ${error.code}: ${error.message}\n`);
      return 3;
    }
    throw error;
  }
}

async function usb(
  args: string[],
  progress: Progress,
  say: (line: string) => void,
  usage: (why: string) => number,
): Promise<number> {
  const [command, stick, ...rest] = args;
  if (!stick) return usage('usb needs a command and a stick');
  switch (command) {
    case 'format':
      formatStick(stick);
      say(`${stick} is an empty IFECSYNC stick`);
      return 0;
    case 'list': {
      const files = listStick(stick);
      if (files.length === 0) say('no bundles on this stick');
      for (const f of files) say(`${f.name}  ${f.size} bytes`);
      return 0;
    }
    case 'write': {
      if (rest.length === 0) return usage('usb write needs at least one bundle');
      for (const b of await writeBundles(stick, rest, progress))
        say(
          `${b.name}: ${b.direction} bundle ${b.sequence} of ${b.aircraftId}, ${b.size} bytes, on the stick and checked`,
        );
      return 0;
    }
    case 'read': {
      const folder = rest[0];
      if (!folder) return usage('usb read needs a folder');
      const { read, damaged } = await readBundles(stick, folder, progress);
      for (const b of read) {
        say(`${b.name}: ${b.direction} bundle ${b.sequence} of ${b.aircraftId}, checked, in ${folder}`);
        say(
          b.direction === 'uplink'
            ? `  next, on the ground: ifec-ground bundle import ${path.join(folder, b.name)}`
            : `  next, on the aircraft: ifec-sync import-bundle ${path.join(folder, b.name)} --appliance <url> --crew <id>`,
        );
      }
      for (const d of damaged)
        process.stderr.write(`ifec-flash: BUNDLE_DAMAGED: ${d.name}: ${d.reason} (copy it again)\n`);
      if (read.length === 0 && damaged.length === 0) say('no bundles on this stick');
      return damaged.length > 0 ? 3 : 0;
    }
    default:
      return usage(`unknown usb command ${command}`);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seat: { type: 'string' },
      credentials: { type: 'string' },
      appliance: { type: 'string' },
      serial: { type: 'string' },
      aircraft: { type: 'string' },
      tail: { type: 'string' },
      'ground-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = await flashCli(process.argv.slice(2));
