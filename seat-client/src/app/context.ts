/** What every screen gets: the app's parts, passed in (no globals). */

import type { RemoteCommand } from '@ifec/protocol';
import type { CabinLink } from '../cabin/cabin-link.ts';
import type { Screen, ViewerCredentials } from '../cabin/seat-identity.ts';
import type { Coverage } from '../catalog/coverage.ts';
import type { TitleView } from '../catalog/model.ts';
import type { CatalogSource } from '../catalog/source.ts';
import type { FlightAwareness } from '../flight/flight-state.ts';
import type { Locale } from '../i18n/i18n.ts';
import type { BackgroundPlayer } from '../player/background-player.ts';
import type { ResumeLink } from '../resume/resume-link.ts';
import type { ParentalLock } from '../settings/parental-lock.ts';
import type { SettingsStore } from '../settings/settings.ts';

export interface PlaybackHooks {
  /** Pauses for a cabin event and remembers whether to resume. */
  holdForCabin(): void;
  releaseFromCabin(): void;
  /** A paired phone's command for what plays (resume_here is the app's: it may change title). */
  remote(command: Exclude<RemoteCommand, { action: 'resume_here' }>): void;
  /** Hand back on the same title: continue from the merged resume point. */
  resumeFrom(positionS: number): void;
  readonly titleId: string;
}

export interface AppContext {
  screen: Screen;
  locale(): Locale;
  settings: SettingsStore;
  catalog: CatalogSource;
  cabin: CabinLink;
  parental: ParentalLock;
  /** Resume points (merged across the passenger's devices), the seat's session, a phone's pairing. */
  resume: ResumeLink;
  /** The titles this device and this passenger may see. */
  titles(): TitleView[];
  title(id: string): TitleView | undefined;
  navigate(hash: string): void;
  /** Music that goes on playing while the passenger browses (the player hands it over). */
  background: BackgroundPlayer;
  /** Set by the player while it is on screen (or the background music's, after it). */
  playback: PlaybackHooks | undefined;
  /** Position, phase and the policy in force (cabin bus); the catalogue above already hides what it restricts. */
  flight: FlightAwareness;
  /** The home screen's strip (time to destination): one element that updates itself. */
  flightStrip: HTMLElement;
  /** The appliance refused a title here (451 REGION_BLOCKED): leave the player and say why. */
  regionBlocked(titleId: string): void;
  /** What this seat or phone shows the appliance to open playback. */
  credentials(): Promise<ViewerCredentials | undefined>;
  /** Priced titles the passenger already has (a pass, a bundle, a purchase): "Included with …" on the detail page. */
  coverage?: Coverage;
}

export interface View {
  el: HTMLElement;
  /** Heading text for the document title. */
  title: string;
  dispose?(): void;
}
