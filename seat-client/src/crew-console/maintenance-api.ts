/**
 * The maintenance screen's calls to the appliance (GET/POST under /api/crew/sync). The bundle
 * upload uses XMLHttpRequest: fetch reports no upload progress, and a bundle can be large.
 */

import type { SyncOverview } from '@ifec/protocol';
import {
  BUNDLE_SUMMARY_HEADER,
  type DownlinkImportSummary,
  maintenancePaths,
  type SyncHistoryEntry,
  type UplinkExportSummary,
} from '@ifec/protocol';
import { ApiError } from '../api/api-client.ts';

export interface ExportedBundle {
  summary: UplinkExportSummary;
  file: Blob;
  fileName: string;
}

export class MaintenanceApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string | undefined,
  ) {}

  overview(): Promise<SyncOverview> {
    return this.json('GET', maintenancePaths.sync);
  }

  async history(): Promise<SyncHistoryEntry[]> {
    return (await this.json<{ history: SyncHistoryEntry[] }>('GET', maintenancePaths.history)).history;
  }

  syncNow(): Promise<unknown> {
    return this.json('POST', maintenancePaths.syncNow);
  }

  async exportBundle(): Promise<ExportedBundle> {
    const res = await fetch(new URL(maintenancePaths.exportBundle, this.baseUrl), {
      method: 'POST',
      headers: this.auth(),
    });
    if (!res.ok) throw await errorOf(res);
    const summary = JSON.parse(res.headers.get(BUNDLE_SUMMARY_HEADER) ?? 'null') as UplinkExportSummary;
    return { summary, file: await res.blob(), fileName: summary.file };
  }

  /** Uploads a downlink bundle; `onProgress(sent, total)` follows the upload itself. */
  importBundle(
    file: Blob,
    onProgress: (sent: number, total: number) => void,
  ): Promise<{ imported: DownlinkImportSummary; message: string }> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', new URL(maintenancePaths.importBundle, this.baseUrl).toString());
      for (const [k, v] of Object.entries(this.auth())) xhr.setRequestHeader(k, v);
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () => reject(new ApiError(0, 'UNREACHABLE', 'The appliance is not reachable.'));
      xhr.onload = () => {
        let body: { imported?: DownlinkImportSummary; message?: string; error?: { code: string; message: string } } =
          {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          /* not JSON */
        }
        if (xhr.status >= 200 && xhr.status < 300 && body.imported)
          resolve({ imported: body.imported, message: body.message ?? '' });
        else
          reject(
            new ApiError(xhr.status, body.error?.code ?? `HTTP_${xhr.status}`, body.error?.message ?? xhr.statusText),
          );
      };
      xhr.send(file);
    });
  }

  private auth(): Record<string, string> {
    const token = this.token();
    return token ? { authorization: `Bearer ${token}` } : {};
  }

  private async json<T>(method: string, path: string): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), { method, headers: this.auth() });
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as T;
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  return new ApiError(res.status, body.error?.code ?? `HTTP_${res.status}`, body.error?.message ?? res.statusText);
}
