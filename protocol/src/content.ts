/**
 * Content formats shared by the media pipeline (writes them), the appliance (verifies, mounts
 * and serves them) and the ground (distributes them).
 *
 * A content load on disk:
 *
 *   <load>/
 *     load.json                      ContentLoad, signed (Ed25519 over canonical JSON)
 *     packages/<titleId>/            one title package: the tree the HLS origin may serve
 *       manifest.json                TitleManifest (its sha256 is in load.json)
 *       hls/master.m3u8              master playlist (relative URIs inside hls/)
 *       hls/video/<rendition>/…      CMAF init.mp4 (clear) + seg_NNNNN.m4s (AES-128-CBC)
 *       hls/audio/<lang>[-ad]/…      one audio rendition per language (+ audio description)
 *       hls/subtitles/<lang>[-cc]/…  WebVTT + a one-segment playlist (clear text)
 *       images/<role>-<w>x<h>.<fmt>  posters, backdrops, thumbnails (webp + jpeg)
 *       seek-preview/…               optional: JPEG sprite sheets + a WebVTT thumbnails track (seek-preview.ts)
 *     keys/<keyId>.key               16 raw bytes; read by the key server only, never served
 *
 * Media playlists have one `#EXT-X-KEY:METHOD=AES-128,URI="/api/keys/<keyId>"` (no IV: a
 * segment's IV is its media sequence number, RFC 8216 §5.2) right after
 * `#EXT-X-MAP`; the appliance appends its session token to that URI when it serves the playlist.
 */
import { z } from 'zod';
import { languageCode } from './cabin.ts';

export const CONTENT_SCHEMA_VERSION = 1;
export const LOAD_FILE = 'load.json';
export const PACKAGE_MANIFEST_FILE = 'manifest.json';
export const LOAD_PACKAGES_DIR = 'packages';
export const LOAD_KEYS_DIR = 'keys';
/** The recommendation model (recommendations.ts), when the load carries one. */
export const LOAD_RECO_MODEL_FILE = 'recommendations/model.json';
/** The key server path a playlist points at; the appliance adds the session token. */
export const KEY_URI_PREFIX = '/api/keys/';

export function keyUri(keyId: string): string {
  return `${KEY_URI_PREFIX}${keyId}`;
}
export function loadKeyPath(keyId: string): string {
  return `${LOAD_KEYS_DIR}/${keyId}.key`;
}

/** Path-safe: a title id is also a directory name and a URL segment. */
export const titleId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'a title id: lower-case letters, digits and dashes, such as night-flight-2026');
export const eidrId = z
  .string()
  .regex(/^10\.5240\/([0-9A-F]{4}-){5}[0-9A-Z]$/, 'an EIDR id such as 10.5240/7791-8534-2C23-9030-8610-5');
/** 128-bit key id, hex. */
export const contentKeyId = z.string().regex(/^[0-9a-f]{32}$/, 'a key id: 32 lower-case hex digits');
export const isoDateTime = z.iso.datetime({ offset: true });
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lower-case hex');
/** A relative path inside a package or load: forward slashes, no `..`, no leading slash. */
export const relativePath = z
  .string()
  .min(1)
  .max(512)
  .refine(
    (p) =>
      !p.startsWith('/') &&
      !p.includes('\\') &&
      p.split('/').every((part) => part !== '' && part !== '.' && part !== '..'),
    'a relative path inside the package, with no .. and no leading slash',
  );

/** Text by language code; at least one language. */
export const localizedText = z
  .record(languageCode, z.string().min(1).max(4000))
  .refine((texts) => Object.keys(texts).length > 0, 'at least one language');

export const titleKind = z.enum(['movie', 'episode', 'audio', 'kids']);
export type TitleKind = z.infer<typeof titleKind>;

export const ratingSystem = z.enum([
  'MPAA',
  'TVPG',
  'BBFC',
  'FSK',
  'CNC',
  'ACB',
  'CHVRS',
  'EIRIN',
  'KMRB',
  'CBFC',
  'PEGI',
  'NR',
]);
export const contentRating = z.object({ system: ratingSystem, value: z.string().min(1).max(16) }).strict();

export const playbackRights = z.enum(['seatback-only', 'all-devices']);
export type PlaybackRights = z.infer<typeof playbackRights>;
export const priceTier = z.enum(['included', 'premium-1', 'premium-2', 'premium-3']);

/** ISO 3166-1 alpha-2 region codes; `*` in `allowed` means everywhere not blocked. */
export const regionCode = z.string().regex(/^([A-Z]{2}|\*)$/, 'an ISO 3166-1 alpha-2 code such as FR, or *');

const editorialShape = {
  id: titleId,
  eidr: eidrId.optional(),
  kind: titleKind,
  /** Required when kind is episode. */
  series: z
    .object({
      id: titleId,
      titles: localizedText,
      season: z.number().int().min(0).max(999),
      episode: z.number().int().min(0).max(9999),
    })
    .strict()
    .optional(),
  /** Required when kind is audio. */
  album: z
    .object({
      id: titleId,
      titles: localizedText,
      artist: z.string().min(1).max(200),
      track: z.number().int().min(1).max(999),
    })
    .strict()
    .optional(),
  titles: localizedText,
  synopses: localizedText,
  genres: z.array(z.string().min(1).max(40)).max(10),
  cast: z
    .array(
      z
        .object({
          name: z.string().min(1).max(120),
          role: z.enum(['actor', 'director', 'writer', 'producer', 'composer', 'performer', 'voice']),
          character: z.string().max(120).optional(),
        })
        .strict(),
    )
    .max(50),
  rating: contentRating,
  releaseYear: z.number().int().min(1880).max(2100).optional(),
  /** This content load's highlight on home: 1 is the hero; the airline's editors choose it with the load. */
  featured: z.number().int().min(1).max(20).optional(),
  originalLanguage: languageCode,
  licence: z
    .object({ start: isoDateTime, end: isoDateTime })
    .strict()
    .refine((w) => Date.parse(w.start) < Date.parse(w.end), 'licence.start must be before licence.end'),
  regions: z.object({ allowed: z.array(regionCode).min(1), blocked: z.array(regionCode) }).strict(),
  rights: playbackRights,
  priceTier,
};

function kindNeedsItsPart(value: { kind: TitleKind; series?: unknown; album?: unknown }, ctx: z.RefinementCtx): void {
  if (value.kind === 'episode' && !value.series)
    ctx.addIssue({
      code: 'custom',
      path: ['series'],
      message: 'an episode needs series {id, titles, season, episode}',
    });
  if (value.kind === 'audio' && !value.album)
    ctx.addIssue({
      code: 'custom',
      path: ['album'],
      message: 'an audio title needs album {id, titles, artist, track}',
    });
}

/**
 * What the content lab writes by hand (title.json, the `--meta` of `ifec-media ingest`).
 * `sources` points at sidecar files (paths relative to title.json) and is not copied into
 * the manifest.
 */
export const titleMetadata = z
  .object({
    ...editorialShape,
    sources: z
      .object({
        /** Which source audio stream is which language; default: the streams' language tags. */
        audio: z
          .array(
            z
              .object({
                stream: z.number().int().min(0),
                language: languageCode,
                audioDescription: z.boolean().default(false),
              })
              .strict(),
          )
          .optional(),
        subtitles: z
          .array(
            z
              .object({
                language: languageCode,
                file: z.string().min(1),
                closedCaptions: z.boolean().default(false),
              })
              .strict(),
          )
          .optional(),
        /** Poster/backdrop source image; default: a frame of the video. */
        artwork: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine(kindNeedsItsPart);
export type TitleMetadata = z.infer<typeof titleMetadata>;

export const packageFile = z
  .object({ path: relativePath, size: z.number().int().nonnegative(), sha256: sha256Hex })
  .strict();
export type PackageFile = z.infer<typeof packageFile>;

export const imageRole = z.enum(['poster', 'backdrop', 'thumbnail']);
export const packageImage = z
  .object({
    role: imageRole,
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    format: z.enum(['webp', 'jpeg']),
    path: relativePath,
  })
  .strict();
export type PackageImage = z.infer<typeof packageImage>;

/**
 * The pictures shown above the seek bar (seek-preview.ts): one every `intervalS` seconds,
 * `width`x`height` each, tiled into `sheets`, indexed by `track`. Optional: music has none, and
 * packages made before it have none.
 */
export const packageSeekPreview = z
  .object({
    track: relativePath,
    intervalS: z.number().positive(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    /** How many pictures (cues in the track). */
    count: z.number().int().positive(),
    sheets: z.array(relativePath).min(1),
  })
  .strict();
export type PackageSeekPreview = z.infer<typeof packageSeekPreview>;

export const videoRendition = z
  .object({
    name: z.string().min(1).max(32),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    /** Peak bits per second as written in BANDWIDTH. */
    bandwidth: z.number().int().positive(),
    codecs: z.string().min(1),
    /** Who it is for: seatback screens or phones on cabin Wi-Fi. */
    audience: z.enum(['seatback', 'phone']),
    playlist: relativePath,
  })
  .strict();

/** The package manifest: manifest.json at the root of every title package. */
export const titleManifest = z
  .object({
    schemaVersion: z.literal(CONTENT_SCHEMA_VERSION),
    ...editorialShape,
    durationS: z.number().positive(),
    audioLanguages: z.array(
      z.object({ language: languageCode, audioDescription: z.boolean(), playlist: relativePath }).strict(),
    ),
    subtitleLanguages: z.array(
      z.object({ language: languageCode, closedCaptions: z.boolean(), playlist: relativePath }).strict(),
    ),
    images: z.array(packageImage),
    seekPreview: packageSeekPreview.optional(),
    hls: z
      .object({
        /** Relative to the package directory. */
        master: relativePath,
        segmentDurationS: z.number().positive(),
        video: z.array(videoRendition),
      })
      .strict(),
    /** The per-title AES-128 key; the key itself is `<load>/keys/<keyId>.key`, never in the package tree. */
    keyId: contentKeyId,
    encryption: z.object({ method: z.literal('AES-128'), keyUri: z.string().startsWith(KEY_URI_PREFIX) }).strict(),
    /** Every file of the package except manifest.json itself. */
    files: z.array(packageFile).min(1),
    createdAt: isoDateTime,
    pipeline: z.object({ version: z.string(), ffmpeg: z.string() }).strict(),
  })
  .strict()
  .superRefine(kindNeedsItsPart);
export type TitleManifest = z.infer<typeof titleManifest>;

export const loadSignature = z
  .object({
    alg: z.literal('Ed25519'),
    /** sha256 of the signer's public key (SPKI DER), hex: says which trusted key to try. */
    keyId: sha256Hex,
    /** base64 Ed25519 signature over canonicalJson(load without `signature`). */
    value: z.string().min(1),
  })
  .strict();
export type LoadSignature = z.infer<typeof loadSignature>;

/** load.json at the root of a content load. */
export const contentLoad = z
  .object({
    schemaVersion: z.literal(CONTENT_SCHEMA_VERSION),
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,127}$/, 'a load id such as XA-A350-2026-12-v1'),
    /** The monthly content cycle, YYYY-MM. */
    cycle: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a cycle such as 2026-12'),
    airline: z.string().min(1).max(64),
    fleet: z.string().min(1).max(64),
    /** Only moves up for one airline/fleet: the aircraft refuses an older version (rollback). */
    version: z.number().int().positive(),
    createdAt: isoDateTime,
    /** After this the load is stale and refused (TUF-style expiry). */
    expiresAt: isoDateTime,
    packages: z.array(
      z
        .object({
          id: titleId,
          path: relativePath,
          manifestSha256: sha256Hex,
          keyId: contentKeyId,
        })
        .strict(),
    ),
    keys: z.array(z.object({ keyId: contentKeyId, path: relativePath, sha256: sha256Hex }).strict()),
    /** Optional: the recommendation model trained on the ground, signed with the rest through its sha256. */
    recommendations: z
      .object({
        path: z.literal(LOAD_RECO_MODEL_FILE),
        size: z
          .number()
          .int()
          .positive()
          .max(16 * 1024 * 1024),
        sha256: sha256Hex,
        version: z.number().int().positive(),
      })
      .strict()
      .optional(),
    signature: loadSignature,
  })
  .strict();
export type ContentLoad = z.infer<typeof contentLoad>;
export type UnsignedContentLoad = Omit<ContentLoad, 'signature'>;
