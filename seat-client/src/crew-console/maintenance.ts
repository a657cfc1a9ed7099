/**
 * The crew console's maintenance screen (maintenance and purser roles): the ground link in
 * words (state, backlog, last sync, next attempt, last error and what to do), "Sync now",
 * USB bundles both ways with their summaries and an upload progress bar, the history of
 * syncs and bundles, and this aircraft's public key to register on the ground.
 */
import './maintenance.css';
import type { SyncOverview } from '@ifec/protocol';
import {
  type DownlinkImportSummary,
  type SyncHistoryEntry,
  syncErrorInWords,
  type UplinkExportSummary,
} from '@ifec/protocol';
import { ApiError } from '../api/api-client.ts';
import { h, replace } from '../ui/dom.ts';
import type { MaintenanceApi } from './maintenance-api.ts';
import { type UpdatesApi, updatesPanel } from './updates-panel.ts';

const REFRESH_MS = 3000;

/** Roles that see the screen (the appliance checks again on every call). */
export const MAINTENANCE_ROLES: readonly string[] = ['maintenance', 'purser'];

const LINK_WORDS: Record<string, string> = {
  gate: 'Gate link (Wi-Fi or cellular): everything is sent',
  satcom: 'Satcom: only critical records (orders, audit, faults) are sent',
  none: 'No ground link answers',
};
const STATE_WORDS: Record<string, string> = {
  offline: 'Offline',
  uploading: 'Sending records to the ground',
  downloading: 'Receiving from the ground',
  idle: 'Up to date',
  'backing-off': 'Waiting to retry after a failure',
  'budget-exhausted': "This flight's satcom budget is used up; the rest waits for the gate",
};

function when(iso: string | null): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  const ago =
    Math.abs(s) < 90
      ? `${Math.abs(s)} s`
      : Math.abs(s) < 5400
        ? `${Math.round(Math.abs(s) / 60)} min`
        : `${Math.round(Math.abs(s) / 3600)} h`;
  return `${d.toLocaleString()} (${s >= 0 ? `${ago} ago` : `in ${ago}`})`;
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

function records(n: number): string {
  return `${n} record${n === 1 ? '' : 's'}`;
}

function range(r: UplinkExportSummary['critical']): string {
  return r.records ? `${r.records} (seq ${r.after + 1}–${r.through})` : 'none';
}

function facts(id: string, rows: [string, string | Node][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts', id },
    rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

export interface MaintenanceDeps {
  api: MaintenanceApi;
  /** Back to the seat map. */
  back(): void;
  /** The crew session ended (401): log in again. */
  loggedOut(): void;
  who: string;
  /** Software updates (maintenance role): the panel is shown when given. */
  updates?: UpdatesApi;
}

/** Renders the screen into `root`; returns a function that stops its refresh. */
export function showMaintenance(root: HTMLElement, deps: MaintenanceDeps): () => void {
  const { api } = deps;
  let overview: SyncOverview | undefined;
  let history: SyncHistoryEntry[] = [];
  let lastExport: UplinkExportSummary | undefined;
  let busy = false;
  const linkPanel = h('section', { class: 'panel', 'aria-labelledby': 'link-heading', id: 'maintenance-link' });
  const historyPanel = h('section', {
    class: 'panel history',
    'aria-labelledby': 'history-heading',
    id: 'maintenance-history',
  });
  const keyPanel = h('section', { class: 'panel', 'aria-labelledby': 'key-heading', id: 'maintenance-key' });
  const exportResult = h('div', { id: 'export-summary', role: 'status' });
  const importResult = h('div', { id: 'import-summary', role: 'status' });
  const progress = h('progress', {
    id: 'import-progress',
    max: 100,
    value: 0,
    'aria-label': 'Upload progress',
    hidden: true,
  });
  const progressText = h('span', { id: 'import-progress-text', class: 'muted', 'aria-live': 'polite' });
  const message = h('p', { class: 'message', role: 'status', id: 'maintenance-message' });

  const fail = (what: string, err: unknown): HTMLElement | undefined => {
    if (err instanceof ApiError && err.status === 401) {
      deps.loggedOut();
      return undefined;
    }
    const code = err instanceof ApiError ? err.code : '';
    const words = code ? syncErrorInWords(`${code}: ${(err as Error).message}`) : (err as Error).message;
    return h(
      'div',
      { class: 'refused', role: 'alert' },
      h('p', {}, h('strong', {}, `${what} refused`), code ? ` (${code})` : ''),
      h('p', {}, words ?? ''),
      words !== (err as Error).message ? h('p', { class: 'muted' }, (err as Error).message) : null,
    );
  };

  function renderLink(): void {
    if (!overview) return;
    const s = overview.status;
    const backlog = s.backlog.critical + s.backlog.bulk;
    replace(
      linkPanel,
      h('h2', { id: 'link-heading' }, 'Ground link'),
      facts('link-facts', [
        [
          'Link',
          overview.linksConfigured
            ? (LINK_WORDS[s.link] ?? s.link)
            : 'None configured (IFEC_GROUND_URL): USB bundles only',
        ],
        ['State', STATE_WORDS[s.state] ?? s.state],
        [
          'Waiting for the ground',
          backlog === 0
            ? 'nothing: the ground has every record'
            : `${records(backlog)} (${s.backlog.critical} critical, ${s.backlog.bulk} bulk)`,
        ],
        ['Last sync', when(s.lastContactAt)],
        ['Next attempt', overview.linksConfigured ? (s.nextAttemptAt ? when(s.nextAttemptAt) : 'now') : '—'],
        [
          'From the ground',
          overview.publications.length
            ? `${overview.publications.length} publications, applied through ${s.downlinkApplied}`
            : 'nothing yet',
        ],
      ]),
      overview.lastErrorInWords
        ? h(
            'div',
            { class: 'last-error', role: 'alert', id: 'last-error' },
            h('p', {}, h('strong', {}, 'Last error: '), overview.lastErrorInWords),
            h('p', { class: 'muted' }, s.lastError ?? ''),
          )
        : h('p', { class: 'muted', id: 'last-error' }, 'No error.'),
      h(
        'div',
        { class: 'buttons' },
        h(
          'button',
          {
            type: 'button',
            class: 'button primary',
            id: 'sync-now',
            disabled: !overview.linksConfigured,
            onClick: async () => {
              try {
                await api.syncNow();
                message.textContent = 'Sync requested.';
              } catch (err) {
                message.textContent = `Sync now: ${(err as Error).message}`;
              }
              void refresh();
            },
          },
          'Sync now',
        ),
      ),
    );
  }

  function renderKey(): void {
    if (!overview || keyPanel.childElementCount) return; // the key does not change: keep a selection alive
    const pem = h(
      'textarea',
      { id: 'public-key', readonly: true, rows: 4, spellcheck: 'false', 'aria-describedby': 'key-help' },
      overview.publicKey.trim(),
    );
    replace(
      keyPanel,
      h('h2', { id: 'key-heading' }, `Aircraft ${overview.aircraftId}: public key`),
      h(
        'p',
        { id: 'key-help' },
        'Register this key on the ground: save it to a file and run ',
        h('code', {}, `ifec-ground aircraft register <airline> ${overview.aircraftId} <file>`),
        '. It is the public half; the private key never leaves the aircraft.',
      ),
      h('p', { class: 'muted' }, `Fingerprint ${overview.publicKeyFingerprint.slice(0, 16)}…`),
      h('label', { for: 'public-key' }, 'Public key (PEM)'),
      pem,
      h(
        'div',
        { class: 'buttons' },
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            id: 'copy-key',
            onClick: async () => {
              pem.select();
              try {
                await navigator.clipboard.writeText(overview!.publicKey);
                message.textContent = 'Public key copied.';
              } catch {
                message.textContent = 'Select the key and copy it.';
              }
            },
          },
          'Copy key',
        ),
      ),
    );
  }

  function renderHistory(): void {
    replace(
      historyPanel,
      h('h2', { id: 'history-heading' }, 'History of syncs and bundles'),
      history.length === 0
        ? h('p', { class: 'muted' }, 'Nothing yet.')
        : h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'When'),
                h('th', { scope: 'col' }, 'What'),
                h('th', { scope: 'col' }, 'Result'),
              ),
            ),
            h(
              'tbody',
              {},
              history
                .slice(0, 20)
                .map((e) =>
                  h(
                    'tr',
                    { class: e.ok ? 'ok' : 'failed' },
                    h('td', {}, new Date(e.at).toLocaleString()),
                    h(
                      'td',
                      {},
                      `${e.kind === 'sync' ? 'Sync' : e.kind === 'bundle-export' ? 'Export to USB' : 'Import from USB'} · ${e.link}`,
                    ),
                    h(
                      'td',
                      {},
                      `${e.ok ? '✓' : '✗'} ${e.ok ? e.summary : (syncErrorInWords(e.summary) ?? e.summary)}${e.repeated ? ` (${e.repeated} times)` : ''}`,
                    ),
                  ),
                ),
            ),
          ),
    );
  }

  function exportSummary(s: UplinkExportSummary): HTMLElement {
    return h(
      'div',
      { class: 'summary-box' },
      h('p', {}, h('strong', {}, `Saved ${s.file}`), ' — take it to the ground and import it there.'),
      facts('export-facts', [
        ['Records', `${records(s.records)} in ${s.batches} batch${s.batches === 1 ? '' : 'es'}`],
        ['Critical', range(s.critical)],
        ['Bulk', range(s.bulk)],
        ['Size', bytes(s.bytes)],
        ['Publications acknowledged', `through ${s.publicationsAcknowledged}`],
        ['Bundle', `${s.sequence}, valid until ${new Date(s.expiresAt).toLocaleDateString()}`],
      ]),
    );
  }

  function importSummary(r: DownlinkImportSummary, words: string): HTMLElement {
    if (r.alreadyImported)
      return h(
        'div',
        { class: 'summary-box' },
        h('p', {}, h('strong', {}, 'Already imported, nothing to do.')),
        h('p', { class: 'muted' }, `Bundle ${r.sequence} was applied before.`),
      );
    return h(
      'div',
      { class: 'summary-box' },
      h('p', {}, h('strong', {}, `Imported bundle ${r.sequence}`), ` — ${words}`),
      facts('import-facts', [
        ['Publications', `${r.publications} in the bundle, ${r.applied} new`],
        [
          'Activated',
          r.activated.length
            ? r.activated
                .map(
                  (p) =>
                    `${p.kind} ${p.name} v${p.version}${p.state === 'active' ? '' : ` (${p.state}${p.reason ? `: ${p.reason}` : ''})`}`,
                )
                .join(', ')
            : 'none',
        ],
        ['Files', String(r.files)],
        ['Ground holds', `critical through ${r.acked.critical}, bulk through ${r.acked.bulk}`],
        ['Size', bytes(r.bytes)],
      ]),
    );
  }

  async function exportBundle(button: HTMLButtonElement): Promise<void> {
    if (busy) return;
    busy = true;
    button.disabled = true;
    replace(exportResult, h('p', { class: 'muted' }, 'Writing the bundle…'));
    replace(importResult);
    progress.hidden = true;
    progressText.textContent = '';
    try {
      const { summary, file, fileName } = await api.exportBundle();
      lastExport = summary;
      const url = URL.createObjectURL(file);
      const a = h('a', { href: url, download: fileName, id: 'export-download' }, 'Save again');
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      replace(exportResult, exportSummary(lastExport), h('p', {}, a));
    } catch (err) {
      replace(exportResult, fail('Export', err));
    } finally {
      busy = false;
      button.disabled = false;
      void refresh();
    }
  }

  async function importBundle(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file || busy) return;
    busy = true;
    progress.hidden = false;
    progress.value = 0;
    progressText.textContent = `Uploading ${file.name}: 0 %`;
    replace(importResult);
    replace(exportResult);
    try {
      const r = await api.importBundle(file, (sent, total) => {
        const pct = total ? Math.round((sent / total) * 100) : 100;
        progress.value = pct;
        progressText.textContent = `Uploading ${file.name}: ${pct} % (${bytes(sent)} of ${bytes(total)})${pct === 100 ? ' — checking signatures…' : ''}`;
      });
      progressText.textContent = `Uploaded ${file.name} (${bytes(file.size)})`;
      replace(importResult, importSummary(r.imported, r.message.replace(/^bundle \d+: /, '')));
    } catch (err) {
      progressText.textContent = `${file.name}: not imported`;
      replace(importResult, fail('Import', err));
    } finally {
      busy = false;
      input.value = '';
      void refresh();
    }
  }

  const exportButton = h('button', { type: 'button', class: 'button primary', id: 'export-usb' }, 'Export to USB');
  exportButton.addEventListener('click', () => void exportBundle(exportButton));
  const fileInput = h('input', {
    type: 'file',
    id: 'import-file',
    accept: '.ifecb,application/octet-stream',
    class: 'visually-hidden',
    tabindex: -1,
    'aria-label': 'Bundle file from the ground',
  });
  fileInput.addEventListener('change', () => void importBundle(fileInput));
  const updates = deps.updates ? updatesPanel(deps.updates, () => deps.loggedOut()) : undefined;

  replace(
    root,
    h(
      'header',
      { class: 'crew-top' },
      h('h1', {}, 'Maintenance'),
      h('p', { class: 'summary' }, 'Sync with the ground by link or USB stick'),
      h('span', { class: 'muted' }, deps.who),
      h('button', { type: 'button', class: 'button', id: 'maintenance-back', onClick: () => deps.back() }, 'Seat map'),
    ),
    h(
      'main',
      { class: 'maintenance-main' },
      linkPanel,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'usb-heading', id: 'maintenance-usb' },
        h('h2', { id: 'usb-heading' }, 'USB stick'),
        h(
          'p',
          { class: 'muted' },
          'Export: the records the ground has not acknowledged, signed by this aircraft. Import: what the ground exported for this aircraft (acknowledgements, policies, content).',
        ),
        h(
          'div',
          { class: 'buttons' },
          exportButton,
          h(
            'button',
            { type: 'button', class: 'button', id: 'import-usb', onClick: () => fileInput.click() },
            'Import from USB',
          ),
          fileInput,
        ),
        h('div', { class: 'upload' }, progress, progressText),
        exportResult,
        importResult,
      ),
      historyPanel,
      keyPanel,
      updates?.element,
      message,
    ),
  );

  let stopped = false;
  async function refresh(): Promise<void> {
    try {
      [overview, history] = await Promise.all([api.overview(), api.history()]);
      if (stopped) return;
      renderLink();
      renderKey();
      renderHistory();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return deps.loggedOut();
      if (err instanceof ApiError && err.status === 403) {
        replace(linkPanel, h('p', { role: 'alert' }, 'Only maintenance and the purser may use this screen.'));
        return;
      }
      message.textContent = 'The appliance is not reachable; retrying.';
    }
  }
  void refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
    updates?.stop();
  };
}
