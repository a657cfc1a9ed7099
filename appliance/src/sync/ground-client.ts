/**
 * The aircraft's HTTP client for one ground link. Signs every request with the aircraft key,
 * counts the bytes it moves (the satcom budget), and downloads files resumably with Range.
 */
import type crypto from 'node:crypto';
import fs from 'node:fs';
import {
  apiErrorBody,
  type DownlinkPage,
  downlinkPage,
  type ErrorCode,
  IfecError,
  type LinkKind,
  parseJson,
  type StreamCheckpoint,
  type UplinkAck,
  uplinkAck,
} from '@ifec/protocol';
import { signAircraftRequest } from '@ifec/protocol/node';

export class GroundRequestError extends IfecError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(code, message);
  }
}

export interface GroundClientOptions {
  baseUrl: string;
  link: Exclude<LinkKind, 'none'>;
  aircraftId: string;
  privateKey: crypto.KeyObject;
  downlinkApplied: () => number;
  timeoutMs?: number;
  /** Aborted when the appliance stops: a pass in flight ends at once instead of at its timeout. */
  signal?: AbortSignal;
}

export class GroundClient {
  bytesSent = 0;
  bytesReceived = 0;

  constructor(private readonly options: GroundClientOptions) {}

  private abortable(timeoutMs: number): AbortSignal {
    const timeout = AbortSignal.timeout(timeoutMs);
    return this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
  }

  get link(): Exclude<LinkKind, 'none'> {
    return this.options.link;
  }

  /** Unauthenticated probe: is this link up at all? */
  async ping(timeoutMs = 3000): Promise<boolean> {
    try {
      const res = await fetch(`${this.options.baseUrl}/v1/ping`, { signal: this.abortable(timeoutMs) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }

  async checkpoint(): Promise<StreamCheckpoint> {
    const body = await this.call('GET', `/v1/aircraft/${this.options.aircraftId}/checkpoint`);
    return uplinkAck.parse(JSON.parse(body.toString('utf8'))).acked;
  }

  async sendBatch(bytes: Buffer): Promise<UplinkAck> {
    const body = await this.call('POST', `/v1/aircraft/${this.options.aircraftId}/batches`, bytes);
    return uplinkAck.parse(JSON.parse(body.toString('utf8')));
  }

  async downlink(after: number): Promise<DownlinkPage> {
    const body = await this.call('GET', `/v1/aircraft/${this.options.aircraftId}/downlink?after=${after}`);
    return downlinkPage.parse(JSON.parse(body.toString('utf8')));
  }

  /** Appends to `partFile` from where it stopped (Range) until it holds `size` bytes. */
  async downloadFile(sha256: string, partFile: string, size: number): Promise<void> {
    const have = fs.existsSync(partFile) ? fs.statSync(partFile).size : 0;
    if (have >= size) return;
    const path = `/v1/aircraft/${this.options.aircraftId}/files/${sha256}`;
    const res = await fetch(`${this.options.baseUrl}${path}`, {
      headers: { ...this.headers('GET', path), range: `bytes=${have}-` },
      signal: this.abortable(this.options.timeoutMs ?? 120_000),
    });
    if (res.status !== 206 && res.status !== 200)
      throw new GroundRequestError(
        'FILE_DOWNLOAD_FAILED',
        `GET ${path}: ${res.status} ${await res.text()}`,
        res.status,
      );
    // A 200 means the ground ignored the range: start over rather than append the whole file.
    const out = fs.createWriteStream(partFile, { flags: res.status === 206 ? 'a' : 'w' });
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        this.bytesReceived += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
    } finally {
      await new Promise<void>((resolve) => out.end(() => resolve()));
    }
  }

  private headers(method: string, path: string, body?: Buffer): Record<string, string> {
    return {
      authorization: signAircraftRequest(this.options.aircraftId, this.options.privateKey, method, path, body),
      'x-ifec-link': this.options.link,
      'x-ifec-downlink-applied': String(this.options.downlinkApplied()),
    };
  }

  private async call(method: 'GET' | 'POST', path: string, body?: Buffer): Promise<Buffer> {
    let res: Response;
    try {
      res = await fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers: {
          ...this.headers(method, path, body),
          ...(body ? { 'content-type': 'application/octet-stream' } : {}),
        },
        body: body ? new Uint8Array(body) : undefined,
        signal: this.abortable(this.options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new GroundRequestError(
        'LINK_FAILED',
        `${method} ${path}: ${(error as Error).message}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`,
      );
    }
    this.bytesSent += body?.length ?? 0;
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (error) {
      throw new GroundRequestError('LINK_FAILED', `${method} ${path}: response cut: ${(error as Error).message}`);
    }
    this.bytesReceived += bytes.length;
    if (!res.ok) {
      let code = `HTTP_${res.status}` as ErrorCode;
      let message = bytes.toString('utf8').slice(0, 300);
      const answer = parseJson(apiErrorBody, message);
      if (answer.ok) ({ code, message } = answer.value.error as { code: ErrorCode; message: string });
      throw new GroundRequestError(code, `${method} ${path}: ${res.status} ${code}: ${message}`, res.status);
    }
    return bytes;
  }
}
