/**
 * The shop over HTTP (paths in protocol/src/commerce.ts). Seats send their seat token
 * (Bearer); a paired phone sends its bus credentials (Basic phone:<deviceId>) and orders for
 * the seat it is paired with, never another. Crew see the queue, stock and galley summary.
 */
import { parseBody } from '@ifec/http-kit';
import {
  currencyCode,
  displayPrice,
  IfecError,
  languageCode,
  orderRequest,
  orderStatusChange,
  shopPaths,
} from '@ifec/protocol';
import { type Request, Router } from 'express';
import { z } from 'zod';
import type { AccessDirectory } from '../access/directory.ts';
import { requireCrew } from '../http/crew-auth.ts';
import type { SeatSessions } from '../seat-state/sessions.ts';
import type { CatalogueProblem, LiveCatalogue } from './catalogue.ts';
import { type OrderDesk, ShopRefused } from './orders.ts';

export const catalogueQuery = z
  .object({
    lang: languageCode.optional(),
    currency: currencyCode.optional(),
    device: z.enum(['seat', 'phone']).optional(),
  })
  .strict();

/** GET crew stock: the console's language for item names. */
export const crewStockQuery = z.object({ lang: languageCode.optional() }).strict();

/** An item's name in a language, else its base language, else English (always present). */
const nameIn = (name: Record<string, string | undefined>, lang: string): string =>
  name[lang] ?? name[lang.slice(0, 2)] ?? name.en ?? '';

export interface ShopHttpDeps {
  directory: AccessDirectory;
  seatSessions: SeatSessions;
  pairedSeat: (deviceId: string) => string | undefined;
  desk: OrderDesk;
  catalogue: () => Promise<LiveCatalogue | CatalogueProblem>;
}

/** Who orders: a seat (its token) or a phone paired with a seat. */
export async function callerOf(
  deps: Pick<ShopHttpDeps, 'directory' | 'seatSessions' | 'pairedSeat'>,
  req: Request,
): Promise<{ seatId: string; placedBy: string }> {
  const header = req.get('authorization') ?? '';
  if (header.startsWith('Bearer ')) {
    const seatId = deps.seatSessions.verify(header.slice(7));
    if (seatId) return { seatId, placedBy: `seat:${seatId}` };
  } else if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':', decoded.indexOf(':') + 1);
    const principal =
      colon > 0 ? await deps.directory.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
    // The kiosk shows its bus credentials (Basic seat:<id>), as for playback.
    if (principal?.role === 'seat') return { seatId: principal.seatId, placedBy: `seat:${principal.seatId}` };
    if (principal?.role === 'phone') {
      const seatId = deps.pairedSeat(principal.deviceId);
      if (!seatId) throw new IfecError('NOT_PAIRED', 'pair this phone with your seat before ordering');
      return { seatId, placedBy: `phone:${principal.deviceId}` };
    }
  }
  throw new ShopRefused(
    'SHOP_LOGIN_REQUIRED',
    'order as a seat (Bearer seat token) or as a paired phone (Basic phone:<deviceId>)',
  );
}

export function shopRouter(deps: ShopHttpDeps): Router {
  const router = Router();
  const crew = requireCrew(deps.directory, ['purser', 'cabin_crew']);

  router.get(shopPaths.catalogue, async (req, res) => {
    const q = parseBody(catalogueQuery, req.query);
    const live = await deps.catalogue();
    if (!('items' in live)) return void res.json({ open: false, reason: live.reason, items: [] });
    const lang = q.lang ?? 'en';
    const rate = q.currency ? live.catalogue.rates[q.currency] : undefined;
    const sold = deps.desk.soldUnder(live.seq);
    res.json({
      open: true,
      currency: live.catalogue.currency,
      displayCurrency: rate !== undefined ? q.currency : live.catalogue.currency,
      rate: rate ?? 1,
      // Every published display rate: the seat offers the passenger's currency beside the airline's.
      rates: live.catalogue.rates,
      priceZone: live.priceZone,
      cardKey: live.catalogue.cardKey,
      cardHashSalt: live.catalogue.cardHashSalt,
      limits: live.catalogue.limits,
      items: [...live.items.values()].map((i) => ({
        sku: i.sku,
        kind: i.kind,
        name: nameIn(i.name, lang),
        unitPriceMinor: i.unitPriceMinor,
        displayPriceMinor: displayPrice(i.unitPriceMinor, rate),
        left: i.stock === undefined ? null : Math.max(0, i.stock - (sold.get(i.sku) ?? 0)),
        maxQty: i.maxQty,
        ...(i.titleId ? { titleId: i.titleId } : {}),
        ...(i.image ? { image: i.image } : {}),
        // Passes: how long one lasts (null = the whole flight).
        ...(i.kind === 'wifi' || i.kind === 'pass' ? { durationMin: i.durationMin ?? null } : {}),
      })),
    });
  });

  router.post(shopPaths.orders, async (req, res) => {
    const caller = await callerOf(deps, req);
    const body = parseBody(orderRequest, req.body);
    const receipt = await deps.desk.place(body, caller);
    res.status(receipt.duplicate ? 200 : 201).json(receipt);
  });

  router.get(shopPaths.orders, async (req, res) => {
    const caller = await callerOf(deps, req);
    res.json({ seatId: caller.seatId, orders: deps.desk.ordersOf(caller.seatId) });
  });

  router.get(shopPaths.entitlements, async (req, res) => {
    const caller = await callerOf(deps, req);
    res.json({ seatId: caller.seatId, ...deps.desk.entitlementsOf(caller.seatId) });
  });

  router.get(shopPaths.crewOrders, crew, (_req, res) => {
    // The receipt address is for the ground's mail relay only: the crew never see it.
    res.json({
      orders: deps.desk
        .queue()
        .slice(0, 500)
        .map(({ email: _email, ...order }) => order),
    });
  });

  router.post(shopPaths.crewOrderStatus, crew, async (req, res) => {
    const orderId = parseBody(z.string().uuid(), req.params.orderId);
    const { status } = parseBody(orderStatusChange, req.body);
    const crewId = (res.locals.crew as { crewId?: string } | undefined)?.crewId ?? 'crew';
    res.json({ order: await deps.desk.setStatus(orderId, status, `crew:${crewId}`) });
  });

  router.get(shopPaths.crewStock, crew, async (req, res) => {
    const lang = parseBody(crewStockQuery, req.query).lang ?? 'en';
    const live = await deps.catalogue();
    if (!('items' in live)) return void res.json({ open: false, reason: live.reason, stock: [], names: {} });
    const sold = deps.desk.soldUnder(live.seq);
    res.json({
      open: true,
      // Every item's name, passes and titles included: the console shows names, not skus, in orders and the galley.
      names: Object.fromEntries([...live.items.values()].map((i) => [i.sku, nameIn(i.name, lang)])),
      stock: [...live.items.values()]
        .filter((i) => i.stock !== undefined)
        .map((i) => ({
          sku: i.sku,
          name: nameIn(i.name, lang),
          loaded: i.stock,
          sold: sold.get(i.sku) ?? 0,
          left: Math.max(0, (i.stock ?? 0) - (sold.get(i.sku) ?? 0)),
        })),
    });
  });

  // What the galley must prepare: units of each physical item in orders not yet delivered.
  router.get(shopPaths.crewGalley, crew, (_req, res) => {
    const toPrepare = new Map<string, { sku: string; units: number; seats: Set<string> }>();
    let open = 0;
    for (const order of deps.desk.queue()) {
      if (order.status !== 'placed' && order.status !== 'accepted') continue;
      open++;
      for (const line of order.lines) {
        if (line.kind !== 'food' && line.kind !== 'drink' && line.kind !== 'duty-free') continue;
        const entry = toPrepare.get(line.sku) ?? { sku: line.sku, units: 0, seats: new Set<string>() };
        entry.units += line.qty;
        entry.seats.add(order.seatId);
        toPrepare.set(line.sku, entry);
      }
    }
    res.json({
      openOrders: open,
      items: [...toPrepare.values()].map((e) => ({ sku: e.sku, units: e.units, seats: [...e.seats].sort() })),
    });
  });

  return router;
}
