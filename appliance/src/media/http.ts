/**
 * The media domain's HTTP side, thin over the services:
 *   GET  /api/catalog?lang=&device=          public: what is on board
 *   POST /api/playback                       seat (HTTP Basic, its MQTT credentials) or phone
 *                                            (Basic phone:<deviceId> / device password): a signed master URL
 *   GET  /api/keys/<keyId>?token=            the key server
 *   GET  /hls/<titleId>/<path>               the origin (playlists need ?token=, rewritten to carry it;
 *                                            so does a seatback-only title's every file and seek preview track)
 *   GET  /hls/live/<channel>/<file>          live windows, same rules
 *   GET  /api/crew/content-loads             crew: the active load
 *   POST /api/crew/content-loads {path}      maintenance: verify and install a load from a path
 *   GET  /api/crew/live-channels             maintenance, purser: channels, state, RTMP ingest URLs
 */

import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseBody } from '@ifec/http-kit';
import { IfecError, languageCode, type PlaybackGrant, titleId as titleIdSchema } from '@ifec/protocol';
import { type Request, Router } from 'express';
import { z } from 'zod';
import type { AccessDirectory } from '../access/directory.ts';
import { describePrincipal } from '../access/principal.ts';
import { requireCrew } from '../http/crew-auth.ts';
import { CatalogView } from './catalog-api.ts';
import type { ContentLoads } from './content-loads.ts';
import type { KeyServer } from './keys.ts';
import { type LiveChannels, liveChannelId } from './live-channels.ts';
import { LIVE_PLAYLIST } from './live-remux.ts';
import {
  LoadFileIndex,
  liveFile,
  loadFileFastPath,
  type OriginFile,
  originPathParts,
  rewritePlaylist,
  rewriteSeekPreviewTrack,
  SegmentCache,
  sendOriginFile,
} from './origin.ts';
import type { Viewer } from './playback-policy.ts';
import { type PlaybackSessions, type PlaybackTarget, sameTarget } from './playback-sessions.ts';

export interface MediaHttpDeps {
  directory: AccessDirectory;
  loads: ContentLoads;
  sessions: PlaybackSessions;
  keys: KeyServer;
  live: LiveChannels;
  /** Memory for hot segments of the active load; 0 streams every request from disk. */
  segmentCacheBytes: number;
  /** nginx's port while it serves the load files (nginx-origin.ts). */
  filesPort?: () => number | undefined;
}

/** `http://<host the seat asked>:<port>`, or undefined for a Host header that is not a plain name or address. */
function filesOrigin(req: Request, port: number | undefined): string | undefined {
  if (!port) return undefined;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/.test(host) ? `http://${host}:${port}` : undefined;
}

export const playbackRequest = z
  .object({
    titleId: titleIdSchema.optional(),
    channel: z.string().regex(liveChannelId).optional(),
    device: z.enum(['seat', 'phone']),
  })
  .strict()
  .refine((r) => (r.titleId === undefined) !== (r.channel === undefined), 'give either titleId or channel');

export const installRequest = z.object({ path: z.string().min(1).max(4096) }).strict();

/** Who is asking for playback: a seat or a phone, by HTTP Basic with its bus credentials. */
async function viewerOf(directory: AccessDirectory, req: Request): Promise<Viewer> {
  const header = req.get('authorization') ?? '';
  if (!header.startsWith('Basic '))
    throw new IfecError(
      'VIEWER_LOGIN_REQUIRED',
      'authenticate as a seat (Basic seat:<id>) or a phone (Basic phone:<deviceId>)',
    );
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':', decoded.indexOf(':') + 1);
  const principal =
    colon > 0 ? await directory.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
  if (!principal) throw new IfecError('BAD_CREDENTIALS', 'unknown seat or phone, or wrong password');
  if (principal.role === 'seat')
    return { subject: describePrincipal(principal), device: 'seat', seatId: principal.seatId };
  if (principal.role === 'phone') return { subject: describePrincipal(principal), device: 'phone' };
  throw new IfecError('NOT_A_VIEWER', 'only seats and phones open playback sessions');
}

function tokenOf(req: Request): string | undefined {
  const query = req.url.indexOf('?');
  return query < 0 ? undefined : (new URLSearchParams(req.url.slice(query + 1)).get('token') ?? undefined);
}

function requireSession(deps: MediaHttpDeps, req: Request, target: PlaybackTarget) {
  const token = tokenOf(req);
  if (!token) throw new IfecError('PLAYBACK_TOKEN_REQUIRED', 'open a playback session first (POST /api/playback)');
  const session = deps.sessions.verify(token);
  if (!session) throw new IfecError('PLAYBACK_TOKEN_INVALID', 'the playback token is forged or expired');
  if (!sameTarget(session.target, target))
    throw new IfecError('PLAYBACK_TOKEN_WRONG_TITLE', 'the playback token is for another title');
  return { token, session };
}

export interface MediaHttp {
  router: Router;
  /** Plain segment GETs on node:http before express (origin.ts, loadFileFastPath); false: not handled. */
  fastPath(req: IncomingMessage, res: ServerResponse): boolean;
  /** The active load's files. */
  index(): LoadFileIndex | undefined;
}

export function mediaRouter(deps: MediaHttpDeps): MediaHttp {
  const router = Router();
  const catalog = new CatalogView();
  let index = deps.loads.active ? new LoadFileIndex(deps.loads.active) : undefined;
  /** Playlists of the active load, read once: they never change under a load. */
  let playlists = new Map<string, string>();
  const segments = new SegmentCache(deps.segmentCacheBytes);
  /** A text the origin rewrites per session (playlists, seek preview tracks), read once per load. */
  const readOnce = async (file: OriginFile): Promise<string> => {
    let text = file.live ? undefined : playlists.get(file.abs);
    if (text === undefined) {
      text = await fs.readFile(file.abs, 'utf8');
      if (!file.live) playlists.set(file.abs, text);
    }
    return text;
  };
  deps.loads.onActivated((active) => {
    index = new LoadFileIndex(active);
    playlists = new Map();
    segments.clear();
  });

  router.get('/api/catalog', (req, res) => {
    const lang = languageCode.safeParse(req.query.lang ?? 'en');
    if (!lang.success) throw new IfecError('INVALID_LANGUAGE', 'lang must be a language code such as en or pt-BR');
    const device = req.query.device === 'phone' ? 'phone' : 'seat';
    const active = deps.loads.active;
    res.json({
      loadId: active?.loadId ?? null,
      cycle: active?.load.cycle ?? null,
      language: lang.data,
      titles: catalog.titles(active, lang.data, device),
      channels: deps.live.list().map((c) => ({ ...c, kind: 'live' as const })),
    });
  });

  router.post('/api/playback', async (req, res) => {
    const viewer = await viewerOf(deps.directory, req);
    const body = parseBody(playbackRequest, req.body);
    if (body.device !== viewer.device)
      throw new IfecError('DEVICE_MISMATCH', `these credentials are a ${viewer.device}'s, not a ${body.device}'s`);
    if (body.channel !== undefined) {
      if (!deps.live.has(body.channel)) throw new IfecError('NO_SUCH_CHANNEL', `no live channel ${body.channel}`);
      const { token, expiresAt } = deps.sessions.issue(viewer, { kind: 'live', channel: body.channel });
      res.status(201).json({ url: `/hls/live/${body.channel}/${LIVE_PLAYLIST}?token=${token}`, token, expiresAt });
      return;
    }
    const title = deps.loads.active?.titles.find((t) => t.id === body.titleId);
    if (!title) throw new IfecError('NO_SUCH_TITLE', `no title ${body.titleId} on board`);
    const target: PlaybackTarget = { kind: 'title', titleId: title.id };
    const refusal = deps.keys.check({ viewer, target, expiresAt: 0 }, title.id);
    if (refusal) throw new IfecError(refusal.code, refusal.message);
    const { token, expiresAt } = deps.sessions.issue(viewer, target);
    const grant: PlaybackGrant = { url: `/hls/${title.id}/${title.hls.master}?token=${token}`, token, expiresAt };
    if (title.seekPreview) grant.seekPreview = `/hls/${title.id}/${title.seekPreview.track}?token=${token}`;
    res.status(201).json(grant);
  });

  router.get('/api/keys/:keyId', (req, res) => {
    const token = tokenOf(req);
    const session = deps.sessions.verify(token);
    if (!session)
      throw new IfecError(
        token ? 'PLAYBACK_TOKEN_INVALID' : 'PLAYBACK_TOKEN_REQUIRED',
        'a key needs a valid playback token',
      );
    const key = deps.keys.release(session, String(req.params.keyId));
    res.set({ 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' }).send(key);
  });

  router.use('/hls', async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const rawPath = req.url.split('?')[0]!;
    const parts = originPathParts(rawPath);
    if (!parts || parts.length < 2) throw new IfecError('BAD_MEDIA_PATH', 'not a media path');
    let file: OriginFile | undefined;
    let target: PlaybackTarget;
    if (parts[0] === 'live') {
      const dir = parts.length === 3 ? deps.live.channelDir(parts[1]!) : undefined;
      file = dir ? liveFile(dir, parts[2]!) : undefined;
      target = { kind: 'live', channel: parts[1]! };
    } else {
      file = index?.lookup(parts[0]!, parts.slice(1).join('/'));
      target = { kind: 'title', titleId: parts[0]! };
    }
    // Playlists answer only to a session, before saying whether they exist; so does every media
    // file of a seatback-only title (its subtitles and init segments are clear text). Its artwork
    // is catalogue, not the work: a seat's <img> has no token, and its card would stay blank.
    const restricted =
      parts[0] !== 'live' && parts[1] !== 'images' && index?.title(parts[0]!)?.rights === 'seatback-only';
    const session = restricted || parts.at(-1)!.endsWith('.m3u8') ? requireSession(deps, req, target) : undefined;
    if (!file) throw new IfecError('NOT_FOUND', 'no such media file');
    if (restricted && session && parts.slice(1).join('/') === index?.title(parts[0]!)?.seekPreview?.track) {
      // Its sheets need the token too: the track hands it on, and is as private as a playlist.
      const text = await readOnce(file);
      return sendOriginFile(req, res, { ...file, kind: 'playlist' }, rewriteSeekPreviewTrack(text, session.token));
    }
    if (file.kind !== 'playlist') return sendOriginFile(req, res, file, undefined, segments);
    const { token } = session ?? requireSession(deps, req, target);
    const files = restricted || file.live ? undefined : filesOrigin(req, deps.filesPort?.());
    const filesAt = files && `${files}/hls/${parts.join('/')}`;
    sendOriginFile(req, res, file, rewritePlaylist(await readOnce(file), token, restricted, filesAt));
  });

  router.get('/api/crew/content-loads', requireCrew(deps.directory), (_req, res) => {
    const active = deps.loads.active;
    res.json({
      active: active
        ? {
            loadId: active.loadId,
            cycle: active.load.cycle,
            airline: active.load.airline,
            fleet: active.load.fleet,
            version: active.load.version,
            expiresAt: active.load.expiresAt,
            activatedAt: active.activatedAt,
            titles: active.titles.map((t) => ({ id: t.id, kind: t.kind, licence: t.licence })),
          }
        : null,
    });
  });

  router.post('/api/crew/content-loads', requireCrew(deps.directory, ['maintenance']), async (req, res) => {
    const { path } = parseBody(installRequest, req.body);
    const active = await deps.loads.install(path);
    res.status(201).json({
      active: {
        loadId: active.loadId,
        cycle: active.load.cycle,
        titles: active.titles.length,
        activatedAt: active.activatedAt,
      },
    });
  });

  router.get('/api/crew/live-channels', requireCrew(deps.directory, ['maintenance', 'purser']), (req, res) => {
    const host = req.hostname || 'localhost';
    res.json({
      channels: deps.live
        .list()
        .map((c) => ({ ...c, ingest: deps.live.rtmpPort ? deps.live.ingestUrl(c.id, host) : null })),
    });
  });

  return { router, fastPath: loadFileFastPath(() => index, segments), index: () => index };
}
