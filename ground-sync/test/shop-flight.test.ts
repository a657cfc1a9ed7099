/**
 * A flight's shop on the real appliance process and the real ground: 200 orders from seats
 * and paired phones while the gate link is cut 10 times and the appliance is killed with
 * kill -9 twice in the middle of a burst of orders. Every acknowledged order is settled
 * exactly once; an order whose answer was lost in a kill is settled only if it was durable
 * (the seat then sees its receipt), whether or not the seat retried it; refused orders are
 * never settled; and no test card number is in any file of the appliance's data dir or in
 * its logs (the bytes are searched).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import type { OrderRequest } from '@ifec/protocol';
import { loadOrCreateIdentity } from '../../appliance/src/sync/identity.ts';
import { registerAircraft } from '../src/fleet/aircraft.ts';
import { LinkEmulator } from '../src/link-emulator/link-emulator.ts';
import {
  buildOrder,
  CARD_FUNDS,
  CARD_OK,
  CARD_STOLEN,
  cardKeyOf,
  pairPhone,
  postOrder,
  publishShop,
  seatLogin,
  seatSecrets,
  shopCatalogueFor,
  TEST_PANS,
} from './shop-support.ts';
import { applianceEnv, crewToken, startTestGround, tempDir, tenantWithKey, waitFor } from './support.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TAIL = 'F-HFLT';

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

function spawnAppliance(env: Record<string, string>, log: fs.WriteStream): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'appliance/src/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, IFEC_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Everything the appliance logs goes to a file the test searches for card numbers.
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const m = /"httpPort":(\d+),"mqttPort":(\d+)/.exec(text);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}`, exited });
    });
    child.once('exit', (code) => reject(new Error(`appliance exited with ${code}: ${text.slice(-800)}`)));
  });
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

type Outcome = 'acked' | 'lost' | 'refused';

test('200 orders, 10 link cuts, 2 kill -9: every acknowledged order settled exactly once, no card number aboard', {
  timeout: 900_000,
}, async () => {
  const ground = await startTestGround('pglite');
  const dataDir = tempDir('ifec-aircraft-shop-');
  const logFile = path.join(tempDir('ifec-shop-logs-'), 'appliance.log');
  const log = fs.createWriteStream(logFile);
  let app: Running | undefined;
  const link = await LinkEmulator.start({ host: '127.0.0.1', port: ground.port }, { rttMs: 20 });
  try {
    const apiKey = await tenantWithKey(ground, 'air-flt');
    await registerAircraft(ground.db, 'air-flt', TAIL, loadOrCreateIdentity(dataDir).publicKeyPem);
    fs.writeFileSync(path.join(dataDir, 'ground-public-key.pem'), ground.publicKeyPem);
    const env = applianceEnv(dataDir, {
      IFEC_TAIL_NUMBER: TAIL,
      IFEC_GROUND_URL: link.url,
      IFEC_GROUND_PUBLIC_KEY: path.join(dataDir, 'ground-public-key.pem'),
      IFEC_SHOP_ORDER_BURST: '1000',
    });
    app = await spawnAppliance(env, log);
    const cardKey = await cardKeyOf(ground.url, apiKey);
    // The 200 orders add up to ~2,016 EUR on the test card: its flight limit is raised above that, or the last
    // orders would be refused (CARD_LIMIT_REACHED) whenever the kills happened to lose none.
    const catalogue = shopCatalogueFor(cardKey);
    await publishShop(
      ground.url,
      apiKey,
      { ...catalogue, limits: { ...catalogue.limits, perCardFlightMinor: 1_000_000 } },
      1,
    );
    await waitFor(
      async () => ((await (await fetch(`${app!.url}/api/shop/catalogue`)).json()) as { open: boolean }).open,
      60_000,
      'the catalogue aboard',
    );

    // 20 seats, 10 of them with a paired phone.
    const buyers: { seatId: string; auth: string }[] = [];
    for (const [k, [seatId, secret]] of seatSecrets(dataDir).slice(0, 20).entries()) {
      const token = await seatLogin(app.url, seatId, secret);
      buyers.push({ seatId, auth: `Bearer ${token}` });
      if (k % 2 === 0) buyers.push({ seatId, auth: (await pairPhone(app.url, token)).auth });
    }
    const menu = [
      { sku: 'drink-cola', unitPriceMinor: 350 },
      { sku: 'food-sandwich', unitPriceMinor: 890 },
    ];
    const orders: { order: OrderRequest | Record<string, unknown>; auth: string; bad: boolean }[] = [];
    for (let i = 0; i < 200; i++) {
      const buyer = buyers[i % buyers.length]!;
      const card = i % 20 === 7 ? CARD_FUNDS : i % 20 === 13 ? CARD_STOLEN : CARD_OK;
      const order = await buildOrder(buyer.seatId, [{ ...menu[i % 2]!, qty: 1 + (i % 3) }], card, cardKey);
      // One in 25 is a hostile variant: the price changed by the client.
      const bad = i % 25 === 11;
      orders.push({
        order: bad
          ? { ...order, lines: [{ ...order.lines[0]!, unitPriceMinor: 1 }], totalMinor: order.lines[0]!.qty }
          : order,
        auth: buyer.auth,
        bad,
      });
    }

    const outcome = new Map<string, Outcome>();
    const idOf = (i: number) => (orders[i]!.order as OrderRequest).orderId;
    /** Set during a burst: kills the appliance the moment its first answer arrives. */
    let onAnswer: (() => void) | undefined;
    const send = async (i: number): Promise<void> => {
      try {
        const res = await postOrder(app!.url, orders[i]!.auth, orders[i]!.order);
        if (res.status === 201 || res.status === 200) {
          outcome.set(idOf(i), 'acked');
          onAnswer?.();
        } else if (res.status >= 400 && res.status < 500) outcome.set(idOf(i), 'refused');
        else outcome.set(idOf(i), 'lost');
      } catch {
        outcome.set(idOf(i), 'lost'); // the connection died with the appliance: no answer
      }
    };
    let cuts = 0;
    const run = async (from: number, to: number, concurrency = 6) => {
      let next = from;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < to) {
            const i = next++;
            // Every 20 orders the gate link drops every connection (uploads in flight included).
            if (i % 20 === 19 && cuts < 10) {
              link.cutAll();
              cuts++;
            }
            await send(i);
          }
        }),
      );
    };
    const burstAndKill = async (from: number, to: number) => {
      const killed = new Promise<void>((resolve) => {
        onAnswer = () => {
          onAnswer = undefined;
          app!.child.kill('SIGKILL');
          resolve();
        };
      });
      // Sent 20 ms apart, killed as the first answer arrives: the rest are in the journal's group commit,
      // on the wire, or not sent yet, however fast the machine is.
      const sends = Array.from({ length: to - from }, (_, k) =>
        new Promise((r) => setTimeout(r, k * 20)).then(() => send(from + k)),
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        killed,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no first answer of the burst in 60 s')), 60_000);
        }),
      ]);
      clearTimeout(timer);
      await app!.exited;
      await Promise.all(sends);
      app = await spawnAppliance(env, log);
    };

    await run(0, 60);
    await burstAndKill(60, 75);
    await run(75, 130);
    await burstAndKill(130, 145);
    await run(145, 200);
    while (cuts < 10) {
      link.cutAll();
      cuts++;
    }
    const killed = [...Array(15).keys()].flatMap((k) => [idOf(60 + k), idOf(130 + k)]);
    const lost = [...outcome].filter(([, o]) => o === 'lost').map(([id]) => id);
    assert.ok(
      lost.every((id) => killed.includes(id)),
      'only orders in flight at a kill went unanswered',
    );
    assert.ok(lost.length > 0, 'the kills came mid-order (some answers were lost)');
    // The seat app retries what went unanswered; half of them are retried here, half never.
    const retried = lost.filter((_, k) => k % 2 === 0);
    for (const id of retried) await send(orders.findIndex((o) => (o.order as OrderRequest).orderId === id));

    const crew = await crewToken(app.url, dataDir);
    const aboard = (await (
      await fetch(`${app.url}/api/crew/shop/orders`, { headers: { authorization: `Bearer ${crew}` } })
    ).json()) as { orders: { orderId: string; seatId: string }[] };
    const aboardIds = new Set(aboard.orders.map((o) => o.orderId));
    const acked = [...outcome].filter(([, o]) => o === 'acked').map(([id]) => id);
    const refused = [...outcome].filter(([, o]) => o === 'refused').map(([id]) => id);
    // A hostile order sent as the appliance died has no answer (and may never be retried): it is unanswered, never acked.
    const hostile = orders.filter((o) => o.bad).map((o) => (o.order as OrderRequest).orderId);
    assert.deepEqual(
      [...refused].sort(),
      hostile.filter((id) => outcome.get(id) !== 'lost').sort(),
      'the hostile orders, and only they, were refused',
    );
    assert.ok(
      hostile.every((id) => outcome.get(id) !== 'acked'),
      'no hostile order was acknowledged',
    );
    for (const id of acked) assert.ok(aboardIds.has(id), `acknowledged order ${id} survived the kills`);

    // The ground settles everything aboard, once.
    await waitFor(
      async () => {
        await ground.settlement.runOnce();
        const { rows } = await ground.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM shop_payments WHERE aircraft_id = $1 AND state <> 'pending'",
          [TAIL],
        );
        return rows[0]!.n === aboardIds.size;
      },
      300_000,
      'every order aboard settled on the ground',
    );
    const payments = await ground.db.query<{ order_id: string; state: string }>(
      'SELECT order_id, state FROM shop_payments WHERE aircraft_id = $1',
      [TAIL],
    );
    const settled = new Set(payments.rows.map((r) => r.order_id));
    for (const id of acked) assert.ok(settled.has(id), `acknowledged ${id} settled`);
    for (const id of [...refused, ...hostile]) assert.ok(!settled.has(id), `refused ${id} never settled`);
    for (const id of settled) assert.ok(acked.includes(id) || lost.includes(id), `${id} settled but never sent`);
    // An unanswered order that was durable is settled, and the seat sees its receipt (GET /api/shop/orders).
    for (const id of lost.filter((x) => settled.has(x) && !retried.includes(x))) {
      const o = orders.find((x) => (x.order as OrderRequest).orderId === id)!;
      const mine = (await (
        await fetch(`${app.url}/api/shop/orders`, { headers: { authorization: o.auth } })
      ).json()) as {
        orders: { orderId: string }[];
      };
      assert.ok(
        mine.orders.some((r) => r.orderId === id),
        `the seat sees the receipt of ${id}`,
      );
    }
    const charges = await ground.db.query<{ n: number; keys: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM sandbox_acquirer_charges WHERE kind = 'charge'",
    );
    assert.deepEqual(charges.rows[0], { n: settled.size, keys: settled.size }, 'one charge per order, no more');
    const uploaded = await ground.db.query<{ n: number; ids: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS ids FROM uplink_records WHERE aircraft_id = $1 AND kind = 'order'",
      [TAIL],
    );
    assert.deepEqual(uploaded.rows[0], { n: aboardIds.size, ids: aboardIds.size }, 'each order uploaded once');
    const declined = payments.rows.filter((r) => r.state === 'declined').length;
    assert.ok(declined >= 10, `declines by test card (${declined})`);

    // No card number in any byte the appliance wrote: data dir and logs.
    app.child.kill('SIGTERM');
    await app.exited;
    app = undefined;
    await new Promise<void>((resolve) => log.end(resolve));
    const files = [...filesUnder(dataDir), logFile];
    assert.ok(files.length > 10 && fs.statSync(logFile).size > 1000, 'the search has bytes to look at');
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      for (const pan of TEST_PANS)
        assert.equal(
          bytes.indexOf(pan),
          -1,
          `card number ${pan.slice(0, 4)}… found in ${path.relative(dataDir, file)}`,
        );
    }
    // …while the journal does hold the orders (the search would see a number if it were there).
    const journal = fs.readFileSync(path.join(dataDir, 'journal.log'), 'utf8');
    assert.ok(acked.every((id) => journal.includes(id)));
  } finally {
    if (app) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    await link.close();
    await ground.dispose();
  }
});
