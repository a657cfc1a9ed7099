/** What every screen gets: the app's parts, passed in (no globals). */
import type { CabinLink } from '../cabin/cabin-link.ts';
import type { Screen, ViewerCredentials } from '../cabin/seat-identity.ts';
import type { CatalogSource } from '../catalog/source.ts';
import type { CatalogTitle } from '../catalog/model.ts';
import type { Locale } from '../i18n/i18n.ts';
import type { SettingsStore } from '../settings/settings.ts';
import type { ParentalLock } from '../settings/parental-lock.ts';

export interface PlaybackHooks {
  /** Pauses for a cabin event and remembers whether to resume. */
  holdForCabin(): void;
  releaseFromCabin(): void;
}

export interface AppContext {
  screen: Screen;
  locale(): Locale;
  settings: SettingsStore;
  catalog: CatalogSource;
  cabin: CabinLink;
  parental: ParentalLock;
  /** The titles this device and this passenger may see. */
  titles(): CatalogTitle[];
  title(id: string): CatalogTitle | undefined;
  navigate(hash: string): void;
  /** Set by the player while it is on screen. */
  playback: PlaybackHooks | undefined;
  /** What this seat or phone shows the appliance to open playback. */
  credentials(): Promise<ViewerCredentials | undefined>;
}

export interface View {
  el: HTMLElement;
  /** Heading text for the document title. */
  title: string;
  dispose?(): void;
}
