/**
 * The library of prerecorded announcements crew can start with one tap. Each seat shows
 * the text in its passenger's language (falling back to English).
 */
import type { Announcement } from '@ifec/protocol';

export const announcementLibrary: Announcement[] = [
  {
    id: 'seatbelt',
    title: 'Fasten seat belts',
    texts: {
      en: 'The captain has switched on the seat belt sign. Please return to your seat and fasten your seat belt.',
      fr: 'Le commandant a allumé la consigne lumineuse. Veuillez regagner votre siège et attacher votre ceinture.',
      de: 'Der Kapitän hat das Anschnallzeichen eingeschaltet. Bitte kehren Sie zu Ihrem Platz zurück und schnallen Sie sich an.',
      es: 'El comandante ha encendido la señal de abrocharse el cinturón. Por favor, vuelva a su asiento y abróchese el cinturón.',
      ar: 'قام القائد بتشغيل إشارة ربط الأحزمة. يرجى العودة إلى مقعدك وربط حزام الأمان.',
      zh: '机长已打开系好安全带指示灯。请回到座位并系好安全带。',
      ja: '機長がシートベルト着用サインを点灯しました。座席に戻り、シートベルトをお締めください。',
    },
  },
  {
    id: 'turbulence',
    title: 'Turbulence',
    texts: {
      en: 'We are expecting some turbulence. Please remain seated with your seat belt fastened.',
      fr: 'Nous allons traverser une zone de turbulences. Veuillez rester assis, ceinture attachée.',
      de: 'Wir erwarten Turbulenzen. Bitte bleiben Sie angeschnallt auf Ihrem Platz.',
      es: 'Esperamos algunas turbulencias. Permanezcan sentados con el cinturón abrochado.',
      ar: 'نتوقع بعض الاضطرابات الجوية. يرجى البقاء في مقاعدكم مع ربط الأحزمة.',
      zh: '我们预计会遇到颠簸。请坐好并系好安全带。',
      ja: '揺れが予想されます。シートベルトを締めて座席にお座りください。',
    },
  },
  {
    id: 'meal',
    title: 'Meal service',
    texts: {
      en: 'Our cabin crew will shortly begin the meal service.',
      fr: 'Notre équipage va bientôt commencer le service du repas.',
      de: 'Unsere Crew beginnt in Kürze mit dem Mahlzeitenservice.',
      es: 'Nuestra tripulación comenzará en breve el servicio de comidas.',
      ar: 'سيبدأ طاقم الضيافة قريبًا بتقديم الوجبات.',
      zh: '我们的乘务员即将开始供应餐食。',
      ja: 'まもなく客室乗務員がお食事のサービスを始めます。',
    },
  },
  {
    id: 'descent',
    title: 'Descent',
    texts: {
      en: 'We have begun our descent. Please return your seat to the upright position and stow your tray table.',
      fr: 'Nous avons commencé notre descente. Veuillez redresser votre siège et ranger votre tablette.',
      de: 'Wir haben mit dem Landeanflug begonnen. Bitte stellen Sie Ihre Rückenlehne senkrecht und klappen Sie den Tisch hoch.',
      es: 'Hemos iniciado el descenso. Coloque su asiento en posición vertical y pliegue su mesa.',
      ar: 'لقد بدأنا الهبوط. يرجى إعادة مقعدك إلى الوضع المستقيم وطي الطاولة.',
      zh: '我们已开始下降。请调直座椅靠背并收起小桌板。',
      ja: '降下を開始しました。座席の背もたれを元の位置に戻し、テーブルをお戻しください。',
    },
  },
];

export function findAnnouncement(id: string): Announcement | undefined {
  return announcementLibrary.find((a) => a.id === id);
}
