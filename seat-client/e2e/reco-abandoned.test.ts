/**
 * The "abandoned" signal from the real player, in Debian's Chromium against a real appliance:
 * a passenger who opted in plays the one-minute demo title for a real try and leaves well
 * before its end; the seat tells the appliance, which keeps it (reco_signals) and ranks with
 * it. A peek of a second says nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paths } from '@ifec/protocol';
import type { Page } from 'playwright-core';
import { cabinForFile, KIOSK, openApp, seatContext } from './cabin-harness.ts';
import { waitForPlayback } from './pages.ts';

const env = cabinForFile();
const TITLE = 'harbour-of-glass'; // 60 s: a try is 6 s, "well before the end" is before 36 s

async function abandonedRows(seatSession: string | undefined): Promise<string[]> {
  const { rows } = await env.cabin.appliance!.store.query<{ title_id: string }>(
    "SELECT title_id FROM reco_signals WHERE kind = 'abandoned' AND ($1::text IS NULL OR session_id = $1) ORDER BY seq",
    [seatSession ?? null],
  );
  return rows.map((r) => r.title_id);
}

async function optIn(seatId: string): Promise<void> {
  const res = await fetch(`${env.cabin.baseUrl}${paths.recommendations.consent}`, {
    method: 'PUT',
    headers: {
      authorization: `Basic ${Buffer.from(`seat:${seatId}:${env.cabin.credentials.seats[seatId]}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ personalised: true }),
  });
  assert.equal(res.status, 200, await res.text());
}

/** Plays the title until `seconds`, then goes home; resolves with the signals the seat posted meanwhile. */
async function playAndLeave(page: Page, seconds: number): Promise<string[]> {
  const posted: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes(paths.recommendations.signals) && r.method() === 'POST') posted.push(r.postData() ?? '');
  });
  await openApp(page, env.cabin, `#/play/${TITLE}`);
  await waitForPlayback(page, seconds, 60_000);
  const answered = page
    .waitForResponse((r) => r.url().includes(paths.recommendations.signals), { timeout: 5000 })
    .catch(() => undefined);
  await page.evaluate(() => {
    location.hash = '#/';
  });
  await page.waitForSelector('body[data-route="home"]');
  await answered;
  return posted;
}

test('leaving the one-minute title after a real try, well before its end, is sent as abandoned and kept for the session', {
  timeout: 180_000,
}, async () => {
  await optIn('15C');
  const context = await seatContext(env.browser, env.cabin, '15C', KIOSK);
  try {
    const page = await context.newPage();
    const posted = await playAndLeave(page, 8);
    assert.deepEqual(
      posted.map((p) => JSON.parse(p)),
      [{ kind: 'abandoned', titleId: TITLE }],
    );
    const session = env.cabin.appliance!.passengers.sessions.sessionOf('15C');
    assert.deepEqual(await abandonedRows(session), [TITLE]);
  } finally {
    await context.close();
  }
});

test('a peek of a second sends nothing', { timeout: 180_000 }, async () => {
  await optIn('16D');
  const context = await seatContext(env.browser, env.cabin, '16D', KIOSK);
  try {
    const page = await context.newPage();
    const posted = await playAndLeave(page, 1);
    assert.deepEqual(posted, []);
    assert.deepEqual(await abandonedRows(env.cabin.appliance!.passengers.sessions.sessionOf('16D')), []);
  } finally {
    await context.close();
  }
});
