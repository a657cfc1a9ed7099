/**
 * Resume anywhere: the schemas of pairing (HTTP) and of the remote-control and "what plays"
 * messages. Topic names, the document's layout and the merge rule are in resume-layout.ts
 * (re-exported here).
 */
import { z } from 'zod';
import { languageCode, seatId } from './cabin.ts';
import { DEVICE_TAG } from './resume-layout.ts';

export * from './resume-layout.ts';

export const deviceTag = z.string().regex(DEVICE_TAG, 'a device tag is `seat` or `phone-<device id>`');

// ---- remote control and what plays --------------------------------------------------------

export const remoteCommand = z.discriminatedUnion('action', [
  z.object({ action: z.literal('play') }),
  z.object({ action: z.literal('pause') }),
  z.object({
    action: z.literal('seek'),
    positionS: z
      .number()
      .min(0)
      .max(24 * 3600),
  }),
  z.object({ action: z.literal('volume'), level: z.number().int().min(0).max(100) }),
  z.object({ action: z.literal('next_episode') }),
  z.object({ action: z.literal('subtitles'), language: languageCode.nullable() }),
  /** Hand back: the seat continues the title from the merged resume point. */
  z.object({ action: z.literal('resume_here'), titleId: z.string().min(1).max(128) }),
]);
export type RemoteCommand = z.infer<typeof remoteCommand>;

export const seatPlayback = z.object({
  titleId: z.string().min(1).max(128).nullable(),
  positionS: z
    .number()
    .min(0)
    .max(24 * 3600),
  playing: z.boolean(),
  volume: z.number().int().min(0).max(100),
  subtitles: languageCode.nullable(),
  /** Appliance clock, ms. */
  at: z.number().int().nonnegative(),
});
export type SeatPlayback = z.infer<typeof seatPlayback>;

export const sessionAnnouncement = z.object({
  seatId,
  sessionId: z.string().min(8).max(64),
  startedAt: z.string(),
});
export type SessionAnnouncement = z.infer<typeof sessionAnnouncement>;

// ---- pairing over HTTP --------------------------------------------------------------------

export const PAIRING_CODE_PATTERN = /^[0-9]{6}$/;

export const pairingCode = z.object({
  code: z.string().regex(PAIRING_CODE_PATTERN),
  /** What the QR code encodes: the phone app's path that claims the code. */
  url: z.string(),
  expiresAt: z.string(),
  seatId,
});
export type PairingCode = z.infer<typeof pairingCode>;

export const phoneCredentials = z.object({
  deviceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a device id from POST /api/phones'),
  password: z.string().min(1).max(256),
});

export type PhoneCredentials = z.infer<typeof phoneCredentials>;

export const pairingClaim = phoneCredentials.extend({
  code: z.string().regex(PAIRING_CODE_PATTERN, 'a pairing code is 6 digits'),
});
export type PairingClaim = z.infer<typeof pairingClaim>;

export const pairingClaimed = z.object({
  seatId,
  sessionId: z.string(),
  device: deviceTag,
  /** Appliance clock at the answer, ms: a first estimate of the device's clock offset. */
  serverNow: z.number(),
});
export type PairingClaimed = z.infer<typeof pairingClaimed>;
