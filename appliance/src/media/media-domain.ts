/**
 * The media domain: signed content loads (verified, installed, restored at start), playback
 * sessions, the key server, the HLS origin, live channels (RTMP in), the demo content, and
 * their routes.
 */
import type { Logger } from 'pino';
import type { AccessDirectory } from '../access/directory.ts';
import { TokenSigner } from '../access/tokens.ts';
import type { ApplianceConfig } from '../config.ts';
import type { ApplianceDomain } from '../domain.ts';
import type { DurableRecords } from '../store/durable-records.ts';
import type { Store } from '../store/store.ts';
import {
  applyContentLoadActivated,
  CONTENT_LOAD_ACTIVATED,
  ContentLoads,
  readTrustedKeyFiles,
} from './content-loads.ts';
import { cachedDemoKey, installDemoContent } from './demo-content.ts';
import { mediaRouter } from './http.ts';
import { KeyServer } from './keys.ts';
import { LiveChannels } from './live-channels.ts';
import { NginxOrigin } from './nginx-origin.ts';
import { type Entitlements, noPurchases } from './playback-policy.ts';
import { PlaybackSessions } from './playback-sessions.ts';

export interface MediaDeps {
  config: Pick<
    ApplianceConfig,
    | 'dataDir'
    | 'demo'
    | 'host'
    | 'contentTrustedKeys'
    | 'liveChannels'
    | 'livePublishSecret'
    | 'ffmpegPath'
    | 'liveReconnectGraceS'
    | 'rtmpPort'
    | 'parentalLockMaxAge'
    | 'playbackTokenTtlS'
    | 'originCacheMb'
    | 'originNginx'
    | 'originNginxPort'
  >;
  /** The port Node's HTTP listens on, once it does (nginx passes what it does not serve there). */
  httpPort: () => number;
  store: Store;
  /** Journals the active load (absent: the store alone). */
  records?: DurableRecords;
  directory: AccessDirectory;
  /** Whether crew have set a seat's parental lock (cabin domain). */
  parentalLocked: (seatId: string) => boolean;
  /** The airspace below (flight domain), and the policy rule that refuses a title there now. */
  currentRegion: () => string | undefined;
  airspaceRestriction: (title: { id: string; genres: readonly string[] }) => string | undefined;
  /** Who has bought what (the commerce domain); absent = only included titles play. */
  entitlements?: Entitlements;
  log: Logger;
}

export const mediaDomain: ApplianceDomain<MediaDeps, ContentLoads> = {
  name: 'media',
  records: { [CONTENT_LOAD_ACTIVATED]: applyContentLoadActivated },
  async open({
    config,
    store,
    records,
    directory,
    parentalLocked,
    currentRegion,
    airspaceRestriction,
    entitlements,
    httpPort,
    log,
  }) {
    const signer = TokenSigner.fromDataDir(config.dataDir);
    const trustedKeys = readTrustedKeyFiles(config.contentTrustedKeys);
    const demoKey = config.demo ? cachedDemoKey() : undefined;
    if (demoKey) trustedKeys.push(demoKey);
    const loads = new ContentLoads({ dataDir: config.dataDir, store, records, trustedKeys: () => trustedKeys, log });
    // Before the router is built: the origin indexes the active load when it is made.
    await loads.restore();
    const live = new LiveChannels({
      channels: config.liveChannels.split(','),
      dataDir: config.dataDir,
      signer,
      publishSecret: config.livePublishSecret,
      ffmpeg: config.ffmpegPath,
      segmentS: 2,
      windowSegments: 6,
      reconnectGraceMs: config.liveReconnectGraceS * 1000,
      log,
    });
    const keys = new KeyServer({
      loads,
      entitlements: entitlements ?? noPurchases,
      currentRegion,
      airspaceRestriction,
      parentalLocked,
      parentalLockMaxAge: config.parentalLockMaxAge,
    });
    const sessions = new PlaybackSessions(signer, config.playbackTokenTtlS);
    const media = mediaRouter({
      directory,
      loads,
      sessions,
      keys,
      live,
      segmentCacheBytes: config.originCacheMb * 1024 * 1024,
      filesPort: () => (nginx?.serving ? nginx.port : undefined),
    });
    let nginx: NginxOrigin | undefined;
    // After the router's own listener: the map is built from the index it has just made.
    loads.onActivated(() => nginx?.update(media.index()));
    return {
      api: loads,
      router: media.router,
      fastPath: media.fastPath,
      async start() {
        await live.start(config.rtmpPort, config.host);
        nginx = await NginxOrigin.start(
          {
            binary: config.originNginx,
            dataDir: config.dataDir,
            host: config.host,
            port: config.originNginxPort,
            nodePort: httpPort(),
            log,
          },
          media.index(),
        );
        if (config.demo) void installDemoContent({ loads, trust: (pem) => trustedKeys.push(pem), log });
      },
      async stop() {
        await nginx?.stop();
        nginx = undefined;
        await live.stop();
      },
    };
  },
};
