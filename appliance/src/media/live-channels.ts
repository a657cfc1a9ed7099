/**
 * Live channels (a satellite TV receiver's feed, the crew's welcome video): an RTMP publisher
 * with the channel's stream key goes on air; the appliance remuxes the stream into a rolling
 * HLS window under `<dataDir>/live/<channel>/`, served by the origin at /hls/live/<channel>/.
 * When the publisher goes away (after a short reconnect grace) the window is stopped and removed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { TokenSigner } from '../access/tokens.ts';
import { LIVE_PLAYLIST, type RunningRemux, startLiveRemux } from './live-remux.ts';
import { RTMP_APP, RtmpIngest } from './rtmp-ingest.ts';

export const liveChannelId = /^[a-z0-9][a-z0-9-]{0,31}$/;

export interface LiveChannelState {
  id: string;
  state: 'on-air' | 'off-air';
  /** When the current publish started. */
  since?: string;
  /** The HLS window has its first playlist: a seat can start watching. */
  playlistReady: boolean;
}

export interface LiveChannelsOptions {
  channels: string[];
  dataDir: string;
  signer: TokenSigner;
  /** When set, stream keys derive from this secret (so a ground system can hand them out). */
  publishSecret?: string;
  ffmpeg: string;
  segmentS: number;
  windowSegments: number;
  reconnectGraceMs: number;
  log: Logger;
}

interface OnAir {
  since: string;
  remux?: RunningRemux;
  stopping: boolean;
}

export class LiveChannels {
  private readonly root: string;
  private readonly onAir = new Map<string, OnAir>();
  private ingest: RtmpIngest | undefined;
  private readonly listeners = new Set<(channels: LiveChannelState[]) => void>();

  constructor(private readonly options: LiveChannelsOptions) {
    this.root = path.join(options.dataDir, 'live');
    // A window left by a crash is stale: nobody is publishing into it.
    fs.rmSync(this.root, { recursive: true, force: true });
    fs.mkdirSync(this.root, { recursive: true });
    for (const id of options.channels) {
      if (!liveChannelId.test(id))
        throw new Error(`live channel id ${JSON.stringify(id)}: lower-case letters, digits and dashes`);
    }
  }

  get rtmpPort(): number | undefined {
    return this.ingest?.port;
  }

  has(channel: string): boolean {
    return this.options.channels.includes(channel);
  }

  /** The stream key a publisher of this channel must present (`?key=`). */
  streamKey(channel: string): string {
    return this.options.publishSecret
      ? crypto.createHmac('sha256', this.options.publishSecret).update(`live:${channel}`).digest('base64url')
      : this.options.signer.derive(`live:${channel}`);
  }

  /** Where a publisher pushes, for the maintenance API. */
  ingestUrl(channel: string, host: string): string {
    return `rtmp://${host}:${this.rtmpPort ?? '?'}/${RTMP_APP}/${channel}?key=${this.streamKey(channel)}`;
  }

  authorize(channel: string, key: string | undefined): boolean {
    if (!this.has(channel) || !key) return false;
    const expected = Buffer.from(this.streamKey(channel));
    const given = Buffer.from(key);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  channelDir(channel: string): string | undefined {
    return this.has(channel) ? path.join(this.root, channel) : undefined;
  }

  list(): LiveChannelState[] {
    return this.options.channels.map((id) => {
      const on = this.onAir.get(id);
      return on
        ? {
            id,
            state: 'on-air',
            since: on.since,
            playlistReady: fs.existsSync(path.join(this.root, id, LIVE_PLAYLIST)),
          }
        : { id, state: 'off-air', playlistReady: false };
    });
  }

  onChange(listener: (channels: LiveChannelState[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts RTMP ingest. Live TV is not worth failing the cabin for: a taken port is logged. */
  async start(port: number, host: string): Promise<boolean> {
    try {
      this.ingest = await RtmpIngest.start({
        port,
        host,
        authorize: (channel, key) => this.authorize(channel, key),
        onPublish: (channel) => this.goOnAir(channel),
        onUnpublish: (channel) => void this.goOffAir(channel),
        reconnectGraceMs: this.options.reconnectGraceMs,
        log: this.options.log,
      });
      this.options.log.info(
        { rtmpPort: this.ingest.port, channels: this.options.channels },
        'live channel ingest ready',
      );
      return true;
    } catch (error) {
      this.options.log.error({ err: error }, 'live channels unavailable: RTMP ingest did not start');
      return false;
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.onAir.keys()].map((c) => this.goOffAir(c)));
    await this.ingest?.stop();
    this.ingest = undefined;
  }

  private goOnAir(channel: string): void {
    if (this.onAir.has(channel)) return; // the same publisher resumed within the grace window
    const dir = path.join(this.root, channel);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const entry: OnAir = { since: new Date().toISOString(), stopping: false };
    this.onAir.set(channel, entry);
    this.options.log.info({ channel }, 'live channel on air');
    const run = () => {
      if (entry.stopping) return;
      entry.remux = startLiveRemux(
        {
          ffmpeg: this.options.ffmpeg,
          source: `rtmp://127.0.0.1:${this.ingest!.port}/${RTMP_APP}/${channel}`,
          outDir: dir,
          segmentS: this.options.segmentS,
          windowSegments: this.options.windowSegments,
        },
        this.options.log.child({ channel }),
      );
      // ffmpeg ends when the stream stalls or breaks; while the channel is on air, pull again.
      void entry.remux.exited.then(() => {
        if (!entry.stopping) setTimeout(run, 1000).unref();
      });
    };
    run();
    this.emit();
  }

  private async goOffAir(channel: string): Promise<void> {
    const entry = this.onAir.get(channel);
    if (!entry || entry.stopping) return;
    entry.stopping = true;
    await entry.remux?.stop();
    this.onAir.delete(channel);
    fs.rmSync(path.join(this.root, channel), { recursive: true, force: true });
    this.options.log.info({ channel }, 'live channel off air');
    this.emit();
  }

  private emit(): void {
    const channels = this.list();
    for (const listener of this.listeners) listener(channels);
  }
}
