/**
 * Major cities the map may label, with their names in the UI languages (en fr de es pt it ar
 * zh ja ko hi, "|"-separated; an empty field means the English name). Hand-kept and small on
 * purpose: a seatback map labels hubs and capitals, not every town.
 */
import type { LonLat } from './geo-math.ts';

export const CITY_LANGUAGES = ['en', 'fr', 'de', 'es', 'pt', 'it', 'ar', 'zh', 'ja', 'ko', 'hi'] as const;

const RAW: [number, number, string][] = [
  [-0.13, 51.51, 'London|Londres|||Londres|Londra|لندن|伦敦|ロンドン|런던|लंदन'],
  [2.35, 48.86, 'Paris|||París|||باريس|巴黎|パリ|파리|पेरिस'],
  [
    8.68,
    50.11,
    'Frankfurt|Francfort||Fráncfort|Frankfurt|Francoforte|فرانكفورت|法兰克福|フランクフルト|프랑크푸르트|फ़्रैंकफ़र्ट',
  ],
  [4.9, 52.37, 'Amsterdam||||Amesterdão|Amsterdam|أمستردام|阿姆斯特丹|アムステルダム|암스테르담|एम्स्टर्डम'],
  [-3.7, 40.42, 'Madrid|||||Madrid|مدريد|马德里|マドリード|마드리드|मैड्रिड'],
  [-9.14, 38.72, 'Lisbon|Lisbonne|Lissabon|Lisboa|Lisboa|Lisbona|لشبونة|里斯本|リスボン|리스본|लिस्बन'],
  [12.5, 41.9, 'Rome||Rom|Roma|Roma|Roma|روما|罗马|ローマ|로마|रोम'],
  [16.37, 48.21, 'Vienna|Vienne|Wien|Viena|Viena|Vienna|فيينا|维也纳|ウィーン|빈|वियना'],
  [21.01, 52.23, 'Warsaw|Varsovie|Warschau|Varsovia|Varsóvia|Varsavia|وارسو|华沙|ワルシャワ|바르샤바|वारसॉ'],
  [30.52, 50.45, 'Kyiv|Kiev|Kyjiw|Kiev|Kiev|Kiev|كييف|基辅|キーウ|키이우|कीव'],
  [37.62, 55.76, 'Moscow|Moscou|Moskau|Moscú|Moscovo|Mosca|موسكو|莫斯科|モスクワ|모스크바|मॉस्को'],
  [28.98, 41.01, 'Istanbul||Istanbul|Estambul|Istambul|Istanbul|إسطنبول|伊斯坦布尔|イスタンブール|이스탄불|इस्तांबुल'],
  [23.73, 37.98, 'Athens|Athènes|Athen|Atenas|Atenas|Atene|أثينا|雅典|アテネ|아테네|एथेंस'],
  [
    12.57,
    55.68,
    'Copenhagen|Copenhague|Kopenhagen|Copenhague|Copenhaga|Copenaghen|كوبنهاغن|哥本哈根|コペンハーゲン|코펜하겐|कोपेनहेगन',
  ],
  [18.07, 59.33, 'Stockholm||||Estocolmo|Stoccolma|ستوكهولم|斯德哥尔摩|ストックホルム|스톡홀름|स्टॉकहोम'],
  [24.94, 60.17, 'Helsinki|||Helsinki|Helsínquia|Helsinki|هلسنكي|赫尔辛基|ヘルシンキ|헬싱키|हेलसिंकी'],
  [-6.26, 53.35, 'Dublin|||Dublín|Dublin|Dublino|دبلن|都柏林|ダブリン|더블린|डबलिन'],
  [-21.9, 64.15, 'Reykjavík||||Reiquiavique||ريكيافيك|雷克雅未克|レイキャビク|레이캬비크|रेक्याविक'],
  [31.24, 30.04, 'Cairo|Le Caire|Kairo|El Cairo|Cairo|Il Cairo|القاهرة|开罗|カイロ|카이로|काहिरा'],
  [-7.59, 33.57, 'Casablanca|||||Casablanca|الدار البيضاء|卡萨布兰卡|カサブランカ|카사블랑카|कासाब्लांका'],
  [3.38, 6.52, 'Lagos|||||Lagos|لاغوس|拉各斯|ラゴス|라고스|लागोस'],
  [
    38.75,
    9.03,
    'Addis Ababa|Addis-Abeba|Addis Abeba|Adís Abeba|Adis Abeba|Addis Abeba|أديس أبابا|亚的斯亚贝巴|アディスアベバ|아디스아바바|अदीस अबाबा',
  ],
  [36.82, -1.29, 'Nairobi||||Nairóbi|Nairobi|نيروبي|内罗毕|ナイロビ|나이로비|नैरोबी'],
  [
    28.05,
    -26.2,
    'Johannesburg|Johannesbourg||Johannesburgo|Joanesburgo|Johannesburg|جوهانسبرغ|约翰内斯堡|ヨハネスブルグ|요하네스버그|जोहान्सबर्ग',
  ],
  [55.27, 25.2, 'Dubai|Dubaï|Dubai|Dubái|Dubai|Dubai|دبي|迪拜|ドバイ|두바이|दुबई'],
  [51.53, 25.29, 'Doha|||||Doha|الدوحة|多哈|ドーハ|도하|दोहा'],
  [54.37, 24.45, 'Abu Dhabi|Abou Dabi||Abu Dabi|Abu Dhabi|Abu Dhabi|أبوظبي|阿布扎比|アブダビ|아부다비|अबू धाबी'],
  [46.72, 24.71, 'Riyadh|Riyad|Riad|Riad|Riade|Riad|الرياض|利雅得|リヤド|리야드|रियाद'],
  [39.17, 21.49, 'Jeddah|Djeddah|Dschidda|Yeda|Jidá|Gedda|جدة|吉达|ジッダ|제다|जेद्दा'],
  [58.41, 23.59, 'Muscat|Mascate|Maskat|Mascate|Mascate|Mascate|مسقط|马斯喀特|マスカット|무스카트|मस्कट'],
  [51.39, 35.69, 'Tehran|Téhéran|Teheran|Teherán|Teerão|Teheran|طهران|德黑兰|テヘラン|테헤란|तेहरान'],
  [44.36, 33.31, 'Baghdad|Bagdad|Bagdad|Bagdad|Bagdade|Baghdad|بغداد|巴格达|バグダッド|바그다드|बग़दाद'],
  [49.87, 40.41, 'Baku|Bakou||Bakú|Baku|Baku|باكو|巴库|バクー|바쿠|बाकू'],
  [69.24, 41.3, 'Tashkent|Tachkent|Taschkent|Taskent|Tashkent|Tashkent|طشقند|塔什干|タシュケント|타슈켄트|ताशकंद'],
  [76.95, 43.24, 'Almaty|||||Almaty|ألماتي|阿拉木图|アルマトイ|알마티|अल्माटी'],
  [69.18, 34.53, 'Kabul|Kaboul||Kabul|Cabul|Kabul|كابل|喀布尔|カブール|카불|काबुल'],
  [67.01, 24.86, 'Karachi||Karatschi|Karachi|Carachi|Karachi|كراتشي|卡拉奇|カラチ|카라치|कराची'],
  [74.34, 31.55, 'Lahore|||||Lahore|لاهور|拉合尔|ラホール|라호르|लाहौर'],
  [77.21, 28.61, 'Delhi|Delhi|Delhi|Delhi|Deli|Delhi|دلهي|德里|デリー|델리|दिल्ली'],
  [72.88, 19.08, 'Mumbai|Bombay||Bombay|Bombaim|Mumbai|مومباي|孟买|ムンバイ|뭄바이|मुंबई'],
  [88.36, 22.57, 'Kolkata|Calcutta|Kalkutta|Calcuta|Calcutá|Calcutta|كولكاتا|加尔各答|コルカタ|콜카타|कोलकाता'],
  [80.27, 13.08, 'Chennai|||||Chennai|تشيناي|金奈|チェンナイ|첸나이|चेन्नई'],
  [90.41, 23.81, 'Dhaka|Dacca|Dhaka|Daca|Daca|Dacca|دكا|达卡|ダッカ|다카|ढाका'],
  [
    85.32,
    27.72,
    'Kathmandu|Katmandou|Kathmandu|Katmandú|Catmandu|Katmandu|كاتماندو|加德满都|カトマンズ|카트만두|काठमांडू',
  ],
  [79.86, 6.93, 'Colombo|||||Colombo|كولومبو|科伦坡|コロンボ|콜롬보|कोलंबो'],
  [96.16, 16.87, 'Yangon|Rangoun|Rangun|Rangún|Rangum|Yangon|يانغون|仰光|ヤンゴン|양곤|यांगून'],
  [100.5, 13.76, 'Bangkok||||Banguecoque|Bangkok|بانكوك|曼谷|バンコク|방콕|बैंकॉक'],
  [101.69, 3.14, 'Kuala Lumpur|||||Kuala Lumpur|كوالالمبور|吉隆坡|クアラルンプール|쿠알라룸푸르|कुआलालंपुर'],
  [
    103.82,
    1.35,
    'Singapore|Singapour|Singapur|Singapur|Singapura|Singapore|سنغافورة|新加坡|シンガポール|싱가포르|सिंगापुर',
  ],
  [106.85, -6.21, 'Jakarta|Jakarta|Jakarta|Yakarta|Jacarta|Giacarta|جاكرتا|雅加达|ジャカルタ|자카르타|जकार्ता'],
  [
    106.7,
    10.78,
    'Ho Chi Minh City|Hô-Chi-Minh-Ville|Ho-Chi-Minh-Stadt|Ciudad Ho Chi Minh|Cidade de Ho Chi Minh|Città di Ho Chi Minh|مدينة هو تشي منه|胡志明市|ホーチミン|호찌민|हो ची मिन्ह सिटी',
  ],
  [120.98, 14.6, 'Manila||||Manila|Manila|مانيلا|马尼拉|マニラ|마닐라|मनीला'],
  [114.17, 22.32, 'Hong Kong|Hong Kong|Hongkong|Hong Kong|Hong Kong|Hong Kong|هونغ كونغ|香港|香港|홍콩|हांगकांग'],
  [121.56, 25.03, 'Taipei|Taipei|Taipeh|Taipéi|Taipé|Taipei|تايبيه|台北|台北|타이베이|ताइपे'],
  [121.47, 31.23, 'Shanghai|Shanghai|Shanghai|Shanghái|Xangai|Shanghai|شانغهاي|上海|上海|상하이|शंघाई'],
  [116.4, 39.9, 'Beijing|Pékin|Peking|Pekín|Pequim|Pechino|بكين|北京|北京|베이징|बीजिंग'],
  [126.98, 37.57, 'Seoul|Séoul|Seoul|Seúl|Seul|Seul|سول|首尔|ソウル|서울|सियोल'],
  [139.69, 35.69, 'Tokyo||Tokio|Tokio|Tóquio|Tokyo|طوكيو|东京|東京|도쿄|टोक्यो'],
  [135.5, 34.69, 'Osaka|||Osaka|Osaka|Osaka|أوساكا|大阪|大阪|오사카|ओसाका'],
  [151.21, -33.87, 'Sydney|||Sídney|Sydney|Sydney|سيدني|悉尼|シドニー|시드니|सिडनी'],
  [144.96, -37.81, 'Melbourne||||Melbourne|Melbourne|ملبورن|墨尔本|メルボルン|멜버른|मेलबर्न'],
  [115.86, -31.95, 'Perth|||||Perth|بيرث|珀斯|パース|퍼스|पर्थ'],
  [174.76, -36.85, 'Auckland||||Auckland|Auckland|أوكلاند|奥克兰|オークランド|오클랜드|ऑकलैंड'],
  [-157.86, 21.31, 'Honolulu|||Honolulu|Honolulu|Honolulu|هونولولو|檀香山|ホノルル|호놀룰루|होनोलुलु'],
  [-149.9, 61.22, 'Anchorage|||||Anchorage|أنكوريج|安克雷奇|アンカレッジ|앵커리지|एंकरेज'],
  [-123.12, 49.28, 'Vancouver||||Vancouver|Vancouver|فانكوفر|温哥华|バンクーバー|밴쿠버|वैंकूवर'],
  [-122.33, 47.61, 'Seattle||||Seattle|Seattle|سياتل|西雅图|シアトル|시애틀|सिएटल'],
  [
    -122.42,
    37.77,
    'San Francisco|||San Francisco|São Francisco|San Francisco|سان فرانسيسكو|旧金山|サンフランシスコ|샌프란시스코|सैन फ़्रांसिस्को',
  ],
  [
    -118.24,
    34.05,
    'Los Angeles|||Los Ángeles|Los Angeles|Los Angeles|لوس أنجلوس|洛杉矶|ロサンゼルス|로스앤젤레스|लॉस एंजिल्स',
  ],
  [-104.99, 39.74, 'Denver|||||Denver|دنفر|丹佛|デンバー|덴버|डेनवर'],
  [-96.8, 32.78, 'Dallas|||||Dallas|دالاس|达拉斯|ダラス|댈러스|डैलस'],
  [-87.63, 41.88, 'Chicago||||Chicago|Chicago|شيكاغو|芝加哥|シカゴ|시카고|शिकागो'],
  [-84.39, 33.75, 'Atlanta|||||Atlanta|أتلانتا|亚特兰大|アトランタ|애틀랜타|अटलांटा'],
  [-80.19, 25.76, 'Miami|||||Miami|ميامي|迈阿密|マイアミ|마이애미|मियामी'],
  [-79.38, 43.65, 'Toronto|||||Toronto|تورونتو|多伦多|トロント|토론토|टोरंटो'],
  [
    -73.57,
    45.5,
    'Montreal|Montréal|Montreal|Montreal|Montreal|Montréal|مونتريال|蒙特利尔|モントリオール|몬트리올|मॉन्ट्रियल',
  ],
  [-74.01, 40.71, 'New York|New York|New York|Nueva York|Nova Iorque|New York|نيويورك|纽约|ニューヨーク|뉴욕|न्यूयॉर्क'],
  [-77.04, 38.91, 'Washington|||Washington|Washington|Washington|واشنطن|华盛顿|ワシントン|워싱턴|वॉशिंगटन'],
  [-71.06, 42.36, 'Boston|||||Boston|بوسطن|波士顿|ボストン|보스턴|बोस्टन'],
  [
    -99.13,
    19.43,
    'Mexico City|Mexico|Mexiko-Stadt|Ciudad de México|Cidade do México|Città del Messico|مدينة مكسيكو|墨西哥城|メキシコシティ|멕시코시티|मेक्सिको सिटी',
  ],
  [-74.07, 4.71, 'Bogotá||Bogotá|Bogotá|Bogotá|Bogotà|بوغوتا|波哥大|ボゴタ|보고타|बोगोटा'],
  [-77.04, -12.05, 'Lima|||||Lima|ليما|利马|リマ|리마|लीमा'],
  [
    -46.63,
    -23.55,
    'São Paulo|São Paulo|São Paulo|São Paulo|São Paulo|San Paolo|ساو باولو|圣保罗|サンパウロ|상파울루|साओ पाउलो',
  ],
  [
    -43.17,
    -22.91,
    'Rio de Janeiro|||Río de Janeiro|Rio de Janeiro|Rio de Janeiro|ريو دي جانيرو|里约热内卢|リオデジャネイロ|리우데자네이루|रियो डी जेनेरो',
  ],
  [
    -58.38,
    -34.6,
    'Buenos Aires|||||Buenos Aires|بوينس آيرس|布宜诺斯艾利斯|ブエノスアイレス|부에노스아이레스|ब्यूनस आयर्स',
  ],
  [-70.67, -33.45, 'Santiago||||Santiago|Santiago del Cile|سانتياغو|圣地亚哥|サンティアゴ|산티아고|सैंटियागो'],
];

export interface City {
  lon: number;
  lat: number;
  names: Record<string, string>;
}

export const CITIES: readonly City[] = RAW.map(([lon, lat, names]) => {
  const parts = names.split('|');
  const en = parts[0]!;
  return { lon, lat, names: Object.fromEntries(CITY_LANGUAGES.map((l, i) => [l, parts[i] || en])) };
});

export function cityName(city: City, lang: string): string {
  return city.names[lang] ?? city.names.en!;
}

/** The bundled city nearest a point, if one is within maxKm (an airport's city in the seat's language). */
export function nearestCity(at: LonLat, maxKm: number, distanceM: (a: LonLat, b: LonLat) => number): City | undefined {
  let best: City | undefined;
  let bestM = maxKm * 1000;
  for (const c of CITIES) {
    const d = distanceM(at, [c.lon, c.lat]);
    if (d < bestM) {
      best = c;
      bestM = d;
    }
  }
  return best;
}
