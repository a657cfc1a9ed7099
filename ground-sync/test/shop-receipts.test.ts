/**
 * Receipts after landing, on a real appliance, a real ground (PGlite) and a real SMTP server
 * in this process: a settled order whose passenger gave an address gets exactly one mail
 * (paid or declined), through passes, a deferral, a second mailer racing the first and a
 * restart of the ground; the address is erased once mailed and never logged; a bad address
 * is refused by the appliance; with no relay set the ground says so once and mails nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import test, { after, before } from 'node:test';
import type { CardEncryptionKey } from '@ifec/protocol';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { ReceiptMailer, smtpRelay } from '../src/commerce/receipts.ts';
import { loadGroundConfig } from '../src/config.ts';
import { type RunningGround, startGround } from '../src/main.ts';
import {
  buildOrder,
  CARD_FUNDS,
  CARD_OK,
  cardKeyOf,
  postOrder,
  publishShop,
  seatLogin,
  seatSecrets,
  shopCatalogueFor,
} from './shop-support.ts';
import { crewToken, startTestAircraft, type TestAircraft, tempDir, tenantWithKey, waitFor } from './support.ts';

const TAIL = 'F-HRCP';
const ADDRESS = {
  paid: 'paid.passenger@example.org',
  declined: 'declined.passenger@example.org',
  bounce: 'nobody@example.org',
  deferred: 'later.passenger@example.org',
};

interface Received {
  to: string[];
  raw: string;
}
const mails: Received[] = [];
let deferredOnce = false;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onRcptTo(address, _session, callback) {
    if (address.address === ADDRESS.bounce)
      return callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
    if (address.address === ADDRESS.deferred && !deferredOnce) {
      deferredOnce = true;
      return callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
    }
    callback();
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
      callback();
    });
  },
});

const logLines: string[] = [];
const captureLog = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
);

let smtpUrl: string;
let groundDir: string;
let ground: RunningGround;
let aircraft: TestAircraft;
let cardKey: CardEncryptionKey;
let seat: { seatId: string; auth: string };

const groundConfig = (port: number, extra: Record<string, string> = {}) =>
  loadGroundConfig({
    GROUND_PORT: String(port),
    GROUND_HOST: '127.0.0.1',
    GROUND_DATA_DIR: groundDir,
    GROUND_SETTLE_INTERVAL_MS: '0',
    GROUND_RECEIPT_INTERVAL_MS: '0',
    GROUND_SMTP_URL: smtpUrl,
    GROUND_RECEIPT_FROM: 'Skyline Shop <receipts@skyline.example>',
    ...extra,
  });
const mailsFor = (orderId: string) => mails.filter((m) => m.raw.includes(orderId));
/** A header of the mail as received, unfolded (long headers are split over lines). */
const header = (raw: string, name: string) =>
  new RegExp(`^${name}: (.*)$`, 'mi').exec(raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' '))?.[1];

before(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  groundDir = tempDir();
  ground = await startGround(groundConfig(0), captureLog);
  const apiKey = await tenantWithKey(ground, 'air-receipts');
  aircraft = await startTestAircraft(ground, 'air-receipts', TAIL, { IFEC_GROUND_URL: ground.url });
  cardKey = await cardKeyOf(ground.url, apiKey);
  await publishShop(ground.url, apiKey, shopCatalogueFor(cardKey), 1);
  await waitFor(
    async () => ((await (await fetch(`${aircraft.url}/api/shop/catalogue`)).json()) as { open: boolean }).open,
    30_000,
    'the shop catalogue on the aircraft',
  );
  const [seatId, secret] = seatSecrets(aircraft.dataDir)[0]!;
  seat = { seatId, auth: `Bearer ${await seatLogin(aircraft.url, seatId, secret)}` };
});
after(async () => {
  await aircraft?.app.stop();
  await ground?.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

test('a bad receipt address is refused by the appliance with a clear error, and nothing is journalled', async () => {
  const journal = () => fs.statSync(path.join(aircraft.dataDir, 'journal.log')).size;
  const before = journal();
  const refused: string[] = [];
  const cola = { sku: 'drink-cola', qty: 1, unitPriceMinor: 350 };
  for (const email of ['not-an-address', 'a@b.example\r\nBcc: all@example.org', `${'a'.repeat(200)}@example.org`, '']) {
    const order = { ...(await buildOrder(seat.seatId, [cola], CARD_OK, cardKey)), email };
    refused.push(order.orderId);
    const res = await postOrder(aircraft.url, seat.auth, order);
    assert.equal(res.status, 400, JSON.stringify(email));
    assert.equal(res.body.error?.code, 'INVALID_BODY');
    assert.match(res.body.error!.message, /^email: an e-mail address/, res.body.error!.message);
  }
  // The appliance journals other things meanwhile (its ground sync position): none of these orders is among them.
  const appended = fs.readFileSync(path.join(aircraft.dataDir, 'journal.log')).subarray(before).toString('utf8');
  for (const id of refused) assert.ok(!appended.includes(id), `order ${id} was journalled`);
});

test('each settled order with an address gets one receipt, paid or declined; the address is then erased and never logged', async () => {
  const cola = { sku: 'drink-cola', qty: 2, unitPriceMinor: 350 };
  const sandwich = { sku: 'food-sandwich', qty: 1, unitPriceMinor: 890 };
  const place = async (lines: (typeof cola)[], card = CARD_OK, email?: string) => {
    const order = { ...(await buildOrder(seat.seatId, lines, card, cardKey)), ...(email ? { email } : {}) };
    const res = await postOrder(aircraft.url, seat.auth, order);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return order.orderId;
  };
  const paid = await place([cola, sandwich], CARD_OK, ADDRESS.paid);
  const declined = await place([cola], CARD_FUNDS, ADDRESS.declined);
  const bounced = await place([sandwich], CARD_OK, ADDRESS.bounce);
  const deferred = await place([cola], CARD_OK, ADDRESS.deferred);
  const anonymous = await place([sandwich]);
  const orders = [paid, declined, bounced, deferred, anonymous];

  // The crew's queue does not show the addresses.
  const crew = await crewToken(aircraft.url, aircraft.dataDir);
  const queue = await (
    await fetch(`${aircraft.url}/api/crew/shop/orders`, { headers: { authorization: `Bearer ${crew}` } })
  ).text();
  for (const a of Object.values(ADDRESS)) assert.ok(!queue.includes(a), 'no address in the crew queue');

  // Nothing is mailed before the ground has settled the order.
  assert.deepEqual(await ground.receipts.runOnce(), { sent: 0, retried: 0, failed: 0 });
  await waitFor(
    async () => {
      await ground.settlement.runOnce();
      const { rows } = await ground.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM shop_payments WHERE order_id = ANY($1) AND state <> 'pending'",
        [orders],
      );
      return rows[0]!.n === orders.length;
    },
    60_000,
    'every order settled',
  );

  // Two mailers (two ground processes) race over the same receipts: each goes out once.
  const second = new ReceiptMailer({
    db: ground.db,
    relay: smtpRelay(smtpUrl, 'Skyline Shop <receipts@skyline.example>'),
    domain: 'skyline.example',
    log: captureLog,
  });
  const [a, b] = await Promise.all([ground.receipts.runOnce(), second.runOnce()]);
  second.close();
  assert.deepEqual(
    { sent: a.sent + b.sent, retried: a.retried + b.retried, failed: a.failed + b.failed },
    { sent: 2, retried: 1, failed: 1 },
  );
  assert.equal(mailsFor(paid).length, 1);
  assert.equal(mailsFor(declined).length, 1);
  assert.equal(mailsFor(bounced).length, 0, 'refused for good by the relay: not retried');
  assert.equal(mailsFor(anonymous).length, 0, 'no address, no mail');

  const receipt = mailsFor(paid)[0]!;
  assert.deepEqual(receipt.to, [ADDRESS.paid]);
  assert.equal(header(receipt.raw, 'Subject'), `Your receipt ${paid}: EUR 15.90`);
  assert.equal(header(receipt.raw, 'Message-ID'), `<receipt.${paid}@skyline.example>`);
  assert.match(header(receipt.raw, 'From')!, /receipts@skyline\.example/);
  for (const line of [`Order: ${paid}`, '2 x Cola  EUR 7.00', '1 x Club sandwich  EUR 8.90', 'Total: EUR 15.90'])
    assert.ok(receipt.raw.includes(line), `${line} in\n${receipt.raw}`);
  assert.ok(receipt.raw.includes('VISA ending 4242'));
  const decline = mailsFor(declined)[0]!;
  assert.equal(header(decline.raw, 'Subject'), `Your order ${declined}: EUR 7.00 (not charged)`);
  assert.ok(decline.raw.includes('declined the payment: nothing was charged (insufficient funds)'), decline.raw);

  // Another pass sends nothing; once the relay's deferral has passed, the deferred one goes, once.
  assert.deepEqual(await ground.receipts.runOnce(), { sent: 0, retried: 0, failed: 0 });
  await ground.db.query("UPDATE shop_receipts SET next_at = now() WHERE order_id = $1 AND state = 'due'", [deferred]);
  assert.deepEqual(await ground.receipts.runOnce(), { sent: 1, retried: 0, failed: 0 });
  assert.equal(mailsFor(deferred).length, 1);

  // A restarted ground (same store, same port for the aircraft) sends nothing more, however often it runs.
  const port = new URL(ground.url).port;
  await ground.stop();
  ground = await startGround(groundConfig(Number(port)), captureLog);
  await ground.settlement.runOnce();
  assert.deepEqual(await ground.receipts.runOnce(), { sent: 0, retried: 0, failed: 0 });
  assert.equal(mails.length, 3);
  for (const id of orders) assert.ok(mailsFor(id).length <= 1, `at most one mail for ${id}`);

  // The addresses are gone from the ground's tables, and were never in its log.
  const { rows } = await ground.db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM uplink_records WHERE data::text LIKE '%@example.org%')::int
          + (SELECT count(*) FROM shop_receipts WHERE email IS NOT NULL)::int AS n`,
  );
  assert.equal(rows[0]!.n, 0);
  const states = await ground.db.query<{ order_id: string; state: string }>(
    'SELECT order_id, state FROM shop_receipts ORDER BY order_id',
  );
  assert.deepEqual(
    Object.fromEntries(states.rows.map((r) => [r.order_id, r.state])),
    Object.fromEntries(
      [
        [paid, 'sent'],
        [declined, 'sent'],
        [bounced, 'failed'],
        [deferred, 'sent'],
      ].sort(),
    ),
  );
  const log = logLines.join('');
  assert.ok(log.includes('receipt not sent'), 'the deferral and the bounce are logged (by order id)');
  for (const address of Object.values(ADDRESS)) assert.ok(!log.includes(address), `${address} is not in the log`);
});

test('with no relay configured the ground says so once and mails nothing', async () => {
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  groundDir = tempDir();
  const quiet = await startGround(groundConfig(0, { GROUND_SMTP_URL: '' }), log);
  try {
    assert.deepEqual(await quiet.receipts.runOnce(), { sent: 0, retried: 0, failed: 0 });
    assert.equal(lines.filter((l) => l.includes('receipts are not e-mailed')).length, 1);
  } finally {
    await quiet.stop();
  }
  assert.throws(() => groundConfig(0, { GROUND_SMTP_URL: 'http://relay.example' }), /GROUND_SMTP_URL/);
  assert.throws(
    () => groundConfig(0, { GROUND_RECEIPT_FROM: 'a@b.example\r\nBcc: x@y.example' }),
    /GROUND_RECEIPT_FROM/,
  );
});
