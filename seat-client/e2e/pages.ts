/** Page helpers shared by the e2e tests: the seat app's screens and the axe check. */
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(' | ')}`,
  );
  assert.deepEqual(summary, [], `axe found WCAG 2 AA violations on ${what}`);
}

export async function videoTime(page: Page): Promise<number> {
  return page.evaluate(() => document.querySelector('video')?.currentTime ?? -1);
}

/** Waits until the video's currentTime has moved past `after` (it plays). */
export async function waitForPlayback(page: Page, after = 0.5, timeoutMs = 20_000): Promise<number> {
  await page.waitForFunction(
    (t) => {
      const v = document.querySelector('video');
      return v !== null && !v.paused && v.currentTime > t;
    },
    after,
    { timeout: timeoutMs },
  );
  return videoTime(page);
}

export async function cardIds(page: Page): Promise<string[]> {
  return page
    .locator('a.card-link')
    .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-title-id') ?? ''))]);
}

export async function search(page: Page, query: string): Promise<string[]> {
  await page.goto(`${new URL(page.url()).origin}/#/search`);
  await page.fill('#search-input', query);
  // The results of this query, not of an earlier one nor of none yet (the index chunk may load after typing).
  await page.waitForFunction((q) => document.querySelector('.results')?.getAttribute('data-query') === q, query.trim());
  return page
    .locator('.results a.card-link')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-title-id') ?? ''));
}

export async function chooseLanguage(page: Page, lang: string): Promise<void> {
  await page.goto(`${new URL(page.url()).origin}/#/settings`);
  await page.selectOption('#ui-language', lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

export async function crewToken(baseUrl: string, crewId: string, pin: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/crew/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crewId, pin }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

export async function crewPost(baseUrl: string, token: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

/** Header links a kiosk's passenger cannot see: cut by the edge of the navigation (a scrolled-off row). */
export async function hiddenNavLinks(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const nav = document.querySelector('header.top .nav') as HTMLElement;
    const box = nav.getBoundingClientRect();
    return [...nav.querySelectorAll<HTMLElement>('.nav-link')]
      .filter((a) => {
        const r = a.getBoundingClientRect();
        return r.left < box.left - 1 || r.right > box.right + 1;
      })
      .map((a) => a.dataset.nav ?? a.textContent ?? '');
  });
}
