/**
 * Resume anywhere in two browser contexts against a real appliance: a kiosk (1280×800, seat 12A)
 * and a phone (390×844). The phone pairs by the seat's QR link, works the seat as a remote,
 * continues the seat's film from where it was paused, and hands it back. Also: a wrong code is
 * refused with the appliance's message, and unpairing on the seat ends the phone's remote.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { cabinForFile, KIOSK, openApp, phoneContext, screenshot, seatContext } from './cabin-harness.ts';
import { expectNoAxeViolations, videoTime, waitForPlayback } from './pages.ts';

const FILM = 'harbour-of-glass'; // a minute long, playable on phones

const env = cabinForFile();

/** The seat's pairing screen: returns the 6-digit code and the URL its QR code encodes. */
async function seatPairingCode(seat: Page): Promise<{ code: string; url: string }> {
  await seat.click('a[data-nav="pair"]');
  const code = (await seat.locator('[data-testid="pairing-code"]').innerText()).trim();
  const url = await seat.locator('.pairing-qr').getAttribute('data-url');
  assert.match(code, /^[0-9]{6}$/);
  assert.equal(await seat.locator('.pairing-qr svg').count(), 1, 'a QR image is drawn');
  return { code, url: url! };
}

async function seatState(seat: Page): Promise<{ paused: boolean; time: number }> {
  return seat.evaluate(() => {
    const v = document.querySelector('video')!;
    return { paused: v.paused, time: v.currentTime };
  });
}

test('pair by QR, remote the seat, continue on the phone at 00:41, hand back to the seat', {
  timeout: 240_000,
}, async () => {
  const kiosk = await seatContext(env.browser, env.cabin, '12A', KIOSK);
  const seat = await kiosk.newPage();
  const handset = await phoneContext(env.browser);
  const phone = await handset.newPage();
  try {
    await openApp(seat, env.cabin);
    const { code, url } = await seatPairingCode(seat);
    assert.equal(url, `${env.cabin.baseUrl}/#/pair?code=${code}`);
    await screenshot(seat, 'kiosk-pairing');
    await expectNoAxeViolations(seat, 'seat pairing');

    // The phone opens what the QR code holds: the code is sent at once.
    await phone.goto(url);
    await phone.waitForSelector('body[data-ready="true"]');
    await phone.waitForSelector('.remote-seat');
    assert.match(await phone.locator('.remote-seat').innerText(), /12A/);
    await seat.waitForFunction(
      () => /1/.test(document.getElementById('pairing-phones')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );

    // The seat plays; the phone shows it.
    await seat.goto(`${env.cabin.baseUrl}/#/play/${FILM}?from=0`);
    await waitForPlayback(seat, 0.5);
    await phone.waitForSelector(`#remote-now[data-title-id="${FILM}"][data-playing="true"]`, { timeout: 10_000 });
    await screenshot(phone, 'phone-remote');
    await expectNoAxeViolations(phone, 'phone remote');

    // The phone as a remote: pause. Measured from the tap on the phone to the seat's pause event.
    await seat.evaluate(() => {
      const v = document.querySelector('video')!;
      v.addEventListener(
        'pause',
        () => {
          document.body.dataset.pausedAt = String(Date.now());
        },
        { once: true },
      );
    });
    const tappedAt = Date.now();
    await phone.click('#remote-toggle');
    await seat.waitForFunction(() => document.body.dataset.pausedAt !== undefined, undefined, { timeout: 5000 });
    const pauseMs = Number(await seat.evaluate(() => document.body.dataset.pausedAt)) - tappedAt;
    console.log(
      `phone remote -> seat paused in ${pauseMs} ms (issue 5 asks for < 300 ms; the bench measures it as resume.remote_pause_ms)`,
    );
    assert.equal((await seatState(seat)).paused, true);
    await phone.waitForSelector('#remote-now[data-playing="false"]');

    // And play again from the phone.
    await phone.click('#remote-toggle');
    await seat.waitForFunction(() => !document.querySelector('video')!.paused, undefined, { timeout: 5000 });

    // Subtitles chosen on the seat follow the passenger to the phone (the session document's languages).
    await seat.waitForFunction(() => document.querySelectorAll('#subtitle-track option').length >= 2);
    const german = await seat.locator('#subtitle-track option', { hasText: /German/ }).getAttribute('value');
    await seat.selectOption('#subtitle-track', german!);
    await seat.waitForFunction(() => document.querySelector('video')?.dataset.subtitleLang === 'de');

    // The passenger pauses on the seat at 00:41.
    await seat.evaluate(() => {
      document.querySelector('video')!.currentTime = 41;
    });
    await seat.waitForFunction(
      () => document.querySelector('video')!.currentTime >= 41 && !document.querySelector('video')!.seeking,
      undefined,
      { timeout: 10_000 },
    );
    await seat.click('#play-pause');
    const pausedAt = (await seatState(seat)).time;
    assert.ok(pausedAt >= 41 && pausedAt < 42, `seat paused at ${pausedAt}`);
    await phone.waitForFunction(
      () => /0:41/.test(document.getElementById('continue-here')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    await screenshot(phone, 'phone-remote-paused');
    // "Continue on phone" on the seat: the seat leaves the player for its pairing screen.
    await seat.click('#continue-on-phone');
    await seat.waitForSelector('[data-testid="pairing-code"]');
    await phone.waitForSelector('#remote-nothing');

    // Continue on the phone: it starts where the seat stopped (the session document's resume point).
    await phone.waitForFunction(
      () => /0:41/.test(document.getElementById('continue-here')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    await screenshot(phone, 'phone-remote-continue');
    await phone.click('#continue-here');
    await phone.waitForFunction(
      () => {
        const v = document.querySelector('video');
        return v !== null && !v.paused && v.currentTime > 0;
      },
      undefined,
      { timeout: 20_000 },
    );
    const phoneStart = await videoTime(phone);
    assert.ok(
      Math.abs(phoneStart - pausedAt) <= 1,
      `the phone starts at ${phoneStart}, the seat paused at ${pausedAt}`,
    );
    assert.equal(
      await seat.evaluate(() => document.querySelector('video')),
      null,
      'the seat plays nothing while the phone plays',
    );
    await phone.waitForFunction(() => document.querySelector('video')?.dataset.subtitleLang === 'de', undefined, {
      timeout: 15_000,
    });

    // Watch a little on the phone, then hand back: the seat continues from the phone's position.
    await waitForPlayback(phone, phoneStart + 3);
    await screenshot(phone, 'phone-player-paired');
    await phone.evaluate(() => {
      const v = document.querySelector('video')!;
      v.addEventListener(
        'pause',
        () => {
          document.documentElement.dataset.stoppedAt = String(v.currentTime);
        },
        { once: true },
      );
    });
    await phone.click('#hand-back');
    await phone.waitForFunction(() => document.documentElement.dataset.stoppedAt !== undefined);
    const phoneStoppedAt = Number(await phone.evaluate(() => document.documentElement.dataset.stoppedAt));
    await seat.waitForFunction(
      () => {
        const v = document.querySelector('video');
        return v !== null && !v.paused && v.currentTime > 0;
      },
      undefined,
      { timeout: 15_000 },
    );
    const seatResumedAt = (await seatState(seat)).time;
    assert.ok(
      Math.abs(seatResumedAt - phoneStoppedAt) <= 1,
      `the seat resumes at ${seatResumedAt}, the phone stopped at ${phoneStoppedAt}`,
    );
    assert.equal(await phone.evaluate(() => document.body.dataset.route), 'pair', 'the phone is back on its remote');
  } finally {
    await kiosk.close();
    await handset.close();
  }
});

test("a wrong code is refused with the appliance's reason; unpairing on the seat ends the remote", {
  timeout: 120_000,
}, async () => {
  const kiosk = await seatContext(env.browser, env.cabin, '14C', KIOSK);
  const seat = await kiosk.newPage();
  const handset = await phoneContext(env.browser);
  const phone = await handset.newPage();
  try {
    await openApp(seat, env.cabin);
    const { code } = await seatPairingCode(seat);
    await openApp(phone, env.cabin, '#/pair');
    const wrong = code === '000000' ? '000001' : '000000';
    await phone.fill('#pairing-input', wrong);
    await phone.click('#pair-submit');
    await phone.waitForFunction(() => document.getElementById('pairing-message')?.dataset.code === 'CODE_UNKNOWN');
    assert.match(await phone.locator('#pairing-message').innerText(), /Wrong code/);
    await screenshot(phone, 'phone-pairing-refused');
    await expectNoAxeViolations(phone, 'phone pairing form');

    await phone.fill('#pairing-input', code);
    await phone.click('#pair-submit');
    await phone.waitForSelector('.remote-seat');
    assert.match(await phone.locator('#remote-nothing').innerText(), /Nothing is playing/);
    await seat.waitForFunction(
      () => /1/.test(document.getElementById('pairing-phones')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );

    await seat.click('#unpair-phones');
    // The appliance cuts the phone off; on reconnect the bus refuses the seat's topics and the phone forgets the pairing.
    await phone.waitForSelector('#pairing-input', { timeout: 15_000 });
    assert.equal(await phone.evaluate(() => localStorage.getItem('ifec.pairing.v1')), null);

    // Pair again with the seat's fresh code, then unpair from the phone: the seat sees it go.
    const again = (await seat.locator('[data-testid="pairing-code"]').innerText()).trim();
    await phone.fill('#pairing-input', again);
    await phone.click('#pair-submit');
    await phone.waitForSelector('#unpair');
    await seat.waitForFunction(
      () => /1/.test(document.getElementById('pairing-phones')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    await phone.click('#unpair');
    await phone.waitForSelector('#pairing-input');
    await seat.waitForFunction(
      () => /No phone/.test(document.getElementById('pairing-phones')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
  } finally {
    await kiosk.close();
    await handset.close();
  }
});

test("reset for next flight wipes the seat's personal state and ends the phone's pairing", {
  timeout: 120_000,
}, async () => {
  const kiosk = await seatContext(env.browser, env.cabin, '15A', KIOSK);
  const seat = await kiosk.newPage();
  const crewContext = await env.browser.newContext({ viewport: KIOSK });
  const handset = await phoneContext(env.browser);
  const phone = await handset.newPage();
  try {
    await openApp(seat, env.cabin);
    const { url } = await seatPairingCode(seat);
    await phone.goto(url);
    await phone.waitForSelector('.remote-seat');
    // The passenger leaves traces: a resume point, a language, a favourite.
    await seat.goto(`${env.cabin.baseUrl}/#/play/${FILM}?from=12`);
    await waitForPlayback(seat, 12.5);
    await seat.click('#play-pause');
    await seat.goto(`${env.cabin.baseUrl}/#/title/${FILM}`);
    await seat.waitForFunction(() => /Resume/.test(document.getElementById('play')?.textContent ?? ''));
    await seat.click('#favourite');
    await seat.goto(`${env.cabin.baseUrl}/#/settings`);
    await seat.selectOption('#ui-language', 'de');
    await seat.waitForFunction(() => document.documentElement.lang === 'de');
    const before = await seat.evaluate(
      () => JSON.parse(localStorage.getItem('ifec.resume.v1')!) as { sessionId: string },
    );

    // The purser resets the cabin for the next flight from the crew console (it asks to confirm).
    const purser = env.cabin.credentials.crew.find((c) => c.role === 'purser')!;
    const crew = await crewContext.newPage();
    await crew.goto(`${env.cabin.baseUrl}/crew`);
    await crew.fill('#crew-id', purser.crewId);
    await crew.fill('#crew-pin', purser.pin);
    await crew.click('#crew-login');
    await crew.click('#flight-reset');
    await screenshot(crew, 'crew-console-flight-reset');
    await seat.evaluate(() => {
      (window as unknown as { beforeReset: boolean }).beforeReset = true;
    });
    await crew.click('#flight-reset-confirm');
    await crew.waitForFunction(() =>
      /sessions ended, [1-9][0-9]* phones unpaired/.test(document.getElementById('crew-message')?.textContent ?? ''),
    );

    // The seat hears its new session, wipes and starts over on the home screen, in the default language.
    // (the wipe ends with a reload: a page without the marker)
    await seat.waitForFunction(
      (old) => {
        const kept = JSON.parse(localStorage.getItem('ifec.resume.v1') ?? 'null') as { sessionId: string } | null;
        return (
          !(window as unknown as { beforeReset?: boolean }).beforeReset &&
          kept !== null &&
          kept.sessionId !== old &&
          document.body.dataset.ready === 'true'
        );
      },
      before.sessionId,
      { timeout: 20_000 },
    );
    assert.equal(await seat.evaluate(() => document.body.dataset.route), 'home');
    assert.equal(await seat.evaluate(() => document.documentElement.lang), 'en');
    await seat.goto(`${env.cabin.baseUrl}/#/title/${FILM}`);
    await seat.waitForSelector('#play');
    assert.doesNotMatch(await seat.locator('#play').innerText(), /Resume/, 'no resume point is left');
    assert.equal(await seat.getAttribute('#favourite', 'aria-pressed'), 'false', 'no favourite is left');
    // The phone's pairing ended with the flight.
    await phone.waitForSelector('#pairing-input', { timeout: 20_000 });
  } finally {
    await kiosk.close();
    await crewContext.close();
    await handset.close();
  }
});
