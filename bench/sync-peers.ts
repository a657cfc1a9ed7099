/**
 * The sync bench's peers, each in its own process so that the link is measured and not the
 * cores the uploader shares (bench/sync.ts): `ground <dataDir>` runs the real ground service
 * (PGlite), `link <targetPort> <bitsPerSecond> <rttMs>` the link emulator in front of it.
 * Both talk to the bench in JSON lines: one line `{"port":…}` when ready, then one answer per
 * command line on stdin; they exit when stdin closes.
 *
 *   ground: {"register":{"aircraftId","publicKeyPem"}} -> {"ok":true}
 *           {"count":"<aircraftId>"}                   -> {"records":n}
 *   link:   {"mark":true}                               -> {"ok":true}
 *           {"stats":true}                              -> {"bytesUp","bytesCarried","upSpanMs","sinceMark"?:{"bytesUp","upSpanMs"}}
 */
import readline from 'node:readline';
import { pino } from 'pino';
import { loadGroundConfig } from '../ground-sync/src/config.ts';
import { registerAircraft } from '../ground-sync/src/fleet/aircraft.ts';
import { LinkEmulator } from '../ground-sync/src/link-emulator/link-emulator.ts';
import { startGround } from '../ground-sync/src/main.ts';
import { createTenant } from '../ground-sync/src/tenants/tenants.ts';

type Handler = (command: Record<string, unknown>) => Promise<unknown>;

function serve(ready: Record<string, unknown>, handle: Handler, close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  const lines = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      try {
        process.stdout.write(`${JSON.stringify(await handle(JSON.parse(line) as Record<string, unknown>))}\n`);
      } catch (error) {
        process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
      }
    });
  });
  lines.on('close', () => {
    void queue.then(close).then(() => process.exit(0));
  });
}

const [role, ...args] = process.argv.slice(2);
if (role === 'ground') {
  const log = pino({ level: 'silent' });
  const ground = await startGround(
    loadGroundConfig({
      GROUND_PORT: '0',
      GROUND_HOST: '127.0.0.1',
      GROUND_DATA_DIR: args[0]!,
      GROUND_LOG_LEVEL: 'silent',
    }),
    log,
  );
  await createTenant(ground.db, 'bench', 'Bench');
  serve(
    { port: ground.port },
    async (c) => {
      if (c.register) {
        const r = c.register as { aircraftId: string; publicKeyPem: string };
        await registerAircraft(ground.db, 'bench', r.aircraftId, r.publicKeyPem);
        return { ok: true };
      }
      if (typeof c.count === 'string') {
        const { rows } = await ground.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM uplink_records WHERE aircraft_id = $1',
          [c.count],
        );
        return { records: rows[0]!.n };
      }
      throw new Error('unknown command');
    },
    () => ground.stop(),
  );
} else if (role === 'link') {
  const [targetPort, bitsPerSecond, rttMs] = args.map(Number) as [number, number, number];
  const link = await LinkEmulator.start({ host: '127.0.0.1', port: targetPort }, { bitsPerSecond, rttMs });
  // When the first and the last uplink byte came off the emulated wire: the span the link was
  // in use, so that the bench can tell an idle link (uploader, ground) from protocol round trips.
  // And the same from a mark on (the bench marks once the ground's checkpoint is back): the span
  // the outbox itself was on the wire.
  let firstUpAt: number | undefined;
  let lastUpAt = 0;
  let markedAt: { bytesUp: number; firstUpAt?: number } | undefined;
  const carried = link.carried.bind(link);
  link.carried = (bytes, upstream) => {
    if (upstream) {
      firstUpAt ??= performance.now();
      if (markedAt) markedAt.firstUpAt ??= performance.now();
      lastUpAt = performance.now();
    }
    carried(bytes, upstream);
  };
  serve(
    { port: link.port },
    async (c) => {
      if (c.mark) {
        markedAt = { bytesUp: link.bytesUp };
        return { ok: true };
      }
      if (c.stats)
        return {
          bytesUp: link.bytesUp,
          bytesCarried: link.bytesCarried,
          upSpanMs: firstUpAt === undefined ? 0 : lastUpAt - firstUpAt,
          sinceMark: markedAt && {
            bytesUp: link.bytesUp - markedAt.bytesUp,
            upSpanMs: markedAt.firstUpAt === undefined ? 0 : lastUpAt - markedAt.firstUpAt,
          },
        };
      throw new Error('unknown command');
    },
    () => link.close(),
  );
} else {
  process.stderr.write('usage: sync-peers.ts ground <dataDir> | link <targetPort> <bitsPerSecond> <rttMs>\n');
  process.exit(2);
}
