/**
 * The update transport over the cabin network: HTTP to the appliance as protocol/src/updates.ts
 * describes a seat unit's steps. It logs in as the kiosk does (POST replicationPaths.seatLogin
 * with the provisioned seat id and secret), polls the assignment, downloads the bundle (Range
 * resumes a cut download; length and sha256 checked) and sends the reports. Every answer is
 * parsed with the protocol's schema; every request has a timeout; answers have a size limit.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  replicationPaths,
  type SeatLoginResponse,
  type UnitReport,
  type UnitReportAnswer,
  type UpdateAssignment,
  unitReportAnswer,
  updateAssignment,
  updatesPaths,
} from '@ifec/protocol';
import { z } from 'zod';
import type { UpdateTarget, UpdateTransport } from './update-agent.ts';

export type CabinTransportErrorCode =
  /** The appliance could not be reached (network down, refused). */
  | 'CABIN_UNREACHABLE'
  /** No answer in time. */
  | 'CABIN_TIMEOUT'
  /** The appliance answered with an error status (its error code in `status`/message). */
  | 'CABIN_REFUSED'
  /** An answer that is not the protocol's (bad JSON, wrong shape, too large). */
  | 'CABIN_BAD_ANSWER'
  /** The seat id and secret were refused. */
  | 'CABIN_LOGIN_REFUSED'
  /** The bundle's bytes are not what the assignment said (length or sha256). */
  | 'BUNDLE_LENGTH'
  | 'BUNDLE_CHECKSUM';

export class CabinTransportError extends Error {
  constructor(
    readonly code: CabinTransportErrorCode,
    message: string,
    /** The HTTP status, when the appliance answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The unit's identity file (/etc/ifec/seat-unit.json, as the kiosk reads it). */
export const unitIdentity = z.object({
  seatId: z.string().min(1).max(16),
  secret: z.string().min(8).max(200),
  applianceUrl: z
    .string()
    .url()
    .refine((u) => /^https?:$/.test(new URL(u).protocol), 'http or https'),
});
export type UnitIdentity = z.infer<typeof unitIdentity>;

export const CABIN_LIMITS = {
  /** Assignment, report answer, login: small JSON. */
  maxJsonBytes: 64 * 1024,
  /** A bundle larger than this is refused whatever the assignment says. */
  maxBundleBytes: 4 * 1024 ** 3,
  /** One JSON request. */
  requestTimeoutMs: 15_000,
  /** No byte of the bundle for this long: the download is cut (and resumed next time). */
  downloadStallMs: 30_000,
} as const;

export interface CabinTransportOptions {
  identity: UnitIdentity;
  limits?: Partial<typeof CABIN_LIMITS>;
  fetch?: typeof fetch;
}

export class CabinTransport implements UpdateTransport {
  readonly decidesRollback = true;
  private token: string | undefined;
  private readonly limits: typeof CABIN_LIMITS;
  private readonly base: URL;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: CabinTransportOptions) {
    this.limits = { ...CABIN_LIMITS, ...options.limits };
    this.base = new URL(new URL(options.identity.applianceUrl).origin);
    this.fetch = options.fetch ?? fetch;
  }

  /** Reads and checks the identity file; the error names the key at fault. */
  static identityFromFile(file: string): UnitIdentity {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    const parsed = unitIdentity.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return parsed.data;
  }

  async assignment(): Promise<UpdateAssignment> {
    return this.call('GET', updatesPaths.assignment, undefined, updateAssignment);
  }

  async report(report: UnitReport): Promise<UnitReportAnswer> {
    return this.call('POST', updatesPaths.report, report, unitReportAnswer);
  }

  /** Downloads to `file`, resuming what a cut download left there; checks length and sha256. */
  async download(target: UpdateTarget, file: string): Promise<void> {
    if (target.length > this.limits.maxBundleBytes)
      throw new CabinTransportError('BUNDLE_LENGTH', `bundle of ${target.length} bytes is over the unit's limit`);
    const url = this.sameOrigin(target.url);
    let have = 0;
    try {
      have = fs.statSync(file).size;
    } catch {}
    if (have > target.length) {
      fs.rmSync(file, { force: true });
      have = 0;
    }
    const hash = crypto.createHash('sha256');
    if (have > 0)
      await new Promise<void>((resolve, reject) => {
        fs.createReadStream(file)
          .on('data', (c) => hash.update(c))
          .on('end', resolve)
          .on('error', reject);
      });
    if (have < target.length) {
      const range: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
      this.token ??= await this.login();
      let res = await this.send('GET', url, undefined, range, true);
      if (res.status === 401) {
        // The token is no longer taken (the appliance restarted): log in again, once.
        await res.body?.cancel().catch(() => {});
        this.token = await this.login();
        res = await this.send('GET', url, undefined, range, true);
      }
      if (res.status === 200 && have > 0) {
        // The appliance ignored the range: start over from an empty file (no range the second time).
        await res.body?.cancel().catch(() => {});
        fs.rmSync(file, { force: true });
        return this.download(target, file);
      }
      if (res.status !== 200 && res.status !== 206) throw await this.refusal(res, 'download');
      const fd = fs.openSync(file, have > 0 ? 'a' : 'w', 0o600);
      const stall = new AbortController();
      let timer = setTimeout(() => stall.abort(), this.limits.downloadStallMs);
      try {
        const reader = res.body!.getReader();
        stall.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (error) {
            if (stall.signal.aborted)
              throw new CabinTransportError('CABIN_TIMEOUT', `no bundle bytes for ${this.limits.downloadStallMs} ms`);
            throw new CabinTransportError('CABIN_UNREACHABLE', `download cut: ${(error as Error).message}`);
          }
          const { done, value } = chunk;
          if (stall.signal.aborted)
            throw new CabinTransportError('CABIN_TIMEOUT', `no bundle bytes for ${this.limits.downloadStallMs} ms`);
          if (done) break;
          clearTimeout(timer);
          timer = setTimeout(() => stall.abort(), this.limits.downloadStallMs);
          have += value.length;
          if (have > target.length) {
            await reader.cancel().catch(() => {});
            fs.closeSync(fd);
            fs.rmSync(file, { force: true });
            throw new CabinTransportError(
              'BUNDLE_LENGTH',
              `the appliance sent more than the ${target.length} bytes assigned`,
            );
          }
          fs.writeSync(fd, value);
          hash.update(value);
        }
        fs.fsyncSync(fd);
      } finally {
        clearTimeout(timer);
        try {
          fs.closeSync(fd);
        } catch {}
      }
    }
    if (have !== target.length)
      throw new CabinTransportError(
        'BUNDLE_LENGTH',
        `bundle cut at ${have} of ${target.length} bytes (resumed next time)`,
      );
    const sha256 = hash.digest('hex');
    if (sha256 !== target.sha256) {
      fs.rmSync(file, { force: true });
      throw new CabinTransportError(
        'BUNDLE_CHECKSUM',
        `bundle sha256 ${sha256.slice(0, 12)}… is not the assigned ${target.sha256.slice(0, 12)}…`,
      );
    }
  }

  /** The assignment names a path on the appliance; a full URL elsewhere is refused. */
  private sameOrigin(pathOrUrl: string): URL {
    const url = new URL(pathOrUrl, this.base);
    if (url.origin !== this.base.origin)
      throw new CabinTransportError('CABIN_BAD_ANSWER', `bundle URL ${url.origin} is not the appliance's`);
    return url;
  }

  private async login(): Promise<string> {
    const { seatId, secret } = this.options.identity;
    const res = await this.send('POST', new URL(replicationPaths.seatLogin, this.base), { seatId, secret }, {}, false);
    if (res.status === 401 || res.status === 403)
      throw new CabinTransportError(
        'CABIN_LOGIN_REFUSED',
        `seat ${seatId}: the appliance refused its secret`,
        res.status,
      );
    if (!res.ok) throw await this.refusal(res, 'seat login');
    const body = (await this.json(res)) as Partial<SeatLoginResponse>;
    if (typeof body?.token !== 'string' || body.token.length === 0 || body.token.length > 4096)
      throw new CabinTransportError('CABIN_BAD_ANSWER', 'seat login answered without a token');
    return body.token;
  }

  private async call<T>(method: 'GET' | 'POST', p: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.token ??= await this.login();
      const res = await this.send(method, new URL(p, this.base), body, {}, true);
      // An expired token (or an appliance restarted): log in again, once.
      if (res.status === 401 && attempt === 0) {
        this.token = undefined;
        await res.body?.cancel().catch(() => {});
        continue;
      }
      if (!res.ok) throw await this.refusal(res, `${method} ${p}`);
      const parsed = schema.safeParse(await this.json(res));
      if (!parsed.success)
        throw new CabinTransportError(
          'CABIN_BAD_ANSWER',
          `${method} ${p}: ${parsed.error.issues[0]?.message ?? 'not the protocol'}`,
        );
      return parsed.data;
    }
  }

  private async send(
    method: string,
    url: URL,
    body: unknown,
    headers: Record<string, string>,
    auth: boolean,
  ): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.limits.requestTimeoutMs);
    try {
      return await this.fetch(url, {
        method,
        signal: controller.signal,
        headers: {
          ...headers,
          ...(auth && this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      if (controller.signal.aborted)
        throw new CabinTransportError(
          'CABIN_TIMEOUT',
          `${method} ${url.pathname}: no answer in ${this.limits.requestTimeoutMs} ms`,
        );
      throw new CabinTransportError('CABIN_UNREACHABLE', `${method} ${url.pathname}: ${(error as Error).message}`);
    } finally {
      // Headers came: the body has its own limits (size for JSON, stall for bundles).
      clearTimeout(timer);
    }
  }

  /** Reads a JSON answer of at most maxJsonBytes. */
  private async json(res: Response): Promise<unknown> {
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > this.limits.maxJsonBytes) {
      await res.body?.cancel().catch(() => {});
      throw new CabinTransportError(
        'CABIN_BAD_ANSWER',
        `answer of ${declared} bytes is over ${this.limits.maxJsonBytes}`,
      );
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body!.getReader();
    const timer = setTimeout(() => void reader.cancel().catch(() => {}), this.limits.requestTimeoutMs);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > this.limits.maxJsonBytes) {
          await reader.cancel().catch(() => {});
          throw new CabinTransportError('CABIN_BAD_ANSWER', `answer over ${this.limits.maxJsonBytes} bytes`);
        }
        chunks.push(value);
      }
    } finally {
      clearTimeout(timer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new CabinTransportError('CABIN_BAD_ANSWER', 'answer is not JSON');
    }
  }

  private async refusal(res: Response, what: string): Promise<CabinTransportError> {
    let code = '';
    let message = '';
    try {
      const body = (await this.json(res)) as { error?: { code?: string; message?: string } };
      code = String(body?.error?.code ?? '').slice(0, 64);
      message = String(body?.error?.message ?? '').slice(0, 200);
    } catch {}
    return new CabinTransportError('CABIN_REFUSED', `${what}: ${res.status} ${code} ${message}`.trim(), res.status);
  }
}
