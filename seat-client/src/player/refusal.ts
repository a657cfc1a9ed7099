/**
 * A refused or failed Play, said in the passenger's language with the one action that helps
 * (buy, unlock, retry, choose another). The appliance's message is for logs, never the screen.
 */
import { ApiError, UNREACHABLE } from '../api/api-client.ts';
import type { Locale } from '../i18n/i18n.ts';
import { fill, screenStrings } from '../i18n/screen-strings.ts';

export type RefusalKind = 'paid' | 'region' | 'parental' | 'seatback-only' | 'offline' | 'other';

export interface RefusalAction {
  label: string;
  /** A route to open, or 'retry' for the player to try again. */
  href: string | 'retry';
  primary?: boolean;
}

export function refusalKind(error: unknown): RefusalKind {
  if (!(error instanceof ApiError)) return 'other';
  if (error.code === 'NOT_ENTITLED' || error.status === 402) return 'paid';
  if (error.code === 'REGION_BLOCKED' || error.status === 451) return 'region';
  if (error.code === 'PARENTAL_LOCK') return 'parental';
  if (error.code === 'SEATBACK_ONLY') return 'seatback-only';
  if (error.code === UNREACHABLE || error.status === 0 || error.status >= 500) return 'offline';
  return 'other';
}

export function refusalMessage(
  kind: RefusalKind,
  locale: Locale,
  titleId: string,
  /** The title's price in the passenger's currency, for the Buy button. */
  price = '',
): { message: string; actions: RefusalAction[] } {
  const s = screenStrings[locale.lang];
  const another: RefusalAction = { label: s.chooseAnother, href: '#/' };
  const id = encodeURIComponent(titleId);
  switch (kind) {
    case 'paid':
      return {
        message: s.refusedPaid,
        actions: [{ label: fill(s.buy, { price }), href: `#/shop/title/${id}`, primary: true }, another],
      };
    case 'region':
      return { message: s.refusedRegion, actions: [another] };
    case 'parental':
      return {
        message: s.refusedParental,
        actions: [{ label: s.openSettings, href: '#/settings', primary: true }, another],
      };
    case 'seatback-only':
      return { message: s.refusedSeatbackOnly, actions: [another] };
    case 'offline':
      return { message: s.refusedOffline, actions: [{ label: s.tryAgain, href: 'retry', primary: true }, another] };
    default:
      return { message: s.refusedOther, actions: [{ label: s.tryAgain, href: 'retry', primary: true }, another] };
  }
}
