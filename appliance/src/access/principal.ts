import type { CrewRole } from '@ifec/protocol';

/** Who is on the other end of a connection or request. */
export type Principal =
  | { role: 'seat'; seatId: string }
  | { role: 'crew'; crewId: string; crewRole: CrewRole }
  | { role: 'phone'; deviceId: string }
  | { role: 'service'; name: string };

export type PrincipalRole = Principal['role'];

export function describePrincipal(p: Principal): string {
  switch (p.role) {
    case 'seat':
      return `seat:${p.seatId}`;
    case 'crew':
      return `crew:${p.crewId}`;
    case 'phone':
      return `phone:${p.deviceId}`;
    case 'service':
      return `service:${p.name}`;
  }
}
