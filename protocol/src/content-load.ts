/**
 * Signing and verifying a content load (layout in content.ts). The ground signs; the aircraft
 * calls verifyContentLoad before mounting a load and refuses it if any problem comes back.
 * Uses only node:fs and node:crypto so the appliance and the ground can both run it.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  type ContentLoad,
  contentLoad,
  LOAD_FILE,
  LOAD_PACKAGES_DIR,
  type LoadSignature,
  PACKAGE_MANIFEST_FILE,
  type TitleManifest,
  titleManifest,
  type UnsignedContentLoad,
} from './content.ts';
import { describeIssues } from './errors.ts';
import { type RecoModel, recoModel } from './recommendations.ts';

export type ContentLoadProblemCode =
  | 'LOAD_MISSING'
  | 'LOAD_INVALID'
  | 'LOAD_EXPIRED'
  /** Older than the load the aircraft already runs (replay of an old, still-signed load). */
  | 'LOAD_ROLLBACK'
  | 'SIGNATURE_UNTRUSTED'
  | 'SIGNATURE_INVALID'
  | 'MANIFEST_MISSING'
  | 'MANIFEST_CHECKSUM'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_MISMATCH'
  | 'FILE_MISSING'
  | 'FILE_SIZE'
  | 'FILE_CHECKSUM'
  /** A symlink or special file in the served tree: the origin could be led outside the load. */
  | 'FILE_UNSAFE'
  /** A file in the served tree that no manifest lists: nothing unverified may be served. */
  | 'FILE_UNLISTED'
  | 'KEY_MISSING'
  | 'KEY_CHECKSUM'
  | 'LICENCE_EXPIRED'
  | 'LICENCE_NOT_OPEN'
  | 'RECO_MODEL_MISSING'
  | 'RECO_MODEL_CHECKSUM'
  | 'RECO_MODEL_INVALID';

export interface ContentLoadProblem {
  code: ContentLoadProblemCode;
  /** One line a person can act on, naming the file or title. */
  message: string;
  titleId?: string;
  path?: string;
}

/** JSON with object keys sorted at every level: the bytes that are signed. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export type KeyInput = string | crypto.KeyObject;

function toPublicKey(key: KeyInput): crypto.KeyObject {
  if (typeof key !== 'string') return key.type === 'private' ? crypto.createPublicKey(key) : key;
  return crypto.createPublicKey(key);
}

/** sha256 of the public key's SPKI DER, hex: the `signature.keyId` of a load. */
export function publicKeyFingerprint(key: KeyInput): string {
  const der = toPublicKey(key).export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('hex');
}

export function generateSigningKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function signContentLoad(load: UnsignedContentLoad, privateKeyPem: KeyInput): ContentLoad {
  const privateKey = typeof privateKeyPem === 'string' ? crypto.createPrivateKey(privateKeyPem) : privateKeyPem;
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`a content load is signed with an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  const value = crypto.sign(null, Buffer.from(canonicalJson(load)), privateKey).toString('base64');
  const signature: LoadSignature = { alg: 'Ed25519', keyId: publicKeyFingerprint(privateKey), value };
  return { ...load, signature };
}

/** Checks the signature only; null when good, else the problem. */
export function checkLoadSignature(load: ContentLoad, trustedPublicKeys: KeyInput[]): ContentLoadProblem | null {
  const trusted = trustedPublicKeys.map(toPublicKey).find((k) => publicKeyFingerprint(k) === load.signature.keyId);
  if (!trusted) {
    return {
      code: 'SIGNATURE_UNTRUSTED',
      message: `load ${load.id} is signed by key ${load.signature.keyId.slice(0, 16)}…, which is not a trusted key`,
      path: LOAD_FILE,
    };
  }
  const { signature, ...unsigned } = load;
  const ok = crypto.verify(null, Buffer.from(canonicalJson(unsigned)), trusted, Buffer.from(signature.value, 'base64'));
  return ok
    ? null
    : {
        code: 'SIGNATURE_INVALID',
        message: `load ${load.id}: the signature does not match load.json (tampered or re-signed)`,
        path: LOAD_FILE,
      };
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function join(dir: string, rel: string): string {
  return `${dir.replace(/\/+$/, '')}/${rel}`;
}

function exists(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Everything under packages/ that is a symlink, or a file no manifest lists. */
function strayFiles(dir: string, load: ContentLoad): ContentLoadProblem[] {
  const listed = new Set<string>();
  const packageDirs = new Set(load.packages.map((p) => p.path));
  for (const entry of load.packages) {
    listed.add(`${entry.path}/${PACKAGE_MANIFEST_FILE}`);
    try {
      const m = JSON.parse(fs.readFileSync(join(dir, `${entry.path}/${PACKAGE_MANIFEST_FILE}`), 'utf8')) as {
        files?: Array<{ path: string }>;
      };
      for (const f of m.files ?? []) listed.add(`${entry.path}/${f.path}`);
    } catch {
      // already reported as a missing or invalid manifest
    }
  }
  const problems: ContentLoadProblem[] = [];
  const visit = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = `${rel}/${e.name}`;
      if (e.isSymbolicLink() || !(e.isDirectory() || e.isFile())) {
        problems.push({
          code: 'FILE_UNSAFE',
          message: `${child} is a link or special file; the served tree holds regular files only`,
          path: child,
        });
      } else if (e.isDirectory()) {
        if (rel === LOAD_PACKAGES_DIR && !packageDirs.has(child))
          problems.push({ code: 'FILE_UNLISTED', message: `${child} is not a package of this load`, path: child });
        else visit(child);
      } else if (!listed.has(child)) {
        problems.push({ code: 'FILE_UNLISTED', message: `${child} is not listed in any manifest`, path: child });
      }
    }
  };
  visit(LOAD_PACKAGES_DIR);
  return problems;
}

export interface VerifiedContentLoad {
  load: ContentLoad | null;
  /** Parsed manifests of the packages whose manifest checksum matched. */
  manifests: TitleManifest[];
  /** The recommendation model, when the load lists one and it checked out. */
  recommendations: RecoModel | null;
  problems: ContentLoadProblem[];
}

/**
 * Reads and checks a whole load: schema, signature by one of the trusted keys, expiry, every
 * package manifest's sha256, every file's size and sha256, every key file, every licence window
 * at `now`. Empty problems = safe to mount. Checks everything it can rather than stopping at
 * the first problem so a person sees the whole picture.
 */
export interface VerifyOptions {
  /** The version of the load now active on this aircraft: an older one is refused. */
  activeVersion?: number;
}

export async function inspectContentLoad(
  dir: string,
  trustedPublicKeys: KeyInput[],
  now: Date,
  options: VerifyOptions = {},
): Promise<VerifiedContentLoad> {
  const problems: ContentLoadProblem[] = [];
  const manifests: TitleManifest[] = [];
  const loadFile = join(dir, LOAD_FILE);
  if (!exists(loadFile))
    return {
      load: null,
      manifests,
      recommendations: null,
      problems: [{ code: 'LOAD_MISSING', message: `${loadFile} is missing`, path: LOAD_FILE }],
    };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(loadFile, 'utf8'));
  } catch {
    return {
      load: null,
      manifests,
      recommendations: null,
      problems: [{ code: 'LOAD_INVALID', message: `${LOAD_FILE} is not valid JSON`, path: LOAD_FILE }],
    };
  }
  const parsed = contentLoad.safeParse(raw);
  if (!parsed.success)
    return {
      load: null,
      manifests,
      recommendations: null,
      problems: [{ code: 'LOAD_INVALID', message: `${LOAD_FILE}: ${describeIssues(parsed.error)}`, path: LOAD_FILE }],
    };
  const load = parsed.data;

  const signatureProblem = checkLoadSignature(load, trustedPublicKeys);
  if (signatureProblem) problems.push(signatureProblem);
  if (options.activeVersion !== undefined && load.version < options.activeVersion) {
    problems.push({
      code: 'LOAD_ROLLBACK',
      message: `load ${load.id} is version ${load.version}, older than the active version ${options.activeVersion}`,
      path: LOAD_FILE,
    });
  }
  if (Date.parse(load.expiresAt) <= now.getTime()) {
    problems.push({ code: 'LOAD_EXPIRED', message: `load ${load.id} expired at ${load.expiresAt}`, path: LOAD_FILE });
  }

  for (const key of load.keys) {
    const file = join(dir, key.path);
    if (!exists(file))
      problems.push({ code: 'KEY_MISSING', message: `key file ${key.path} is missing`, path: key.path });
    else if ((await sha256File(file)) !== key.sha256)
      problems.push({ code: 'KEY_CHECKSUM', message: `key file ${key.path}: checksum mismatch`, path: key.path });
  }

  for (const entry of load.packages) {
    const manifestPath = `${entry.path}/${PACKAGE_MANIFEST_FILE}`;
    const manifestFile = join(dir, manifestPath);
    if (!exists(manifestFile)) {
      problems.push({
        code: 'MANIFEST_MISSING',
        message: `title ${entry.id}: ${manifestPath} is missing`,
        titleId: entry.id,
        path: manifestPath,
      });
      continue;
    }
    if ((await sha256File(manifestFile)) !== entry.manifestSha256) {
      problems.push({
        code: 'MANIFEST_CHECKSUM',
        message: `title ${entry.id}: checksum mismatch in ${manifestPath}`,
        titleId: entry.id,
        path: manifestPath,
      });
      continue;
    }
    const manifest = titleManifest.safeParse(JSON.parse(fs.readFileSync(manifestFile, 'utf8')));
    if (!manifest.success) {
      problems.push({
        code: 'MANIFEST_INVALID',
        message: `title ${entry.id}: ${manifestPath}: ${describeIssues(manifest.error)}`,
        titleId: entry.id,
        path: manifestPath,
      });
      continue;
    }
    const m = manifest.data;
    if (m.id !== entry.id || m.keyId !== entry.keyId) {
      problems.push({
        code: 'MANIFEST_MISMATCH',
        message: `title ${entry.id}: manifest says id ${m.id}, key ${m.keyId}; load.json disagrees`,
        titleId: entry.id,
        path: manifestPath,
      });
    }
    if (!load.keys.some((k) => k.keyId === m.keyId)) {
      problems.push({
        code: 'KEY_MISSING',
        message: `title ${entry.id}: its key ${m.keyId} is not in the load`,
        titleId: entry.id,
      });
    }
    if (Date.parse(m.licence.end) <= now.getTime()) {
      problems.push({
        code: 'LICENCE_EXPIRED',
        message: `title ${entry.id}: licence window ended ${m.licence.end}`,
        titleId: entry.id,
      });
    } else if (Date.parse(m.licence.start) > now.getTime()) {
      problems.push({
        code: 'LICENCE_NOT_OPEN',
        message: `title ${entry.id}: licence window opens ${m.licence.start}`,
        titleId: entry.id,
      });
    }
    for (const f of m.files) {
      const rel = `${entry.path}/${f.path}`;
      const file = join(dir, rel);
      let size: number;
      try {
        const stat = fs.lstatSync(file);
        if (!stat.isFile()) {
          problems.push({
            code: 'FILE_UNSAFE',
            message: `title ${entry.id}: ${rel} is not a regular file`,
            titleId: entry.id,
            path: rel,
          });
          continue;
        }
        size = stat.size;
      } catch {
        problems.push({
          code: 'FILE_MISSING',
          message: `title ${entry.id}: ${rel} is missing`,
          titleId: entry.id,
          path: rel,
        });
        continue;
      }
      if (size !== f.size)
        problems.push({
          code: 'FILE_SIZE',
          message: `title ${entry.id}: ${rel} is ${size} bytes, expected ${f.size}`,
          titleId: entry.id,
          path: rel,
        });
      else if ((await sha256File(file)) !== f.sha256)
        problems.push({
          code: 'FILE_CHECKSUM',
          message: `title ${entry.id}: checksum mismatch in ${rel}`,
          titleId: entry.id,
          path: rel,
        });
    }
    manifests.push(m);
  }
  const recommendations = await checkRecoModel(dir, load, problems);
  problems.push(...strayFiles(dir, load));
  return { load, manifests, recommendations, problems };
}

/** The load's recommendation model, if it lists one: present, its sha256 as signed, its schema and version as listed. */
async function checkRecoModel(
  dir: string,
  load: ContentLoad,
  problems: ContentLoadProblem[],
): Promise<RecoModel | null> {
  const entry = load.recommendations;
  if (!entry) return null;
  const file = join(dir, entry.path);
  if (!exists(file)) {
    problems.push({
      code: 'RECO_MODEL_MISSING',
      message: `recommendation model ${entry.path} is missing`,
      path: entry.path,
    });
    return null;
  }
  if (fs.statSync(file).size !== entry.size || (await sha256File(file)) !== entry.sha256) {
    problems.push({
      code: 'RECO_MODEL_CHECKSUM',
      message: `recommendation model ${entry.path}: checksum mismatch`,
      path: entry.path,
    });
    return null;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    problems.push({
      code: 'RECO_MODEL_INVALID',
      message: `recommendation model ${entry.path} is not valid JSON`,
      path: entry.path,
    });
    return null;
  }
  const parsed = recoModel.safeParse(raw);
  if (!parsed.success || parsed.data.version !== entry.version) {
    const why = parsed.success
      ? `version ${parsed.data.version}, load.json says ${entry.version}`
      : describeIssues(parsed.error);
    problems.push({
      code: 'RECO_MODEL_INVALID',
      message: `recommendation model ${entry.path}: ${why}`,
      path: entry.path,
    });
    return null;
  }
  return parsed.data;
}

/** The list of precise problems with a load; empty means it may be mounted. */
export async function verifyContentLoad(
  dir: string,
  trustedPublicKeys: KeyInput[],
  now: Date,
  options: VerifyOptions = {},
): Promise<ContentLoadProblem[]> {
  return (await inspectContentLoad(dir, trustedPublicKeys, now, options)).problems;
}
