/**
 * `ifec-ground software …`: the signing workstation's commands (the repository folder holds
 * the role keys; the root key belongs on a machine that is otherwise offline).
 *
 *   software init --repo <dir>
 *   software publish <bundle> --part-number <P> --version <v> [--kind seat-client|appliance|os-image]
 *                    --repo <dir> --tenant <id> [--aircraft <tail>]
 *   software rotate-key <root|targets|snapshot|timestamp> --repo <dir>   revokes the old key via a new root
 *   software refresh --repo <dir>                                       new expiry dates, same targets
 *   software status <aircraftId> --tenant <id>                          versions per seat, the rollout's progress
 *
 * `publish` and `rotate-key`/`refresh` with --tenant publish the repository to the fleet (downlink
 * and USB bundles carry it); without --tenant they only sign.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { GroundConfig } from '../config.ts';
import { openGround } from '../main.ts';
import { aircraftSoftwareStatus } from './fleet-status.ts';
import { addLoad, publishRepository } from './publish.ts';
import { ROLES, type RoleName, SoftwareRepository } from './repository.ts';

export const SOFTWARE_USAGE = `  ifec-ground software init --repo <dir>
  ifec-ground software publish <bundle> --part-number <P> --version <v> [--kind seat-client|appliance|os-image] --repo <dir> [--tenant <id>] [--aircraft <tail>]
  ifec-ground software rotate-key <root|targets|snapshot|timestamp> --repo <dir> [--tenant <id>]
  ifec-ground software refresh --repo <dir> [--tenant <id>]
  ifec-ground software status <aircraftId> --tenant <id>`;

export interface SoftwareArgs {
  sub: string | undefined;
  rest: string[];
  repo: string | undefined;
  partNumber: string | undefined;
  version: string | undefined;
  kind: string | undefined;
  tenant: string | undefined;
  aircraft: string | undefined;
}

/** Returns undefined when the arguments are not a software command (the caller prints the usage). */
export async function runSoftwareCommand(
  args: SoftwareArgs,
  config: () => GroundConfig,
  log: Logger,
  out: (s: string) => void,
): Promise<number | undefined> {
  if (args.sub === 'status' && args.rest.length === 1 && args.tenant) {
    const ground = await openGround(config(), log, { claimKey: false });
    try {
      out(`${JSON.stringify(await aircraftSoftwareStatus(ground.db, args.tenant, args.rest[0]!), null, 2)}\n`);
    } finally {
      await ground.close();
    }
    return 0;
  }
  const repoDir = args.repo ? path.resolve(args.repo) : undefined;
  if (!repoDir) return undefined;
  const publishTo = async (repo: SoftwareRepository) => {
    if (!args.tenant) return;
    const ground = await openGround(config(), log, { claimKey: true });
    try {
      const p = await publishRepository(ground.db, ground.signingKey, args.tenant, repo, {
        aircraftId: args.aircraft ?? null,
      });
      out(
        `published software repository (timestamp v${p.version}) as publication ${p.seq} to ${p.aircraftId ?? 'the fleet'} of ${args.tenant}: ${p.files.length} files\n`,
      );
    } finally {
      await ground.close();
    }
  };
  if (args.sub === 'init' && args.rest.length === 0) {
    const repo = SoftwareRepository.create(repoDir);
    out(
      `software repository created in ${repoDir}: root v${repo.root().signed.version}, keys in ${path.join(repoDir, 'keys')} (keep the root key offline)\n`,
    );
    return 0;
  }
  if (args.sub === 'publish' && args.rest.length === 1 && args.partNumber && args.version) {
    const repo = SoftwareRepository.open(repoDir);
    const added = addLoad(repo, {
      file: path.resolve(args.rest[0]!),
      partNumber: args.partNumber,
      version: args.version,
      kind: (args.kind ?? 'os-image') as 'os-image',
    });
    out(`target ${added.target} with load list ${added.loadList} signed (targets v${repo.targets().signed.version})\n`);
    await publishTo(repo);
    return 0;
  }
  if (args.sub === 'rotate-key' && args.rest.length === 1 && (ROLES as readonly string[]).includes(args.rest[0]!)) {
    const repo = SoftwareRepository.open(repoDir);
    const r = repo.rotateKey(args.rest[0] as RoleName);
    out(
      `${args.rest[0]} key rotated through root v${r.rootVersion}: ${r.revoked.slice(0, 16)}… revoked, ${r.added.slice(0, 16)}… added\n`,
    );
    await publishTo(repo);
    return 0;
  }
  if (args.sub === 'refresh' && args.rest.length === 0) {
    const repo = SoftwareRepository.open(repoDir);
    repo.refresh();
    out(
      `metadata re-signed: timestamp v${repo.timestamp().signed.version} expires ${repo.timestamp().signed.expires}\n`,
    );
    await publishTo(repo);
    return 0;
  }
  return undefined;
}
