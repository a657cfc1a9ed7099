/**
 * The airline's software repository: TUF metadata (root, targets, snapshot, timestamp) over
 * a folder, signed with @tufjs/models. A folder and not the database because the signing
 * happens on a maintenance workstation (root keys belong offline); what it signs is then
 * published to the fleet (publish.ts) and read on board by tuf-js.
 *
 *   <repo>/keys/<keyid>.pem        Ed25519 private keys (0600), one per role key
 *   <repo>/keys/roles.json         which key each role signs with now
 *   <repo>/metadata/N.root.json    every root (an aircraft walks the chain), root.json the newest
 *   <repo>/metadata/{timestamp,snapshot,targets}.json
 *   <repo>/targets/<part>/<version>/<file>   the loads and their load lists
 *
 * Rotating a role's key writes root N+1, signed by the old and the new root keys; the old key
 * is no longer listed, so anything it signs afterwards is refused on board (revocation).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IfecError, SOFTWARE_LAYOUT, type SoftwareTargetCustom } from '@ifec/protocol';
import {
  Key,
  Metadata,
  MetadataKind,
  MetaFile,
  Root,
  Signature,
  Snapshot,
  TargetFile,
  Targets,
  Timestamp,
} from '@tufjs/models';

export class SoftwareRepositoryError extends IfecError<
  'SOFTWARE_REPOSITORY_MISSING' | 'SOFTWARE_REPOSITORY_EXISTS' | 'SOFTWARE_TARGET_EXISTS' | 'SOFTWARE_ROLE_UNKNOWN'
> {}

export const ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type RoleName = (typeof ROLES)[number];

/** How long each role's metadata is valid: the timestamp is short so a frozen feed shows soon. */
export const DEFAULT_EXPIRY_DAYS: Record<RoleName, number> = { root: 365, targets: 90, snapshot: 30, timestamp: 7 };

const SPEC_VERSION = '1.0.31';
const DAY_MS = 86_400_000;

type AnyMetadata = Metadata<Root> | Metadata<Targets> | Metadata<Snapshot> | Metadata<Timestamp>;

export interface RepositoryOptions {
  expiryDays?: Partial<Record<RoleName, number>>;
  now?: () => Date;
}

function publicKeyOf(privatePem: string): Key {
  const pub = crypto.createPublicKey(privatePem).export({ format: 'der', type: 'spki' });
  // The raw 32-byte Ed25519 key is the last 32 bytes of the SPKI DER; TUF writes it in hex.
  const hex = pub.subarray(pub.length - 32).toString('hex');
  // The key id is the sha256 of the key's canonical JSON (keys sorted, no spaces), as TUF defines it.
  const canonical = JSON.stringify({ keytype: 'ed25519', keyval: { public: hex }, scheme: 'ed25519' });
  const keyID = crypto.createHash('sha256').update(canonical).digest('hex');
  return new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal: { public: hex } });
}

function signerOf(privatePem: string): (data: Buffer) => Signature {
  const key = crypto.createPrivateKey(privatePem);
  const keyID = publicKeyOf(privatePem).keyID;
  return (data) => new Signature({ keyID, sig: crypto.sign(null, data, key).toString('hex') });
}

/** Writes a file so a crash leaves the old or the new one, never half of it. */
function writeAtomic(file: string, data: string | Buffer, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export class SoftwareRepository {
  private readonly now: () => Date;
  private readonly expiryDays: Record<RoleName, number>;

  private constructor(
    readonly dir: string,
    options: RepositoryOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.expiryDays = { ...DEFAULT_EXPIRY_DAYS, ...options.expiryDays };
  }

  get metadataDir(): string {
    return path.join(this.dir, SOFTWARE_LAYOUT.metadata);
  }

  get targetsDir(): string {
    return path.join(this.dir, SOFTWARE_LAYOUT.targets);
  }

  /** A new repository: one fresh key per role, root 1, empty targets. */
  static create(dir: string, options: RepositoryOptions = {}): SoftwareRepository {
    if (fs.existsSync(path.join(dir, SOFTWARE_LAYOUT.metadata, 'root.json')))
      throw new SoftwareRepositoryError('SOFTWARE_REPOSITORY_EXISTS', `${dir} already holds a software repository`);
    const repo = new SoftwareRepository(dir, options);
    fs.mkdirSync(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
    const roles: Record<string, string> = {};
    for (const role of ROLES) roles[role] = repo.newKey();
    writeAtomic(repo.rolesFile, JSON.stringify(roles, null, 2));
    const root = new Metadata(
      new Root({
        version: 1,
        specVersion: SPEC_VERSION,
        expires: repo.expiry('root'),
        consistentSnapshot: false,
      }),
    );
    for (const role of ROLES) root.signed.addKey(repo.keyOf(roles[role]!), role);
    repo.signAndWrite(root, [roles.root!], 'root');
    const targets = new Metadata(
      new Targets({ version: 1, specVersion: SPEC_VERSION, expires: repo.expiry('targets') }),
    );
    repo.signAndWrite(targets, [roles.targets!], 'targets');
    repo.writeSnapshotAndTimestamp();
    return repo;
  }

  static open(dir: string, options: RepositoryOptions = {}): SoftwareRepository {
    if (!fs.existsSync(path.join(dir, SOFTWARE_LAYOUT.metadata, 'root.json')))
      throw new SoftwareRepositoryError(
        'SOFTWARE_REPOSITORY_MISSING',
        `${dir} holds no software repository: ifec-ground software init --repo ${dir}`,
      );
    return new SoftwareRepository(dir, options);
  }

  // ---- reading ----------------------------------------------------------------------

  root(): Metadata<Root> {
    return Metadata.fromJSON(MetadataKind.Root, this.readJson('root'));
  }

  targets(): Metadata<Targets> {
    return Metadata.fromJSON(MetadataKind.Targets, this.readJson('targets'));
  }

  snapshot(): Metadata<Snapshot> {
    return Metadata.fromJSON(MetadataKind.Snapshot, this.readJson('snapshot'));
  }

  timestamp(): Metadata<Timestamp> {
    return Metadata.fromJSON(MetadataKind.Timestamp, this.readJson('timestamp'));
  }

  /** The key id each role signs with now. */
  roleKeys(): Record<RoleName, string> {
    return JSON.parse(fs.readFileSync(this.rolesFile, 'utf8'));
  }

  /** Every file to ship, relative to the repository (metadata first, then targets). */
  files(): string[] {
    const walk = (dir: string): string[] =>
      fs.existsSync(dir)
        ? fs
            .readdirSync(dir, { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
        : [];
    return [...walk(this.metadataDir), ...walk(this.targetsDir)]
      .filter((f) => !f.includes('.tmp-'))
      .map((f) => path.relative(this.dir, f).split(path.sep).join('/'))
      .sort();
  }

  // ---- changing ---------------------------------------------------------------------

  /** Adds (or replaces with new bytes, refused) a target; targets, snapshot and timestamp move on one version. */
  addTarget(name: string, bytes: Buffer, custom?: SoftwareTargetCustom): TargetFile {
    const file = path.join(this.targetsDir, ...name.split('/'));
    const targets = this.targets();
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const existing = targets.signed.targets[name];
    if (existing && existing.hashes.sha256 !== sha256)
      throw new SoftwareRepositoryError(
        'SOFTWARE_TARGET_EXISTS',
        `target ${name} is already published with other bytes: publish a new version (a new name)`,
      );
    writeAtomic(file, bytes);
    const target = new TargetFile({
      path: name,
      length: bytes.length,
      hashes: { sha256 },
      ...(custom ? { unrecognizedFields: { custom: custom as unknown as Record<string, string> } } : {}),
    });
    const next = new Targets({
      version: targets.signed.version + 1,
      specVersion: SPEC_VERSION,
      expires: this.expiry('targets'),
      targets: { ...targets.signed.targets, [name]: target },
    });
    this.signAndWrite(new Metadata(next), [this.roleKeys().targets], 'targets');
    this.writeSnapshotAndTimestamp();
    return target;
  }

  /** New expiry dates without changes (the timestamp is re-signed often; a stale one is refused aboard). */
  refresh(): void {
    const targets = this.targets();
    this.signAndWrite(
      new Metadata(
        new Targets({
          version: targets.signed.version + 1,
          specVersion: SPEC_VERSION,
          expires: this.expiry('targets'),
          targets: targets.signed.targets,
        }),
      ),
      [this.roleKeys().targets],
      'targets',
    );
    this.writeSnapshotAndTimestamp();
  }

  /**
   * Replaces a role's key (revoking the old one) through a new root. Root N+1 is signed by the
   * root key(s) of N (so aircraft that trust N accept it) and by N+1's own; the role's metadata
   * is re-signed with the new key. Returns the old key id, now revoked.
   */
  rotateKey(role: RoleName): { revoked: string; added: string; rootVersion: number } {
    if (!ROLES.includes(role)) throw new SoftwareRepositoryError('SOFTWARE_ROLE_UNKNOWN', `no role ${role}`);
    const roles = this.roleKeys();
    const old = roles[role];
    const added = this.newKey();
    roles[role] = added;
    const current = this.root();
    const next = new Root({
      version: current.signed.version + 1,
      specVersion: SPEC_VERSION,
      expires: this.expiry('root'),
      consistentSnapshot: false,
    });
    for (const r of ROLES) next.addKey(this.keyOf(roles[r]!), r);
    const signers = role === 'root' ? [old, added] : [roles.root];
    this.signAndWrite(new Metadata(next), signers, 'root');
    writeAtomic(this.rolesFile, JSON.stringify(roles, null, 2));
    this.refresh();
    return { revoked: old, added, rootVersion: next.version };
  }

  // ---- internals --------------------------------------------------------------------

  private get rolesFile(): string {
    return path.join(this.dir, 'keys', 'roles.json');
  }

  private newKey(): string {
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const id = publicKeyOf(pem).keyID;
    writeAtomic(path.join(this.dir, 'keys', `${id}.pem`), pem, 0o600);
    return id;
  }

  private privatePem(keyId: string): string {
    return fs.readFileSync(path.join(this.dir, 'keys', `${keyId}.pem`), 'utf8');
  }

  private keyOf(keyId: string): Key {
    return publicKeyOf(this.privatePem(keyId));
  }

  private expiry(role: RoleName): string {
    // TUF wants whole seconds: 2026-12-01T00:00:00Z
    return new Date(this.now().getTime() + this.expiryDays[role] * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private readJson(name: string): Record<string, never> {
    return JSON.parse(fs.readFileSync(path.join(this.metadataDir, `${name}.json`), 'utf8'));
  }

  private signAndWrite(metadata: AnyMetadata, keyIds: string[], name: RoleName): void {
    metadata.signatures = {};
    for (const id of keyIds) metadata.sign(signerOf(this.privatePem(id)));
    const text = JSON.stringify(metadata.toJSON(), null, 1);
    if (name === 'root') writeAtomic(path.join(this.metadataDir, `${metadata.signed.version}.root.json`), text);
    writeAtomic(path.join(this.metadataDir, `${name}.json`), text);
  }

  private writeSnapshotAndTimestamp(): void {
    const roles = this.roleKeys();
    const targetsVersion = this.targets().signed.version;
    const previous = fs.existsSync(path.join(this.metadataDir, 'snapshot.json')) ? this.snapshot().signed.version : 0;
    const snapshot = new Metadata(
      new Snapshot({
        version: previous + 1,
        specVersion: SPEC_VERSION,
        expires: this.expiry('snapshot'),
        meta: { 'targets.json': new MetaFile({ version: targetsVersion }) },
      }),
    );
    this.signAndWrite(snapshot, [roles.snapshot], 'snapshot');
    const previousTs = fs.existsSync(path.join(this.metadataDir, 'timestamp.json'))
      ? this.timestamp().signed.version
      : 0;
    const timestamp = new Metadata(
      new Timestamp({
        version: previousTs + 1,
        specVersion: SPEC_VERSION,
        expires: this.expiry('timestamp'),
        snapshotMeta: new MetaFile({ version: snapshot.signed.version }),
      }),
    );
    this.signAndWrite(timestamp, [roles.timestamp], 'timestamp');
  }
}

/** For tests and for an airline's tooling: sign arbitrary metadata with one of the repository's keys. */
export function signWithRepositoryKey(repo: SoftwareRepository, metadata: AnyMetadata, keyId: string): void {
  metadata.sign(signerOf(fs.readFileSync(path.join(repo.dir, 'keys', `${keyId}.pem`), 'utf8')));
}
