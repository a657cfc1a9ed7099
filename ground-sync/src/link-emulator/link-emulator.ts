/**
 * A TCP proxy that behaves like an aircraft's link: limited bandwidth (each direction
 * serialises bytes at the given rate, shared by every connection as a modem's is), latency
 * (half the round trip each way), a small bottleneck buffer that pushes back on the senders,
 * and cuts — every open connection
 * destroyed at chosen byte counts, at random ones, or on demand — as a satcom handover or
 * a gate Wi-Fi drop does. Counts the bytes it carried (TCP payload, without IP/TCP headers).
 */
import net from 'node:net';

export interface LinkProfile {
  /** 0 or absent: unlimited. */
  bitsPerSecond?: number;
  /** Round-trip time added by the link. */
  rttMs?: number;
}

export const SATCOM: LinkProfile = { bitsPerSecond: 2_000_000, rttMs: 600 };
export const GATE: LinkProfile = { bitsPerSecond: 50_000_000, rttMs: 40 };

/** Bytes a direction may hold before it stops reading from the sender (the modem's buffer). */
const BOTTLENECK_BUFFER_BYTES = 64 * 1024;
const PIECE_BYTES = 16 * 1024;

/**
 * One direction of the link, shared by every connection: with a clock and a buffer per
 * connection, n connections got n times the bandwidth and the bench measured more than a link.
 */
class Wire {
  nextFree = 0;
  undeparted = 0;
  /** Senders paused because the buffer is full; all resume once it drains. */
  readonly paused = new Set<net.Socket>();
}

class Direction {
  private readonly deliveries: { at: number; piece: Buffer | null }[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The sender finished cleanly (FIN); its close is then no reason to drop the other direction. */
  ended = false;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly link: LinkEmulator,
    private readonly upstream: boolean,
  ) {
    from.on('data', (chunk: Buffer) => this.onData(chunk));
    from.on('end', () => {
      this.ended = true;
      this.push(null);
    });
  }

  private onData(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i += PIECE_BYTES) this.push(chunk.subarray(i, i + PIECE_BYTES));
  }

  private push(piece: Buffer | null): void {
    const { bitsPerSecond = 0, rttMs = 0 } = this.link.profile;
    const wire = this.link.wire(this.upstream);
    const now = performance.now();
    const size = piece?.length ?? 0;
    const serialise = bitsPerSecond > 0 ? (size * 8 * 1000) / bitsPerSecond : 0;
    const departs = Math.max(now, wire.nextFree) + serialise;
    wire.nextFree = departs;
    wire.undeparted += size;
    if (wire.undeparted > BOTTLENECK_BUFFER_BYTES) {
      this.from.pause();
      wire.paused.add(this.from);
    }
    setTimeout(
      () => {
        wire.undeparted -= size;
        if (wire.undeparted > BOTTLENECK_BUFFER_BYTES) return;
        for (const sender of wire.paused) if (!sender.destroyed) sender.resume();
        wire.paused.clear();
      },
      Math.max(0, departs - now),
    ).unref();
    this.deliveries.push({ at: departs + rttMs / 2, piece });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.deliveries.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        const now = performance.now();
        while (this.deliveries.length && this.deliveries[0]!.at <= now + 1) {
          const { piece } = this.deliveries.shift()!;
          if (this.to.destroyed) continue;
          if (piece === null) this.to.end();
          else {
            this.to.write(piece);
            this.link.carried(piece.length, this.upstream);
          }
        }
        this.schedule();
      },
      Math.max(0, this.deliveries[0]!.at - performance.now()),
    );
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.deliveries.length = 0;
  }
}

export class LinkEmulator {
  private readonly connections = new Set<{ client: net.Socket; server: net.Socket; up: Direction; down: Direction }>();
  private cutPoints: number[] = [];
  /** Bytes delivered, both directions, and client -> server only. */
  bytesCarried = 0;
  bytesUp = 0;
  cuts = 0;
  private readonly up = new Wire();
  private readonly down = new Wire();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    public profile: LinkProfile,
  ) {}

  static async start(target: { host: string; port: number }, profile: LinkProfile = {}): Promise<LinkEmulator> {
    let link!: LinkEmulator;
    const server = net.createServer((client) => link.accept(client, target));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
    link = new LinkEmulator(server, port, profile);
    return link;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Cuts every connection when the bytes carried pass each of these counts. */
  cutAtBytes(points: number[]): void {
    this.cutPoints = [...points].sort((a, b) => a - b);
  }

  /** `count` cuts at uniformly random byte counts below `withinBytes`. */
  cutRandomly(count: number, withinBytes: number, random: () => number = Math.random): number[] {
    const points = Array.from({ length: count }, () => Math.floor(random() * withinBytes));
    this.cutAtBytes(points);
    return [...this.cutPoints];
  }

  get pendingCuts(): number {
    return this.cutPoints.length;
  }

  /** Drops the link now: every open connection is destroyed mid-stream. */
  cutAll(): void {
    this.cuts++;
    for (const c of this.connections) this.drop(c);
  }

  /** The direction's wire, shared by every connection. */
  wire(upstream: boolean): Wire {
    return upstream ? this.up : this.down;
  }

  /** Called by a direction for each piece delivered. */
  carried(bytes: number, upstream: boolean): void {
    this.bytesCarried += bytes;
    if (upstream) this.bytesUp += bytes;
    // One cut per point: points closer together than a piece fall on the next connection's bytes.
    if (this.cutPoints.length && this.cutPoints[0]! <= this.bytesCarried) {
      this.cutPoints.shift();
      this.cutAll();
    }
  }

  async close(): Promise<void> {
    for (const c of this.connections) this.drop(c);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    client.setNoDelay(true);
    const server = net.connect(target.port, target.host);
    server.setNoDelay(true);
    const c = {
      client,
      server,
      up: new Direction(client, server, this, true),
      down: new Direction(server, client, this, false),
    };
    this.connections.add(c);
    const drop = () => this.drop(c);
    // A socket that closes after a clean FIN lets the other direction drain; an abrupt one drops the connection.
    const closed = (side: Direction) => () => {
      if (!side.ended || (c.client.destroyed && c.server.destroyed)) drop();
    };
    client.on('error', drop).on('close', closed(c.up));
    server.on('error', drop).on('close', closed(c.down));
  }

  private drop(c: { client: net.Socket; server: net.Socket; up: Direction; down: Direction }): void {
    if (!this.connections.delete(c)) return;
    c.up.stop();
    c.down.stop();
    c.client.destroy();
    c.server.destroy();
  }
}
