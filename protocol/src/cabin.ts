import { z } from 'zod';
import { SEAT_ID_PATTERN } from './topics.ts';

export const seatId = z.string().regex(SEAT_ID_PATTERN, 'a seat id is a row number and a letter, such as 12A');
export const languageCode = z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'a language code such as en or pt-BR');

/** What crew send to start or stop an announcement (HTTP body, or MQTT payload on crew/pa). */
export const paCommand = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('start'),
      /** One of the prerecorded announcements; its text is shown in each seat's language. */
      announcementId: z.string().min(1).max(64).optional(),
      /** Free text for a live announcement (shown as is). */
      text: z.string().min(1).max(500).optional(),
    })
    .strict(),
  z.object({ action: z.literal('stop') }).strict(),
]);
export type PaCommand = z.infer<typeof paCommand>;

/** One of the prerecorded announcements (GET /api/crew/announcements): text by language code. */
export interface Announcement {
  id: string;
  title: string;
  texts: Record<string, string>;
}

/** The retained state on cabin/pa while an announcement is active. */
export const paState = z
  .object({
    active: z.literal(true),
    id: z.string(),
    startedAt: z.string(),
    by: z.string(),
    announcementId: z.string().optional(),
    /** Text by language code; `text` alone for a live announcement. */
    texts: z.record(z.string(), z.string()).optional(),
    text: z.string().optional(),
  })
  .strict();
export type PaState = z.infer<typeof paState>;

/** A seat's periodic report on seat/<id>/health. */
export const seatHealth = z
  .object({
    appVersion: z.string().min(1).max(40),
    uptimeS: z
      .number()
      .nonnegative()
      .max(10 * 365 * 86400),
    lastError: z.string().max(500).nullable().optional(),
    playing: z.string().max(128).nullable().optional(),
    dnd: z.boolean().optional(),
    callLight: z.boolean().optional(),
  })
  .strict();
export type SeatHealth = z.infer<typeof seatHealth>;

/** A fault raised by a seat unit on seat/<id>/fault. Journalled: it goes to the ground. */
export const seatFault = z
  .object({
    /** Chosen by the seat so a re-sent fault is stored once. */
    id: z.string().uuid(),
    code: z.string().regex(/^[A-Z0-9_]{2,40}$/, 'an upper-case fault code such as SCREEN_BLANK'),
    message: z.string().max(500),
    at: z.string().datetime(),
  })
  .strict();
export type SeatFault = z.infer<typeof seatFault>;

export const crewRole = z.enum(['purser', 'cabin_crew', 'maintenance']);
export type CrewRole = z.infer<typeof crewRole>;

export const crewLogin = z
  .object({
    crewId: z.string().min(1).max(32),
    pin: z.string().regex(/^[0-9]{4,8}$/, 'a PIN is 4 to 8 digits'),
  })
  .strict();

export type SeatState = 'online' | 'offline' | 'never_seen';

/** One row of the crew's seat map (GET /api/crew/seats). */
export interface SeatMapEntry {
  seatId: string;
  cabinClass: string;
  state: SeatState;
  lastSeen: string | null;
  appVersion: string | null;
  uptimeS: number | null;
  lastError: string | null;
  playing: string | null;
  dnd: boolean;
  callLight: boolean;
  faults: { id: string; code: string; message: string; at: string }[];
}

/** What crew tell one seat (POST /api/crew/seats/:seatId/command). Lock and parental lock are state; reset and ack-call are one-shot. */
export const seatCommand = z.discriminatedUnion('action', [
  z.object({ action: z.literal('lock') }).strict(),
  z.object({ action: z.literal('unlock') }).strict(),
  z.object({ action: z.literal('reset') }).strict(),
  z.object({ action: z.literal('ack-call') }).strict(),
  z.object({ action: z.literal('parental-lock'), on: z.boolean() }).strict(),
]);
export type SeatCommand = z.infer<typeof seatCommand>;

/** One-shot commands as the seat receives them on seat/<id>/command (not retained). */
export const seatCommandMessage = z
  .object({
    action: z.enum(['reset', 'ack-call']),
    at: z.string(),
    by: z.string(),
  })
  .strict();
export type SeatCommandMessage = z.infer<typeof seatCommandMessage>;

/** Crew-set controls, retained by the appliance on seat/<id>/state so a rebooted seat obeys them at once. */
export const seatControls = z
  .object({
    locked: z.boolean(),
    parentalLock: z.boolean(),
    updatedAt: z.string(),
    by: z.string(),
  })
  .strict();
export type SeatControls = z.infer<typeof seatControls>;
