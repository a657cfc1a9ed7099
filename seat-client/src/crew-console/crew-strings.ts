/**
 * The crew console's words in every UI language the seat speaks (strings.ts lists them).
 * English is complete; the type makes every other language complete, and
 * crew-strings.test.ts fails on a missing, empty or placeholder-dropping entry.
 * Placeholders are {name}; times and "2 minutes ago" come from Intl in the console's language.
 */
const en = {
  consoleTitle: 'Crew console',
  crewId: 'Crew ID',
  pin: 'PIN',
  logIn: 'Log in',
  logOut: 'Log out',
  language: 'Language',
  sessionEnded: 'Your session ended; log in again.',
  loginRefused: 'Wrong crew ID or PIN.',
  loginThrottled: 'Too many attempts; wait a moment and try again.',
  unreachable: 'The appliance is not reachable.',
  role_purser: 'Purser',
  role_cabin_crew: 'Cabin crew',
  role_maintenance: 'Maintenance',
  summary: '{online} online · {offline} offline · {never} never seen · {calling} calling',
  linkUp: 'Cabin system connected',
  staleTitle: 'Cabin system unreachable',
  staleBody: 'What you see is from {time}. Commands are off until the connection is back; retrying.',
  seatMap: 'Seat map',
  decks: 'Decks',
  deck_main: 'Main deck',
  deck_upper: 'Upper deck',
  nose: 'Nose',
  class_first: 'First',
  class_business: 'Business',
  class_premium: 'Premium economy',
  class_economy: 'Economy',
  exit: 'Exit',
  galley: 'Galley',
  lavatory: 'Lavatories',
  closet: 'Closet',
  stairs: 'Stairs',
  legendOnline: 'Online',
  legendOffline: 'Offline',
  legendNeverSeen: 'Never seen',
  legendCall: 'Calling crew',
  legendDnd: 'Do not disturb',
  legendPlaying: 'Playing',
  legendLocked: 'Locked',
  legendFault: 'Fault',
  seat: 'Seat {seat}',
  state_online: 'online',
  state_offline: 'offline, last contact {ago}',
  state_never_seen: 'never seen',
  stateStale: 'state unknown (the cabin system is unreachable)',
  playingTitle: 'playing {title}',
  faults: 'faults: {count}',
  calls: 'Calls',
  acknowledge: 'Acknowledge {seat}',
  seatHeading: 'Seat {seat} · {class}',
  chooseSeat: 'Choose a seat on the map.',
  lastContact: 'Last contact {time} · app {version}',
  lastError: 'Last error: {error}',
  lockSeat: 'Lock seat',
  unlockSeat: 'Unlock seat',
  parentalLock: 'Parental lock',
  ackCall: 'Acknowledge call',
  resetSeat: 'Reset seat',
  done: '{what}: done',
  failed: '{what}: not done ({reason})',
  pa: 'Announcements (PA)',
  onAir: 'On air: {title}',
  noPa: 'No announcement on air.',
  endPa: 'End announcement',
  liveText: 'Live announcement text',
  startPa: 'Start',
  freeText: 'Live announcement',
  paHistory: 'Recent announcements',
  paStarted: 'started by {by}',
  paEnded: 'ended by {by}',
  paNone: 'No announcement yet on this flight.',
  paCrewOnly: 'Announcements are made by the purser and cabin crew.',
  pa_seatbelt: 'Fasten seat belts',
  pa_turbulence: 'Turbulence',
  pa_meal: 'Meal service',
  pa_descent: 'Descent',
  systemStatus: 'Content and sync',
  contentLoad: 'Content load',
  contentLoadLine: 'Cycle {cycle} · version {version} · {titles} titles',
  contentLoadValid: 'Active since {since}, valid until {until}',
  noContentLoad: 'No content load installed.',
  groundSync: 'Ground sync',
  sync_offline: 'No ground link',
  sync_uploading: 'Sending to the ground',
  sync_downloading: 'Receiving from the ground',
  sync_idle: 'Up to date',
  'sync_backing-off': 'Waiting to try again',
  'sync_budget-exhausted': 'Satcom budget used up',
  lastGroundContact: 'Last contact with the ground: {time}',
  neverGroundContact: 'No contact with the ground yet.',
  syncBacklog: 'Waiting to go to the ground: {count} records',
  statusUnknown: 'Not known yet.',
  flight: 'Flight',
  resetFlight: 'Reset for next flight',
  confirmReset: "Wipe every passenger's resume points, phone pairings and seat settings?",
  confirmYes: 'Yes, reset for next flight',
  cancel: 'Cancel',
  resetDone: 'Reset for next flight: {sessions} passenger sessions ended, {phones} phones unpaired',
  maintenance: 'Maintenance',
};

export type CrewStrings = { [K in keyof typeof en]: string };

// TRANSLATIONS
const fr: CrewStrings = { ...en };
const de: CrewStrings = { ...en };
const es: CrewStrings = { ...en };
const pt: CrewStrings = { ...en };
const it: CrewStrings = { ...en };
const ar: CrewStrings = { ...en };
const zh: CrewStrings = { ...en };
const ja: CrewStrings = { ...en };
const ko: CrewStrings = { ...en };
const hi: CrewStrings = { ...en };

/** "{seat} …" with the values put in; a missing value leaves the placeholder visible (a test catches it). */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

export const crewStrings = { en, fr, de, es, pt, it, ar, zh, ja, ko, hi } satisfies Record<string, CrewStrings>;
export type CrewLanguage = keyof typeof crewStrings;
export const CREW_LANGUAGES = Object.keys(crewStrings) as CrewLanguage[];

/** "pt-BR" -> pt; anything unknown -> English. */
export function crewLanguageFor(tag: string): CrewLanguage {
  const base = tag.toLowerCase().split('-')[0] ?? '';
  return (CREW_LANGUAGES as string[]).includes(base) ? (base as CrewLanguage) : 'en';
}
