/**
 * Recommendation rows on the home screen, in Debian's Chromium against a real appliance with the
 * demo content and a model trained by the ground's trainer on its titles: cold start shows the
 * route's popular row and fits-before-landing with their reasons; the passenger switches
 * personalisation on and gets For you / Because you watched; the same in French; screenshots.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { paths, recoModel, topics } from '@ifec/protocol';
import type { Page } from 'playwright-core';
import { activeLoadWith } from '../../appliance/test/reco-fixtures.ts';
import { trainModel } from '../../ground-sync/src/recommendations/train.ts';
import { cabinForFile, KIOSK, openApp, screenshot, seatContext } from './cabin-harness.ts';
import { chooseLanguage, crewToken } from './pages.ts';

const env = cabinForFile();

/** The switch and the first rows in view, below the sticky top bar. */
async function showRecommendations(page: Page): Promise<void> {
  await page.evaluate(() => {
    const el = document.querySelector('.recommendations');
    const bar = document.querySelector('header, .topbar, nav')?.getBoundingClientRect().bottom ?? 0;
    if (el) window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - bar - 16);
  });
}
const airport = (iata: string, icao: string, city: string) => ({
  iata,
  icao,
  name: city,
  city,
  lat: 0,
  lon: 0,
  tz: 'UTC',
});

async function prepare(): Promise<string[]> {
  const app = env.cabin.appliance!;
  const reco = app.recommendations.recommendations;
  const active = reco.currentLoad;
  assert.ok(active, 'the demo content load is active');
  const ids = active.titles.filter((t) => t.kind !== 'audio').map((t) => t.id);
  // Two tastes over the demo titles: the first half watched together, the second half together.
  const half = Math.ceil(ids.length / 2);
  const histories = Array.from({ length: 40 }, (_, i) => ({
    session: `s${i}`,
    titles: i % 2 ? ids.slice(0, half) : ids.slice(half),
  }));
  const counts = ids.slice(0, 5).flatMap((titleId, i) =>
    Array.from({ length: 10 - i }, () => ({
      titleId,
      cabinClass: 'economy',
      watchedS: 3000,
      completed: true,
      route: 'LHR-NRT',
    })),
  );
  const model = recoModel.parse(
    trainModel({ catalogue: ids, counts, histories }, { version: 7, trainedAt: new Date().toISOString() }),
  );
  await reco.useLoad(activeLoadWith(fs.mkdtempSync(path.join(os.tmpdir(), 'reco-e2e-')), active.titles, model));
  await app.bus.publish(
    topics.flightPhase,
    JSON.stringify({
      phase: 'cruise',
      since: new Date().toISOString(),
      previous: 'climb',
      flightNumber: 'XA11',
      origin: airport('LHR', 'EGLL', 'London'),
      destination: airport('NRT', 'RJAA', 'Tokyo'),
    }),
    { retain: true },
  );
  // The flight domain republishes flight/phase from its own plan: the crew's plan is what makes Tokyo stay.
  const purser = env.cabin.credentials.crew.find((c) => c.role === 'purser')!;
  const token = await crewToken(env.cabin.baseUrl, purser.crewId, purser.pin);
  const planned = await fetch(`${env.cabin.baseUrl}${paths.crew.flight}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ flightNumber: 'XA11', origin: 'LHR', destination: 'NRT' }),
  });
  assert.equal(planned.status, 200, await planned.text());
  app.recommendations.flight.setPlannedDuration(95 * 60);
  return ids;
}

test('the home screen shows the rows with their reasons, cold start then personalised, in English and in French', {
  timeout: 300_000,
}, async () => {
  const ids = await prepare();
  const seatId = '12A';
  const context = await seatContext(env.browser, env.cabin, seatId, KIOSK);
  const page = await context.newPage();
  await openApp(page, env.cabin);
  await page.waitForSelector('.recommendations[data-loaded="true"]');

  // Cold start: popular on this route, fits before landing; no personal row; the switch is off.
  assert.equal(await page.isChecked('#reco-personalise'), false);
  const kinds = await page
    .locator('[data-reco-row]')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.recoRow));
  assert.deepEqual(kinds, ['popular-route', 'fits-before-landing']);
  assert.equal(await page.locator('#row-reco-popular-route').innerText(), 'Popular on flights to Tokyo');
  const reasons = await page.locator('[data-reco-row="popular-route"] .card-reason').allInnerTexts();
  assert.ok(reasons.length > 0 && reasons.every((r) => r === 'Popular on flights to Tokyo'));
  await page.waitForSelector('[data-reco-row="fits-before-landing"] .card-reason');
  const fitsReasons = await page.locator('[data-reco-row="fits-before-landing"] .card-reason').allInnerTexts();
  assert.ok(fitsReasons.length > 0, await page.locator('[data-reco-row="fits-before-landing"]').innerHTML());
  assert.match(fitsReasons[0]!, /^(Ends before landing \(\d+ min left\)|\d+ episodes before landing)$/);
  await showRecommendations(page);
  await screenshot(page, 'reco-home-cold-en');

  // The passenger opts in; what it watched (sent as the player would) shapes the rows.
  await page.check('#reco-personalise');
  await page.waitForFunction(() => document.querySelector('[data-reco-row="for-you"]') === null);
  const auth = {
    authorization: `Basic ${Buffer.from(`seat:${seatId}:${env.cabin.credentials.seats[seatId]}`).toString('base64')}`,
    'content-type': 'application/json',
  };
  for (const titleId of ids.slice(0, 2)) {
    const res = await fetch(`${env.cabin.baseUrl}${paths.recommendations.signals}`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ kind: 'watched', titleId }),
    });
    assert.deepEqual(await res.json(), { kept: true });
  }
  await page.reload();
  await page.waitForSelector('[data-reco-row="for-you"]');
  assert.equal(await page.isChecked('#reco-personalise'), true);
  assert.equal(await page.locator('#row-reco-for-you').innerText(), 'For you');
  const because = await page.locator('#row-reco-because-you-watched').innerText();
  assert.match(because, /^Because you watched .+/);
  const forYouReasons = await page.locator('[data-reco-row="for-you"] .card-reason').allInnerTexts();
  assert.ok(
    forYouReasons.some((r) => r.startsWith('Because you watched ')),
    forYouReasons.join(' | '),
  );
  await showRecommendations(page);
  await screenshot(page, 'reco-home-personal-en');

  // The same rows in French.
  await chooseLanguage(page, 'fr');
  await page.goto(`${env.cabin.baseUrl}/#/`);
  await page.waitForSelector('[data-reco-row="for-you"]');
  assert.equal(await page.locator('#row-reco-for-you').innerText(), 'Pour vous');
  assert.match(await page.locator('#row-reco-because-you-watched').innerText(), /^Parce que vous avez regardé .+/);
  assert.equal(await page.locator('#row-reco-popular-route').innerText(), 'Populaire sur les vols vers Tokyo');
  assert.equal(await page.locator('#row-reco-fits-before-landing').innerText(), 'Avant l’atterrissage');
  assert.match(await page.locator('.reco-consent label').innerText(), /Recommandations personnalisées/);
  await showRecommendations(page);
  await screenshot(page, 'reco-home-personal-fr');
  await context.close();
});
