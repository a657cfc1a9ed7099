/**
 * Who this screen is. On a seat unit the Electron preload exposes the unit's provisioning
 * (`window.ifecSeat`); in a phone's browser there is none and the app runs as a phone.
 */
import { paths } from '@ifec/protocol';
import { ApiClient } from '../api/api-client.ts';

export interface SeatIdentity {
  seatId: string;
  secret: string;
  /** The appliance's origin, e.g. http://10.0.0.1:8080; defaults to the page's origin. */
  applianceUrl?: string;
}

declare global {
  interface Window {
    ifecSeat?: SeatIdentity;
    /** The Electron kiosk's watchdog (absent on phones and in a plain browser). */
    ifecKiosk?: {
      heartbeat(): void;
      takeFaults(): Promise<{ id: string; code: string; message: string; at: string }[]>;
    };
  }
}

export interface Screen {
  device: 'seatback' | 'phone';
  seat?: SeatIdentity;
  baseUrl: string;
}

export function whoAmI(win: Window): Screen {
  const seat = win.ifecSeat;
  const origin = win.location.protocol.startsWith('http') ? win.location.origin : 'http://localhost:8080';
  if (seat?.seatId && seat.secret) return { device: 'seatback', seat, baseUrl: seat.applianceUrl ?? origin };
  return { device: 'phone', baseUrl: origin };
}

/** The Basic credentials a seat or a phone shows the appliance (playback, bus). */
export interface ViewerCredentials {
  username: string;
  password: string;
}

/** A phone registers once (POST /api/phones) and keeps its device credentials. */
export async function viewerCredentials(screen: Screen, storage: Storage): Promise<ViewerCredentials | undefined> {
  if (screen.seat) return { username: `seat:${screen.seat.seatId}`, password: screen.seat.secret };
  const KEY = 'ifec.phone.v1';
  const saved = storage.getItem(KEY);
  if (saved) return JSON.parse(saved) as ViewerCredentials;
  try {
    const { mqtt } = await new ApiClient(screen.baseUrl).request<{ mqtt: ViewerCredentials }>(paths.phones, {
      method: 'POST',
    });
    storage.setItem(KEY, JSON.stringify(mqtt));
    return mqtt;
  } catch {
    return undefined;
  }
}
