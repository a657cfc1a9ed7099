/**
 * What the ground publishes to this aircraft (policies, price lists, deny lists, software,
 * content loads), whichever way it came (HTTP or a USB bundle). Each publication is checked
 * against the ground's key before it is kept; files are kept by sha256, downloaded resumably,
 * and checked again before a content load is handed to the media domain for activation.
 * Other domains read the latest version of a kind with `latest()`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IfecError, type Publication, type PublicationKind, publication as publicationSchema } from '@ifec/protocol';
import { publicKeyFingerprint, verifyBlock } from '@ifec/protocol/node';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';

export class PublicationRefused extends IfecError<
  'PUBLICATION_SIGNATURE' | 'PUBLICATION_INVALID' | 'PUBLICATION_WRONG_AIRCRAFT'
> {}

/** `ready` is what file-less publications were called before they went `active` on arrival. */
export type PublicationState = 'ready' | 'needs-files' | 'active' | 'refused';

export interface ActivatedPublication {
  seq: number;
  kind: string;
  name: string;
  version: number;
  state: PublicationState;
  reason?: string;
}

export interface PublicationsOptions {
  store: Store;
  groundKey: crypto.KeyObject | undefined;
  aircraftId: string;
  /** `<dataDir>/sync`: files/<sha256> and staging/ live here. */
  dir: string;
  /** Hands a verified content load directory to the media domain; undefined = keep it ready only. */
  installContentLoad?: (dir: string) => Promise<unknown>;
  log: Logger;
}

export class GroundPublications {
  private readonly filesDir: string;

  constructor(private readonly options: PublicationsOptions) {
    this.filesDir = path.join(options.dir, 'files');
    fs.mkdirSync(this.filesDir, { recursive: true });
  }

  /**
   * Checks and keeps publications in seq order; refuses all on the first bad one. A
   * publication without files is in effect at once (`active`: `latest()` serves it); one with
   * files waits for them (`needs-files`, then `activateReady`). Returns the highest seq kept
   * and the publications new to this aircraft (a re-sent one is kept once).
   */
  async accept(items: unknown[]): Promise<{ highest: number; added: ActivatedPublication[] }> {
    const key = this.options.groundKey;
    if (!key)
      throw new PublicationRefused(
        'PUBLICATION_SIGNATURE',
        'no ground public key is configured (IFEC_GROUND_PUBLIC_KEY): cannot trust anything from the ground',
      );
    const checked: Publication[] = [];
    for (const item of items) {
      const parsed = publicationSchema.safeParse(item);
      if (!parsed.success)
        throw new PublicationRefused(
          'PUBLICATION_INVALID',
          `publication is not valid: ${parsed.error.issues[0]?.message}`,
        );
      const p = parsed.data;
      if (!verifyBlock(p, key))
        throw new PublicationRefused(
          'PUBLICATION_SIGNATURE',
          `publication ${p.seq} (${p.kind} ${p.name}) is not signed by the ground key this aircraft trusts (IFEC_GROUND_PUBLIC_KEY, fingerprint ${publicKeyFingerprint(key).slice(0, 16)}…)`,
        );
      if (p.aircraftId && p.aircraftId !== this.options.aircraftId)
        throw new PublicationRefused('PUBLICATION_WRONG_AIRCRAFT', `publication ${p.seq} is for ${p.aircraftId}`);
      checked.push(p);
    }
    let highest = 0;
    const added: ActivatedPublication[] = [];
    await this.options.store.write(async (tx) => {
      for (const p of checked) {
        const state: PublicationState = p.files.length ? 'needs-files' : 'active';
        const { rows } = await tx.query<{ seq: number }>(
          'INSERT INTO ground_publications (seq, kind, name, version, publication, state) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING RETURNING seq',
          [p.seq, p.kind, p.name, p.version, JSON.stringify(p), state],
        );
        if (rows.length) added.push({ seq: p.seq, kind: p.kind, name: p.name, version: p.version, state });
        highest = Math.max(highest, p.seq);
      }
    });
    return { highest, added };
  }

  /** The newest version of a kind (and name): what the domains use. */
  async latest(kind: PublicationKind, name?: string): Promise<Publication | undefined> {
    const { rows } = await this.options.store.query<{ publication: Publication }>(
      `SELECT publication FROM ground_publications WHERE kind = $1 AND ($2::text IS NULL OR name = $2) AND state IN ('ready', 'active')
       ORDER BY version DESC, seq DESC LIMIT 1`,
      [kind, name ?? null],
    );
    return rows[0]?.publication;
  }

  async list(): Promise<{ seq: number; kind: string; name: string; version: number; state: string }[]> {
    const { rows } = await this.options.store.query<{
      seq: number;
      kind: string;
      name: string;
      version: number;
      state: string;
    }>('SELECT seq::int AS seq, kind, name, version, state FROM ground_publications ORDER BY seq');
    return rows;
  }

  /** Publications still waiting for files, with what is missing. */
  async waitingForFiles(): Promise<{ publication: Publication; missing: Publication['files'] }[]> {
    const { rows } = await this.options.store.query<{ publication: Publication }>(
      "SELECT publication FROM ground_publications WHERE state = 'needs-files' ORDER BY seq",
    );
    return rows.map((r) => ({
      publication: r.publication,
      missing: r.publication.files.filter((f) => !this.hasFile(f.sha256)),
    }));
  }

  hasFile(sha256: string): boolean {
    return fs.existsSync(this.fileOf(sha256));
  }

  partFileOf(sha256: string): string {
    return `${this.fileOf(sha256)}.part`;
  }

  /** Checks a finished download and moves it into place; a wrong one is deleted and fetched again. */
  adoptPart(sha256: string, size: number): boolean {
    const part = this.partFileOf(sha256);
    if (!fs.existsSync(part) || fs.statSync(part).size < size) return false;
    const actual = crypto.createHash('sha256').update(fs.readFileSync(part)).digest('hex');
    if (actual !== sha256 || fs.statSync(part).size !== size) {
      fs.rmSync(part, { force: true });
      throw new PublicationRefused(
        'PUBLICATION_INVALID',
        `downloaded file ${sha256.slice(0, 12)}… does not match its sha256; discarded`,
      );
    }
    fs.renameSync(part, this.fileOf(sha256));
    return true;
  }

  /** A file from a bundle (already checked against the signed bundle header). */
  adoptBytes(sha256: string, bytes: Buffer): void {
    if (crypto.createHash('sha256').update(bytes).digest('hex') !== sha256)
      throw new PublicationRefused('PUBLICATION_INVALID', `file ${sha256.slice(0, 12)}… does not match its sha256`);
    fs.writeFileSync(this.partFileOf(sha256), bytes);
    fs.renameSync(this.partFileOf(sha256), this.fileOf(sha256));
  }

  /** Activates every publication whose files are all here; content loads go to the media domain. */
  async activateReady(): Promise<ActivatedPublication[]> {
    const results: ActivatedPublication[] = [];
    for (const { publication: p, missing } of await this.waitingForFiles()) {
      if (missing.length) continue;
      let state: PublicationState = 'active';
      let reason: string | undefined;
      if (p.kind === 'content-load' && this.options.installContentLoad) {
        const staging = path.join(this.options.dir, 'staging', `${p.seq}`);
        fs.rmSync(staging, { recursive: true, force: true });
        for (const f of p.files) {
          const to = path.join(staging, f.path);
          fs.mkdirSync(path.dirname(to), { recursive: true });
          fs.linkSync(this.fileOf(f.sha256), to);
        }
        try {
          await this.options.installContentLoad(staging);
        } catch (error) {
          state = 'refused';
          reason = (error as Error).message;
          this.options.log.error({ seq: p.seq, name: p.name, err: reason }, 'content load from the ground refused');
        } finally {
          fs.rmSync(staging, { recursive: true, force: true });
        }
      }
      await this.options.store.write((tx) =>
        tx.query('UPDATE ground_publications SET state = $2 WHERE seq = $1', [p.seq, state]),
      );
      results.push({
        seq: p.seq,
        kind: p.kind,
        name: p.name,
        version: p.version,
        state,
        ...(reason ? { reason } : {}),
      });
    }
    return results;
  }

  private fileOf(sha256: string): string {
    return path.join(this.filesDir, sha256);
  }
}
