/**
 * The onboard shop in Debian's Chromium against a real appliance with the demo content and
 * a shop catalogue signed by a ground key: the kiosk buys a Wi-Fi pass and a drink; a paired
 * phone buys a pay-per-view film (`#/shop/title/<id>`, the Buy button's route) which then
 * plays on the seat; the crew console shows the drink order and marks it delivered.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { ShopCatalogue } from '@ifec/protocol';
import { signBlock } from '@ifec/protocol/node';
import type { Page } from 'playwright-core';
import { cabinForFile, KIOSK, openApp, phoneContext, screenshot, seatContext } from './cabin-harness.ts';
import { chooseLanguage, waitForPlayback } from './pages.ts';

const FILM = 'copper-sky'; // premium-2, all devices, in the demo content load
const groundKeys = crypto.generateKeyPairSync('ed25519');
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-shop-e2e-'));
const groundKeyFile = path.join(keyDir, 'ground.pem');
fs.writeFileSync(groundKeyFile, groundKeys.publicKey.export({ type: 'spki', format: 'pem' }));
const env = cabinForFile({ env: { IFEC_GROUND_PUBLIC_KEY: groundKeyFile } });

function catalogue(): ShopCatalogue {
  const card = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = card.publicKey.export({ type: 'spki', format: 'der' });
  return {
    currency: 'EUR',
    rates: { USD: 1.08, GBP: 0.86, JPY: 160 },
    titleTiers: { 'premium-1': 399, 'premium-2': 499 },
    items: [
      {
        sku: 'wifi-flight',
        kind: 'wifi',
        name: { en: 'Wi-Fi for the whole flight', fr: 'Wi-Fi pour tout le vol' },
        priceMinor: 1500,
        maxQty: 1,
      },
      {
        sku: 'wifi-hour',
        kind: 'wifi',
        name: { en: 'Wi-Fi, one hour', fr: 'Wi-Fi, une heure' },
        priceMinor: 500,
        durationMin: 60,
        maxQty: 1,
      },
      {
        sku: 'drink-orange',
        kind: 'drink',
        name: { en: 'Orange juice', fr: 'Jus d’orange', ja: 'オレンジジュース' },
        priceMinor: 350,
        stock: 40,
        maxQty: 10,
      },
      { sku: 'food-sandwich', kind: 'food', name: { en: 'Club sandwich' }, priceMinor: 890, stock: 20, maxQty: 10 },
      { sku: 'pass-entertainment', kind: 'pass', name: { en: 'Entertainment pass' }, priceMinor: 1299, maxQty: 1 },
    ],
    cardKey: {
      alg: 'RSA-OAEP-256',
      spki: spki.toString('base64'),
      keyId: crypto.createHash('sha256').update(spki).digest('hex').slice(0, 32),
    },
    cardHashSalt: crypto.randomBytes(16).toString('hex'),
    limits: { floorLimitMinor: 20_000, perCardFlightMinor: 100_000, perCardOrders: 50, cardsPerSeat: 3 },
  };
}

/** Sealing the card and the durable write take seconds on a loaded machine; a refusal is shown in #shop-status. */
async function receipt(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(selector, { timeout: 90_000 }).catch(async (error: Error) => {
    const status = await page
      .locator('#shop-status')
      .innerText()
      .catch(() => '(no #shop-status)');
    throw new Error(`${error.message}; shop status: ${status}; page at ${page.url()}`);
  });
}

test('kiosk buys Wi-Fi and a drink; a paired phone buys a film that plays on the seat; crew deliver the drink', {
  timeout: 300_000,
}, async () => {
  const app = env.cabin.appliance!;
  const publication = signBlock(
    {
      kind: 'price-list' as const,
      name: 'shop',
      version: 1,
      aircraftId: null,
      payload: catalogue() as unknown as Record<string, unknown>,
      files: [],
      seq: 1,
      tenantId: 'demo-air',
      publishedAt: new Date().toISOString(),
    },
    groundKeys.privateKey,
  );
  await app.sync.publications.accept([publication]);

  const kiosk = await seatContext(env.browser, env.cabin, '12A', KIOSK);
  const seat = await kiosk.newPage();
  const handset = await phoneContext(env.browser);
  const phone = await handset.newPage();
  const crewCtx = await env.browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const crew = await crewCtx.newPage();
  try {
    // The kiosk: Wi-Fi pass and a drink.
    await openApp(seat, env.cabin, '#/shop');
    await seat.waitForSelector('[data-add="wifi-flight"]');
    // Passes say how long they last; prices are in euros with the passenger's currency beside them (English seat: dollars).
    const item = (sku: string) => seat.locator(`li[data-sku="${sku}"]`);
    assert.match(await item('wifi-hour').locator('.shop-item-duration').innerText(), /^1 hour$/);
    assert.match(await item('wifi-flight').locator('.shop-item-duration').innerText(), /^Whole flight$/);
    assert.equal(await item('drink-orange').locator('.shop-item-duration').count(), 0);
    assert.match(await item('drink-orange').locator('.shop-item-price').innerText(), /^€3\.50\s+about \$3\.78$/);
    await seat.selectOption('#shop-currency', 'JPY');
    assert.match(await item('drink-orange').locator('.shop-item-price').innerText(), /^€3\.50\s+about ¥560$/);
    await screenshot(seat, 'kiosk-shop');
    await seat.click('[data-add="wifi-flight"]');
    await seat.click('[data-add="drink-orange"]');
    assert.match(await seat.locator('#basket-total').innerText(), /18[.,]50/);
    assert.match(await seat.locator('.basket-total').innerText(), /about ¥2,960/);
    assert.match(await seat.locator('.shop-approx-note').innerText(), /approximate.*pay in EUR/);
    await seat.fill('#card-email', 'passenger@example.org');
    // A mistyped number is caught on the screen before anything is sent.
    await seat.fill('#card-number', '4242 4242 4242 4241');
    await seat.fill('#card-expiry', '12/30');
    await seat.click('#pay');
    await seat.waitForSelector('#shop-status.error');
    assert.match(await seat.locator('#shop-status').innerText(), /not valid/);
    await screenshot(seat, 'kiosk-shop-card-refused');
    await seat.fill('#card-number', '4242 4242 4242 4242');
    await seat.click('#pay');
    await receipt(seat, '#receipt');
    await seat.locator('a[data-nav="shop"][aria-current="page"]').waitFor({ timeout: 5000 });
    const drinkOrder = await seat.locator('#receipt').getAttribute('data-order-id');
    assert.equal(await seat.locator('#receipt').getAttribute('data-status'), 'placed', 'the drink waits for the crew');
    assert.match(await seat.locator('#receipt').innerText(), /VISA •••• 4242/);
    await screenshot(seat, 'kiosk-shop-receipt');

    // The phone pairs with the seat (its QR link), then buys the film from its Buy route.
    await seat.goto(`${env.cabin.baseUrl}/#/pair`);
    const code = (await seat.locator('[data-testid="pairing-code"]').innerText()).trim();
    await phone.goto(`${env.cabin.baseUrl}/#/pair?code=${code}`);
    await phone.waitForSelector('.remote-seat');
    await phone.goto(`${env.cabin.baseUrl}/#/shop/title/${FILM}`);
    await phone.waitForSelector(`[data-line="title:${FILM}"]`);
    await phone.fill('#card-number', '5555 5555 5555 4444');
    await phone.fill('#card-expiry', '11/31');
    await screenshot(phone, 'phone-shop-title');
    await phone.click('#pay');
    await receipt(phone, '#receipt #watch-now');
    assert.equal(await phone.locator('#receipt').getAttribute('data-status'), 'fulfilled');
    await screenshot(phone, 'phone-shop-receipt');

    // The seat's detail page of the film now says it is the passenger's: Play, no Buy.
    await seat.goto(`${env.cabin.baseUrl}/#/title/${FILM}`);
    const included = seat.locator('#included-with');
    await included.waitFor({ timeout: 20_000 });
    assert.match(await included.innerText(), /Bought for this flight/);
    assert.equal(await seat.locator('#buy').count(), 0, 'no Buy button for a bought film');
    assert.equal(await seat.locator('#play').count(), 1, 'Play instead');
    await screenshot(seat, 'kiosk-bought-film-detail');

    // The film now plays on the seat: the key server asks the shop.
    await seat.goto(`${env.cabin.baseUrl}/#/play/${FILM}?from=0`);
    await waitForPlayback(seat, 0.5, 60_000);
    await screenshot(seat, 'kiosk-bought-film-playing');

    // The crew console: the drink order in the queue, marked delivered.
    const purser = env.cabin.credentials.crew.find((c) => c.role === 'purser')!;
    await crew.goto(`${env.cabin.baseUrl}/crew`);
    await crew.fill('#crew-id', purser.crewId);
    await crew.fill('#crew-pin', purser.pin);
    await crew.click('#crew-login');
    const row = crew.locator(`#crew-orders li[data-order-id="${drinkOrder}"]`);
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.innerText(), /12A/);
    // Items by name, not by sku, in the queue and the galley.
    assert.match(await row.innerText(), /1 × Orange juice/);
    assert.match(await crew.locator('#crew-galley').innerText(), /1 × Orange juice/);
    assert.match(await crew.locator('#crew-stock tr[data-sku="drink-orange"]').innerText(), /40\s+1\s+39/);
    await crew.locator('#crew-orders').scrollIntoViewIfNeeded();
    await screenshot(crew, 'crew-orders');
    await row.locator('button[data-action="delivered"]').click();
    await crew.waitForSelector(`#crew-orders li[data-order-id="${drinkOrder}"][data-status="delivered"]`);
    await crew.locator('#crew-orders').scrollIntoViewIfNeeded();
    await screenshot(crew, 'crew-orders-delivered');
    // The panel speaks the console's language: Japanese after a reload with it chosen.
    await crew.evaluate(() => localStorage.setItem('ifec.crew.lang', 'ja'));
    await crew.reload();
    await crew.waitForFunction(
      () => document.getElementById('orders-heading')?.textContent === 'ショップの注文',
      undefined,
      {
        timeout: 20_000,
      },
    );
    await crew.waitForSelector(`#crew-orders li[data-order-id="${drinkOrder}"]`);
    const ordersJa = await crew.locator('#crew-orders').innerText();
    assert.match(ordersJa, /お届け済み/);
    assert.match(ordersJa, /ギャレー/);
    assert.match(ordersJa, /1 × オレンジジュース/, 'item names in the console language');
    for (const english of ['Shop orders', 'Galley', 'Stock', 'from seat', 'Cancel'])
      assert.ok(!ordersJa.includes(english), english);
    await crew.locator('#crew-orders').scrollIntoViewIfNeeded();
    await screenshot(crew, 'crew-orders-ja');
    const receipts = (await (
      await fetch(`${env.cabin.baseUrl}/api/shop/orders`, {
        headers: {
          authorization: `Basic ${Buffer.from(`seat:12A:${env.cabin.credentials.seats['12A']}`).toString('base64')}`,
        },
      })
    ).json()) as { orders: { orderId: string; status: string }[] };
    assert.equal(receipts.orders.find((o) => o.orderId === drinkOrder)?.status, 'delivered');
    assert.equal(receipts.orders.length, 2, 'the seat sees both receipts: its own and its phone’s');

    // In Japanese: the durations and the approximate yen price come in the seat's language.
    await chooseLanguage(seat, 'ja');
    await seat.goto(`${env.cabin.baseUrl}/#/shop`);
    await seat.waitForSelector('li[data-sku="wifi-hour"] .shop-item-duration');
    assert.match(await seat.locator('li[data-sku="wifi-hour"] .shop-item-duration').innerText(), /1\s*時間/);
    assert.match(await seat.locator('li[data-sku="wifi-flight"] .shop-item-duration').innerText(), /フライト中ずっと/);
    assert.match(await seat.locator('li[data-sku="drink-orange"] .shop-approx').innerText(), /約\s*[¥￥]560/);
    assert.match(await seat.locator('a[data-nav="shop"]').innerText(), /ショップ/);
    await screenshot(seat, 'kiosk-shop-ja');
  } finally {
    await kiosk.close();
    await handset.close();
    await crewCtx.close();
  }
});
