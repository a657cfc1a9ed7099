/**
 * The kiosk with the appliance gone: reload, browse and search from the replica (the shell
 * from the service worker's cache), set a favourite offline, and see it reach the appliance
 * once it is back.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cabinForFile, KIOSK, openApp, screenshot, seatContext } from './cabin-harness.ts';
import { search } from './pages.ts';

const env = cabinForFile();

async function applianceFavourites(seatId: string): Promise<string[]> {
  const login = await fetch(`${env.cabin.baseUrl}/api/seats/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId, secret: env.cabin.credentials.seats[seatId] }),
  });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${env.cabin.baseUrl}/api/replication/seat-state/pull?limit=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const { documents } = (await res.json()) as {
    documents: { id: string; kind: string; _deleted: boolean; value: { titleId?: string } }[];
  };
  return documents.filter((d) => d.kind === 'favourite' && !d._deleted).map((d) => d.value.titleId!);
}

test('appliance down: the kiosk reloads, browses and searches; a favourite set offline reaches the appliance', async () => {
  const context = await seatContext(env.browser, env.cabin, '20A', KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  // The catalogue's own rows (recommendation rows come from the appliance, not the replica).
  await page.waitForFunction(() => document.querySelectorAll('.home > .row a.card-link').length >= 5);
  // The service worker has the shell (page and every chunk this page loaded). Polled with evaluate:
  // waitForFunction takes a promise for a truthy answer, so an async check there passed at once.
  const shellCached = async () => {
    const cache = await caches.open('ifec-shell-v1');
    const keys = (await cache.keys()).map((r) => r.url);
    return (
      navigator.serviceWorker.controller !== null &&
      keys.some((u) => u.includes('/assets/replica')) &&
      keys.some((u) => /\/assets\/seat-.*\.js/.test(u)) &&
      keys.some((u) => u.includes('/assets/search-index'))
    );
  };
  const cachedBy = Date.now() + 20_000;
  while (!(await page.evaluate(shellCached))) {
    assert.ok(Date.now() < cachedBy, 'the service worker cached the page, the seat chunk, the replica and search');
    await page.waitForTimeout(250);
  }
  const catalogueCards = () =>
    page
      .locator('.home > .row a.card-link')
      .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-title-id') ?? ''))]);
  const online = await catalogueCards();

  await env.cabin.stop();
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#offline-banner:not([hidden])', { timeout: 15_000 });
  await page.waitForFunction((n) => document.querySelectorAll('.home > .row a.card-link').length >= n, online.length);
  assert.deepEqual((await catalogueCards()).sort(), online.sort(), 'the same catalogue from the replica');
  await screenshot(page, 'kiosk-offline-home');
  assert.deepEqual(await search(page, 'turbulenzen'), ['jet-stream-s1e2']);
  await page.goto(`${env.cabin.baseUrl}/#/title/copper-sky`);
  await page.waitForSelector('#favourite');
  await page.click('#favourite');
  await page.waitForSelector('#favourite[aria-pressed="true"]');
  await screenshot(page, 'kiosk-offline-detail');

  await env.cabin.restart();
  await page.waitForSelector('#offline-banner', { state: 'hidden', timeout: 30_000 });
  const until = Date.now() + 30_000;
  let favourites: string[] = [];
  while (Date.now() < until) {
    favourites = await applianceFavourites('20A').catch(() => []);
    if (favourites.includes('copper-sky')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(favourites, ['copper-sky']);
  await context.close();
});
