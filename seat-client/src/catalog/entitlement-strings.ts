/**
 * What the detail page says when a priced title is already the passenger's: covered by a
 * pass or bundle bought in the shop, or bought alone. Every UI language
 * (i18n/translations.test.ts fails on a missing or untranslated key).
 */
import type { UiLanguage } from '../i18n/strings.ts';

const en = {
  includedWith: 'Included with {name}',
  yourPass: 'your entertainment pass',
  bought: 'Bought for this flight',
};
type Table = typeof en;

export const entitlementStrings: Record<UiLanguage, Table> = {
  en,
  fr: {
    includedWith: 'Inclus avec {name}',
    yourPass: 'votre pass divertissement',
    bought: 'Acheté pour ce vol',
  },
  de: {
    includedWith: 'Enthalten in {name}',
    yourPass: 'Ihrem Unterhaltungspass',
    bought: 'Für diesen Flug gekauft',
  },
  es: {
    includedWith: 'Incluido con {name}',
    yourPass: 'su pase de entretenimiento',
    bought: 'Comprado para este vuelo',
  },
  pt: {
    includedWith: 'Incluído com {name}',
    yourPass: 'o seu passe de entretenimento',
    bought: 'Comprado para este voo',
  },
  it: {
    includedWith: 'Incluso con {name}',
    yourPass: 'il tuo pass intrattenimento',
    bought: 'Acquistato per questo volo',
  },
  ar: {
    includedWith: 'مشمول مع {name}',
    yourPass: 'بطاقة الترفيه الخاصة بك',
    bought: 'تم شراؤه لهذه الرحلة',
  },
  zh: {
    includedWith: '已包含在{name}中',
    yourPass: '您的娱乐通行证',
    bought: '已为本次航班购买',
  },
  ja: {
    includedWith: '{name}に含まれています',
    yourPass: 'お持ちのエンターテインメントパス',
    bought: 'この便のために購入済み',
  },
  ko: {
    includedWith: '{name}에 포함',
    yourPass: '보유하신 엔터테인먼트 패스',
    bought: '이번 비행용으로 구매함',
  },
  hi: {
    includedWith: '{name} में शामिल',
    yourPass: 'आपका मनोरंजन पास',
    bought: 'इस उड़ान के लिए खरीदा गया',
  },
};
