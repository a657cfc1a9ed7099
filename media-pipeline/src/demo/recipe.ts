/**
 * The demo catalogue: a dozen short titles made only from ffmpeg's synthetic sources, so
 * `npm start` has content without any copyrighted media. Changing anything here changes the
 * recipe hash and rebuilds the cached load.
 */
import type { TitleMetadata } from '@ifec/protocol';

export const DEMO_LANGUAGES = ['en', 'fr', 'de', 'es', 'ar', 'zh', 'ja'] as const;
type Texts = Record<(typeof DEMO_LANGUAGES)[number], string>;

export interface DemoTitle {
  meta: Omit<TitleMetadata, 'synopses' | 'licence' | 'regions' | 'sources' | 'originalLanguage'> &
    Partial<Pick<TitleMetadata, 'regions'>>;
  titles: Texts;
  durationS: number;
  /** lavfi video source, or null for music. */
  pattern: 'testsrc2' | 'smptebars' | 'testsrc' | null;
  /** Base tone in Hz; the French track is a fifth above, the description track an octave below. */
  toneHz: number;
  audioDescription?: boolean;
}

const SYNOPSIS: Record<keyof Texts, (title: string) => string> = {
  en: (t) => `${t}: a short synthetic demo title made from test patterns and tones, free of copyrighted media.`,
  fr: (t) => `${t} : un court titre de démonstration synthétique, fait de mires et de tonalités, sans média protégé.`,
  de: (t) =>
    `${t}: ein kurzer synthetischer Demo-Titel aus Testbildern und Tönen, ohne urheberrechtlich geschützte Medien.`,
  es: (t) =>
    `${t}: un breve título de demostración sintético hecho con cartas de ajuste y tonos, sin medios protegidos.`,
  ar: (t) => `${t}: عنوان تجريبي قصير مُولَّد من أنماط اختبار ونغمات، خالٍ من أي محتوى محمي بحقوق النشر.`,
  zh: (t) => `${t}：一部由测试图案和音调合成的简短演示节目，不含任何受版权保护的媒体。`,
  ja: (t) => `${t}：テストパターンとトーンから作られた短いデモ作品です。著作権で保護されたメディアは含まれていません。`,
};

export function synopses(titles: Texts): Texts {
  return Object.fromEntries(DEMO_LANGUAGES.map((l) => [l, SYNOPSIS[l](titles[l])])) as Texts;
}

/** Subtitle cues, every few seconds, in the three subtitle languages (en as SRT with CC, fr VTT, de TTML). */
export const DEMO_CUES: Array<{ en: string; fr: string; de: string }> = [
  { en: 'Welcome aboard.', fr: 'Bienvenue à bord.', de: 'Willkommen an Bord.' },
  { en: 'Please fasten your seatbelt.', fr: 'Veuillez attacher votre ceinture.', de: 'Bitte schnallen Sie sich an.' },
  { en: '[engine hum]', fr: 'Nous atteignons notre altitude de croisière.', de: 'Wir erreichen unsere Reiseflughöhe.' },
  { en: 'Enjoy the flight.', fr: 'Bon vol.', de: 'Guten Flug.' },
];

const JET_STREAM: Texts = {
  en: 'Jet Stream',
  fr: 'Courant-jet',
  de: 'Jetstream',
  es: 'Corriente en chorro',
  ar: 'التيار النفاث',
  zh: '急流',
  ja: 'ジェット気流',
};
const ALBUM: Texts = {
  en: 'Cruising Altitude',
  fr: 'Altitude de croisière',
  de: 'Reiseflughöhe',
  es: 'Altitud de crucero',
  ar: 'ارتفاع الطيران',
  zh: '巡航高度',
  ja: '巡航高度',
};
const actor = (name: string, character: string) => ({ name, role: 'actor' as const, character });
const director = (name: string) => ({ name, role: 'director' as const });

export const DEMO_TITLES: DemoTitle[] = [
  {
    meta: {
      id: 'northern-lights',
      eidr: '10.5240/1A2B-3C4D-5E6F-7A8B-9C0D-X',
      kind: 'movie',
      titles: {},
      genres: ['drama'],
      cast: [actor('Ines Varga', 'Captain Hale'), director('Tomas Lind')],
      rating: { system: 'BBFC', value: '12A' },
      releaseYear: 2026,
      rights: 'seatback-only',
      priceTier: 'premium-1',
    },
    titles: {
      en: 'Northern Lights',
      fr: 'Aurores boréales',
      de: 'Nordlichter',
      es: 'Auroras boreales',
      ar: 'الشفق القطبي',
      zh: '北极光',
      ja: 'オーロラ',
    },
    durationS: 30,
    pattern: 'testsrc2',
    toneHz: 440,
    audioDescription: true,
  },
  {
    meta: {
      id: 'the-last-runway',
      featured: 1, // this month's highlight on home (without it: harbour-of-glass, first by name)
      kind: 'movie',
      titles: {},
      genres: ['thriller'],
      cast: [actor('Marc Olsen', 'First Officer Reyes'), director('Aiko Mori')],
      rating: { system: 'MPAA', value: 'PG-13' },
      releaseYear: 2025,
      rights: 'all-devices',
      priceTier: 'included',
    },
    titles: {
      en: 'The Last Runway',
      fr: 'La Dernière Piste',
      de: 'Die letzte Landebahn',
      es: 'La última pista',
      ar: 'المدرج الأخير',
      zh: '最后的跑道',
      ja: '最後の滑走路',
    },
    durationS: 30,
    pattern: 'smptebars',
    toneHz: 392,
  },
  {
    meta: {
      id: 'harbour-of-glass',
      kind: 'movie',
      titles: {},
      genres: ['romance', 'drama'],
      cast: [actor('Sofia Brandt', 'Elena'), director('Karim Haddad')],
      rating: { system: 'FSK', value: '12' },
      releaseYear: 2024,
      rights: 'all-devices',
      priceTier: 'included',
      regions: { allowed: ['*'], blocked: ['CN'] },
    },
    titles: {
      en: 'Harbour of Glass',
      fr: 'Le Port de verre',
      de: 'Der gläserne Hafen',
      es: 'El puerto de cristal',
      ar: 'ميناء الزجاج',
      zh: '玻璃港',
      ja: 'ガラスの港',
    },
    // A minute long: the resume-anywhere test pauses it at 00:41.
    durationS: 60,
    pattern: 'testsrc2',
    toneHz: 349,
  },
  {
    meta: {
      id: 'copper-sky',
      kind: 'movie',
      titles: {},
      genres: ['documentary'],
      cast: [director('Lena Park')],
      rating: { system: 'NR', value: 'NR' },
      releaseYear: 2026,
      rights: 'all-devices',
      priceTier: 'premium-2',
    },
    titles: {
      en: 'Copper Sky',
      fr: 'Ciel de cuivre',
      de: 'Kupferhimmel',
      es: 'Cielo de cobre',
      ar: 'سماء نحاسية',
      zh: '铜色天空',
      ja: '銅色の空',
    },
    durationS: 24,
    pattern: 'smptebars',
    toneHz: 330,
  },
  ...(
    [
      [1, 1, { en: 'Departure', fr: 'Départ', de: 'Abflug', es: 'Salida', ar: 'المغادرة', zh: '启程', ja: '出発' }],
      [
        1,
        2,
        {
          en: 'Turbulence',
          fr: 'Turbulences',
          de: 'Turbulenzen',
          es: 'Turbulencias',
          ar: 'اضطرابات',
          zh: '颠簸',
          ja: '乱気流',
        },
      ],
      [
        2,
        1,
        {
          en: 'Night Crossing',
          fr: 'Traversée de nuit',
          de: 'Nachtüberquerung',
          es: 'Travesía nocturna',
          ar: 'عبور ليلي',
          zh: '夜航',
          ja: '夜の横断',
        },
      ],
    ] as Array<[number, number, Texts]>
  ).map(
    ([season, episode, titles]): DemoTitle => ({
      meta: {
        id: `jet-stream-s${season}e${episode}`,
        kind: 'episode',
        titles: {},
        series: { id: 'jet-stream', titles: JET_STREAM, season, episode },
        genres: ['drama', 'series'],
        cast: [actor('Noor Salem', 'Purser Dana'), actor('Felix Moreau', 'Captain Roy')],
        rating: { system: 'TVPG', value: 'TV-PG' },
        releaseYear: 2026,
        rights: 'all-devices',
        priceTier: 'included',
      },
      titles,
      durationS: 20,
      pattern: 'smptebars',
      toneHz: 262 + season * 20 + episode * 10,
    }),
  ),
  {
    meta: {
      id: 'paper-planes',
      kind: 'kids',
      titles: {},
      genres: ['animation', 'family'],
      cast: [{ name: 'Mia Tan', role: 'voice', character: 'Pip' }],
      rating: { system: 'MPAA', value: 'G' },
      releaseYear: 2025,
      rights: 'all-devices',
      priceTier: 'included',
    },
    titles: {
      en: 'Paper Planes',
      fr: 'Avions en papier',
      de: 'Papierflieger',
      es: 'Aviones de papel',
      ar: 'طائرات ورقية',
      zh: '纸飞机',
      ja: '紙飛行機',
    },
    durationS: 20,
    pattern: 'testsrc',
    toneHz: 523,
  },
  {
    meta: {
      id: 'little-cloud',
      kind: 'kids',
      titles: {},
      genres: ['animation'],
      cast: [{ name: 'Sam Okafor', role: 'voice', character: 'Cloud' }],
      rating: { system: 'MPAA', value: 'G' },
      releaseYear: 2026,
      rights: 'all-devices',
      priceTier: 'included',
    },
    titles: {
      en: 'Little Cloud',
      fr: 'Petit Nuage',
      de: 'Kleine Wolke',
      es: 'Pequeña nube',
      ar: 'الغيمة الصغيرة',
      zh: '小云朵',
      ja: 'ちいさなくも',
    },
    durationS: 20,
    pattern: 'testsrc',
    toneHz: 587,
  },
  ...(
    [
      [
        1,
        'takeoff',
        { en: 'Takeoff', fr: 'Décollage', de: 'Start', es: 'Despegue', ar: 'الإقلاع', zh: '起飞', ja: '離陸' },
      ],
      [
        2,
        'above-the-clouds',
        {
          en: 'Above the Clouds',
          fr: 'Au-dessus des nuages',
          de: 'Über den Wolken',
          es: 'Sobre las nubes',
          ar: 'فوق السحاب',
          zh: '云端之上',
          ja: '雲の上で',
        },
      ],
      [
        3,
        'final-approach',
        {
          en: 'Final Approach',
          fr: 'Approche finale',
          de: 'Endanflug',
          es: 'Aproximación final',
          ar: 'الاقتراب النهائي',
          zh: '最后进近',
          ja: '最終進入',
        },
      ],
    ] as Array<[number, string, Texts]>
  ).map(
    ([track, slug, titles]): DemoTitle => ({
      meta: {
        id: `cruising-altitude-${slug}`,
        kind: 'audio',
        titles: {},
        album: { id: 'cruising-altitude', titles: ALBUM, artist: 'The Contrails', track },
        genres: ['ambient'],
        cast: [{ name: 'The Contrails', role: 'performer' }],
        rating: { system: 'NR', value: 'NR' },
        releaseYear: 2026,
        rights: 'all-devices',
        priceTier: 'included',
      },
      titles,
      durationS: 20,
      pattern: null,
      toneHz: 220 + track * 55,
    }),
  ),
];

/** Licence window and regions shared by every demo title: open through the demo's lifetime. */
export const DEMO_LICENCE = { start: '2026-01-01T00:00:00Z', end: '2030-12-31T23:59:59Z' };
export const DEMO_LOAD = {
  cycle: '2026-12',
  airline: 'IFEC Demo Air',
  fleet: 'A350-900',
  expiresAt: '2030-12-31T23:59:59Z',
  id: 'DEMO-A350-2026-12',
};

/** One audio stream of a demo source, in stream order. */
export interface DemoAudioTrack {
  /** Catalogue code (title.json) and the ISO 639-2 tag written into the source. */
  language: 'en' | 'fr';
  tag: 'eng' | 'fra';
  toneHz: number;
  audioDescription: boolean;
}

/** Films and episodes: English, French (a fifth up), and maybe an English description (an octave down); music: English. */
export function demoAudioTracks(t: DemoTitle): DemoAudioTrack[] {
  const en = { language: 'en', tag: 'eng', toneHz: t.toneHz, audioDescription: false } as const;
  if (!t.pattern) return [en];
  return [
    en,
    { language: 'fr', tag: 'fra', toneHz: t.toneHz * 1.5, audioDescription: false },
    ...(t.audioDescription
      ? [{ language: 'en', tag: 'eng', toneHz: t.toneHz / 2, audioDescription: true } as const]
      : []),
  ];
}

/**
 * title.json for a demo title. `sources.audio` says which stream is which: the demo does not
 * rely on the source's dispositions, because the npm-shipped ffmpeg (2018) drops
 * `visual_impaired` when it writes MP4 (ingest still reads dispositions for real sources).
 */
export function demoMetadata(t: DemoTitle): TitleMetadata {
  return {
    ...t.meta,
    titles: t.titles,
    synopses: synopses(t.titles),
    originalLanguage: 'en',
    licence: DEMO_LICENCE,
    regions: t.meta.regions ?? { allowed: ['*'], blocked: [] },
    sources: {
      audio: demoAudioTracks(t).map((a, stream) => ({
        stream,
        language: a.language,
        audioDescription: a.audioDescription,
      })),
    },
  };
}
