/**
 * The crew console's maintenance screen (maintenance and purser roles): the ground link in
 * words (state, backlog, last sync, next attempt, last error and what to do), "Sync now",
 * USB bundles both ways with their summaries and an upload progress bar, the history of
 * syncs and bundles, and this aircraft's public key to register on the ground.
 */
import './maintenance.css';
import type { DownlinkImportSummary, SyncHistoryEntry, SyncOverview, UplinkExportSummary } from '@ifec/protocol';
import { ApiError } from '../api/api-client.ts';
import { h, replace } from '../ui/dom.ts';
import { fill } from './crew-strings.ts';
import type { MaintenanceApi } from './maintenance-api.ts';
import { maintenanceFormat } from './maintenance-format.ts';
import { syncErrorWordsIn } from './maintenance-strings.ts';
import { type UpdatesApi, updatesPanel } from './updates-panel.ts';

const REFRESH_MS = 3000;

/** Roles that see the screen (the appliance checks again on every call). */
export const MAINTENANCE_ROLES: readonly string[] = ['maintenance', 'purser'];

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
  /** The console's language (crew-strings.ts CREW_LANGUAGES). */
  lang: string;
  /** Software updates (maintenance role): the panel is shown when given. */
  updates?: UpdatesApi;
}

/** Renders the screen into `root`; returns a function that stops its refresh. */
export function showMaintenance(root: HTMLElement, deps: MaintenanceDeps): () => void {
  const { api } = deps;
  const f = maintenanceFormat(deps.lang);
  const { t, when, bytes, records } = f;
  const range = (r: UplinkExportSummary['critical']) =>
    r.records ? fill(t.seqRange, { records: f.num(r.records), from: r.after + 1, through: r.through }) : t.none;
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
    'aria-label': t.uploadProgress,
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
    // An unknown code keeps the appliance's message (English) as the words.
    const words = syncErrorWordsIn(t, code) ?? (err as Error).message;
    return h(
      'div',
      { class: 'refused', role: 'alert' },
      h('p', {}, h('strong', {}, fill(t.refused, { what })), code ? ` (${code})` : ''),
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
      h('h2', { id: 'link-heading' }, t.groundLink),
      facts('link-facts', [
        [
          t.link,
          overview.linksConfigured ? ((t as Record<string, string>)[`link_${s.link}`] ?? s.link) : t.noLinkConfigured,
        ],
        [t.state, (t as Record<string, string>)[`st_${s.state}`] ?? s.state],
        [
          t.waitingForGround,
          backlog === 0
            ? t.backlogNone
            : fill(t.backlog, {
                records: records(backlog),
                critical: f.num(s.backlog.critical),
                bulk: f.num(s.backlog.bulk),
              }),
        ],
        [t.lastSync, when(s.lastContactAt)],
        [t.nextAttempt, overview.linksConfigured ? (s.nextAttemptAt ? when(s.nextAttemptAt) : t.now) : '—'],
        [
          t.fromGround,
          overview.publications.length
            ? fill(t.publicationsApplied, { count: f.num(overview.publications.length), through: s.downlinkApplied })
            : t.nothingYet,
        ],
      ]),
      s.lastError
        ? h(
            'div',
            { class: 'last-error', role: 'alert', id: 'last-error' },
            h(
              'p',
              {},
              h('strong', {}, t.lastError),
              syncErrorWordsIn(t, s.lastError) ?? overview.lastErrorInWords ?? s.lastError,
            ),
            h('p', { class: 'muted' }, s.lastError),
          )
        : h('p', { class: 'muted', id: 'last-error' }, t.noError),
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
                message.textContent = t.syncRequested;
              } catch (err) {
                const code = err instanceof ApiError ? err.code : '';
                message.textContent = fill(t.syncNowFailed, {
                  reason: syncErrorWordsIn(t, code) ?? (err as Error).message,
                });
              }
              void refresh();
            },
          },
          t.syncNow,
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
      h('h2', { id: 'key-heading' }, fill(t.keyHeading, { aircraft: overview.aircraftId })),
      h(
        'p',
        { id: 'key-help' },
        t.keyHelpBefore,
        h('code', {}, `ifec-ground aircraft register <airline> ${overview.aircraftId} <file>`),
        t.keyHelpAfter,
      ),
      h('p', { class: 'muted' }, fill(t.fingerprint, { fingerprint: overview.publicKeyFingerprint.slice(0, 16) })),
      h('label', { for: 'public-key' }, t.publicKeyLabel),
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
                message.textContent = t.keyCopied;
              } catch {
                message.textContent = t.keyCopyByHand;
              }
            },
          },
          t.copyKey,
        ),
      ),
    );
  }

  function renderHistory(): void {
    replace(
      historyPanel,
      h('h2', { id: 'history-heading' }, t.historyHeading),
      history.length === 0
        ? h('p', { class: 'muted' }, t.historyEmpty)
        : h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, t.col_when),
                h('th', { scope: 'col' }, t.col_what),
                h('th', { scope: 'col' }, t.col_result),
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
                    h('td', {}, f.dateTime(e.at)),
                    h(
                      'td',
                      {},
                      `${e.kind === 'sync' ? t.kind_sync : e.kind === 'bundle-export' ? t.kind_export : t.kind_import} · ${e.link}`,
                    ),
                    h(
                      'td',
                      {},
                      `${e.ok ? '✓' : '✗'} ${e.ok ? e.summary : (syncErrorWordsIn(t, e.code) ?? syncErrorWordsIn(t, e.summary) ?? e.summary)}${e.repeated ? ` ${fill(t.repeated, { count: f.num(e.repeated) })}` : ''}`,
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
      h('p', {}, h('strong', {}, fill(t.saved, { file: s.file })), t.savedHint),
      facts('export-facts', [
        [
          t.recordsLabel,
          fill(s.batches === 1 ? t.recordsInOneBatch : t.recordsInBatches, {
            records: records(s.records),
            batches: f.num(s.batches),
          }),
        ],
        [t.critical, range(s.critical)],
        [t.bulk, range(s.bulk)],
        [t.size, bytes(s.bytes)],
        [t.publicationsAcked, fill(t.through, { n: s.publicationsAcknowledged })],
        [t.bundle, fill(t.bundleValid, { sequence: s.sequence, date: f.date(s.expiresAt) })],
      ]),
    );
  }

  function importSummary(r: DownlinkImportSummary, words: string): HTMLElement {
    if (r.alreadyImported)
      return h(
        'div',
        { class: 'summary-box' },
        h('p', {}, h('strong', {}, t.alreadyImported)),
        h('p', { class: 'muted' }, fill(t.appliedBefore, { sequence: r.sequence })),
      );
    return h(
      'div',
      { class: 'summary-box' },
      h('p', {}, h('strong', {}, fill(t.importedBundle, { sequence: r.sequence })), ` — ${words}`),
      facts('import-facts', [
        [t.publications, fill(t.publicationsInBundle, { count: f.num(r.publications), applied: f.num(r.applied) })],
        [
          t.activated,
          r.activated.length
            ? r.activated
                .map(
                  (p) =>
                    `${p.kind} ${p.name} v${p.version}${p.state === 'active' ? '' : ` (${p.state}${p.reason ? `: ${p.reason}` : ''})`}`,
                )
                .join(', ')
            : t.none,
        ],
        [t.files, f.num(r.files)],
        [t.groundHolds, fill(t.groundHoldsValue, { critical: r.acked.critical, bulk: r.acked.bulk })],
        [t.size, bytes(r.bytes)],
      ]),
    );
  }

  async function exportBundle(button: HTMLButtonElement): Promise<void> {
    if (busy) return;
    busy = true;
    button.disabled = true;
    replace(exportResult, h('p', { class: 'muted' }, t.writingBundle));
    replace(importResult);
    progress.hidden = true;
    progressText.textContent = '';
    try {
      const { summary, file, fileName } = await api.exportBundle();
      lastExport = summary;
      const url = URL.createObjectURL(file);
      const a = h('a', { href: url, download: fileName, id: 'export-download' }, t.saveAgain);
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      replace(exportResult, exportSummary(lastExport), h('p', {}, a));
    } catch (err) {
      replace(exportResult, fail(t.export, err));
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
    progressText.textContent = fill(t.uploadingStart, { file: file.name });
    replace(importResult);
    replace(exportResult);
    try {
      const r = await api.importBundle(file, (sent, total) => {
        const pct = total ? Math.round((sent / total) * 100) : 100;
        progress.value = pct;
        progressText.textContent = `${fill(t.uploading, { file: file.name, percent: pct, sent: bytes(sent), total: bytes(total) })}${pct === 100 ? t.checkingSignatures : ''}`;
      });
      progressText.textContent = fill(t.uploaded, { file: file.name, size: bytes(file.size) });
      replace(importResult, importSummary(r.imported, r.message.replace(/^bundle \d+: /, '')));
    } catch (err) {
      progressText.textContent = fill(t.notImported, { file: file.name });
      replace(importResult, fail(t.import, err));
    } finally {
      busy = false;
      input.value = '';
      void refresh();
    }
  }

  const exportButton = h('button', { type: 'button', class: 'button primary', id: 'export-usb' }, t.exportUsb);
  exportButton.addEventListener('click', () => void exportBundle(exportButton));
  const fileInput = h('input', {
    type: 'file',
    id: 'import-file',
    accept: '.ifecb,application/octet-stream',
    class: 'visually-hidden',
    tabindex: -1,
    'aria-label': t.bundleFile,
  });
  fileInput.addEventListener('change', () => void importBundle(fileInput));
  const updates = deps.updates ? updatesPanel(deps.updates, () => deps.loggedOut(), deps.lang) : undefined;

  replace(
    root,
    h(
      'header',
      { class: 'crew-top' },
      h('h1', {}, t.title),
      h('p', { class: 'summary' }, t.subtitle),
      h('span', { class: 'muted' }, deps.who),
      h('button', { type: 'button', class: 'button', id: 'maintenance-back', onClick: () => deps.back() }, t.seatMap),
    ),
    h(
      'main',
      { class: 'maintenance-main' },
      linkPanel,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'usb-heading', id: 'maintenance-usb' },
        h('h2', { id: 'usb-heading' }, t.usbHeading),
        h('p', { class: 'muted' }, t.usbHelp),
        h(
          'div',
          { class: 'buttons' },
          exportButton,
          h(
            'button',
            { type: 'button', class: 'button', id: 'import-usb', onClick: () => fileInput.click() },
            t.importUsb,
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
        replace(linkPanel, h('p', { role: 'alert' }, t.onlyMaintenance));
        return;
      }
      message.textContent = t.unreachable;
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
