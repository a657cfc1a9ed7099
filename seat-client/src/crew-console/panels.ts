/**
 * A panel another feature mounts on the crew console (the shop's orders, software updates).
 * The console redraws every 2 s: a panel keeps one element (or builds a fresh one) in el(),
 * calls the appliance itself with the crew token, and disables its commands while
 * reachable() is false (the console shows the stale notice).
 */
export interface PanelContext {
  baseUrl: string;
  token(): string | undefined;
  role(): string;
  /** The console's language (crew-strings.ts CREW_LANGUAGES). */
  lang(): string;
  /** False while the console cannot reach the appliance. */
  reachable(): boolean;
  /** Asks the console to redraw (after the panel's own data changed). */
  redraw(): void;
}

export interface ConsolePanel {
  el(): HTMLElement | null;
  start?(): void;
  stop?(): void;
  /** The console's language changed: show it now, not at the panel's next poll. */
  relabel?(): void;
}
