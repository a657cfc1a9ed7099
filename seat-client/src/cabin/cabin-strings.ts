/**
 * The words of the seat's cabin state (call crew, do not disturb, changes waiting for the
 * cabin system) in every UI language. English is complete; the type makes every other
 * language complete, and cabin-strings.test.ts fails on a missing or untranslated entry.
 */
const en = {
  callCrew: 'Call crew',
  cancelCall: 'Cancel call',
  call_queued: 'No connection to the cabin system. Your call is queued and goes out as soon as it is back.',
  call_sending: 'Sending your call…',
  call_received: 'Your call has reached the crew.',
  call_acknowledged: 'Crew is coming.',
  dnd: 'Do not disturb',
  dndOn: 'Do not disturb: on',
  dnd_queued: 'Do not disturb is queued: the cabin system is not reachable.',
  dnd_sending: 'Telling the crew: do not disturb…',
  saved_queued: 'Saved on this seat. It reaches the cabin system when the connection is back.',
  saved_sent: 'Saved.',
};

export type CabinStrings = { [K in keyof typeof en]: string };

const fr: CabinStrings = {
  callCrew: "Appeler l'équipage",
  cancelCall: "Annuler l'appel",
  call_queued: 'Pas de connexion au système de cabine. Votre appel est en attente et partira dès son retour.',
  call_sending: 'Envoi de votre appel…',
  call_received: "Votre appel est arrivé à l'équipage.",
  call_acknowledged: "L'équipage arrive.",
  dnd: 'Ne pas déranger',
  dndOn: 'Ne pas déranger : activé',
  dnd_queued: 'Ne pas déranger est en attente : le système de cabine est injoignable.',
  dnd_sending: "Information de l'équipage : ne pas déranger…",
  saved_queued: 'Enregistré sur ce siège. Transmis au système de cabine dès le retour de la connexion.',
  saved_sent: 'Enregistré.',
};
const de: CabinStrings = {
  callCrew: 'Crew rufen',
  cancelCall: 'Ruf abbrechen',
  call_queued: 'Keine Verbindung zum Kabinensystem. Ihr Ruf wartet und wird gesendet, sobald sie zurück ist.',
  call_sending: 'Ihr Ruf wird gesendet…',
  call_received: 'Ihr Ruf ist bei der Crew angekommen.',
  call_acknowledged: 'Die Crew kommt.',
  dnd: 'Bitte nicht stören',
  dndOn: 'Bitte nicht stören: an',
  dnd_queued: '„Bitte nicht stören“ wartet: das Kabinensystem ist nicht erreichbar.',
  dnd_sending: 'Die Crew wird informiert: bitte nicht stören…',
  saved_queued: 'Auf diesem Sitz gespeichert. Geht an das Kabinensystem, sobald die Verbindung zurück ist.',
  saved_sent: 'Gespeichert.',
};
const es: CabinStrings = {
  callCrew: 'Llamar a la tripulación',
  cancelCall: 'Cancelar llamada',
  call_queued: 'Sin conexión con el sistema de cabina. Su llamada está en espera y saldrá en cuanto vuelva.',
  call_sending: 'Enviando su llamada…',
  call_received: 'Su llamada ha llegado a la tripulación.',
  call_acknowledged: 'La tripulación ya viene.',
  dnd: 'No molestar',
  dndOn: 'No molestar: activado',
  dnd_queued: 'No molestar está en espera: el sistema de cabina no responde.',
  dnd_sending: 'Avisando a la tripulación: no molestar…',
  saved_queued: 'Guardado en este asiento. Llegará al sistema de cabina cuando vuelva la conexión.',
  saved_sent: 'Guardado.',
};
const pt: CabinStrings = {
  callCrew: 'Chamar a tripulação',
  cancelCall: 'Cancelar chamada',
  call_queued: 'Sem ligação ao sistema de cabine. A sua chamada está em espera e segue assim que voltar.',
  call_sending: 'A enviar a sua chamada…',
  call_received: 'A sua chamada chegou à tripulação.',
  call_acknowledged: 'A tripulação está a caminho.',
  dnd: 'Não incomodar',
  dndOn: 'Não incomodar: ativado',
  dnd_queued: 'Não incomodar está em espera: o sistema de cabine não está acessível.',
  dnd_sending: 'A avisar a tripulação: não incomodar…',
  saved_queued: 'Guardado neste assento. Chega ao sistema de cabine quando a ligação voltar.',
  saved_sent: 'Guardado.',
};
const it: CabinStrings = {
  callCrew: "Chiama l'equipaggio",
  cancelCall: 'Annulla chiamata',
  call_queued: 'Nessuna connessione al sistema di cabina. La chiamata è in attesa e partirà appena torna.',
  call_sending: 'Invio della chiamata…',
  call_received: "La chiamata è arrivata all'equipaggio.",
  call_acknowledged: "L'equipaggio sta arrivando.",
  dnd: 'Non disturbare',
  dndOn: 'Non disturbare: attivo',
  dnd_queued: 'Non disturbare è in attesa: il sistema di cabina non è raggiungibile.',
  dnd_sending: "Avviso all'equipaggio: non disturbare…",
  saved_queued: 'Salvato su questo posto. Arriva al sistema di cabina quando torna la connessione.',
  saved_sent: 'Salvato.',
};
const ar: CabinStrings = {
  callCrew: 'نداء الطاقم',
  cancelCall: 'إلغاء النداء',
  call_queued: 'لا يوجد اتصال بنظام المقصورة. نداؤك في الانتظار وسيُرسل فور عودة الاتصال.',
  call_sending: 'جارٍ إرسال ندائك…',
  call_received: 'وصل نداؤك إلى الطاقم.',
  call_acknowledged: 'الطاقم في الطريق إليك.',
  dnd: 'عدم الإزعاج',
  dndOn: 'عدم الإزعاج: مفعّل',
  dnd_queued: 'طلب عدم الإزعاج في الانتظار: نظام المقصورة غير متاح.',
  dnd_sending: 'جارٍ إبلاغ الطاقم: عدم الإزعاج…',
  saved_queued: 'حُفظ على هذا المقعد. يصل إلى نظام المقصورة عند عودة الاتصال.',
  saved_sent: 'تم الحفظ.',
};
const zh: CabinStrings = {
  callCrew: '呼叫乘务员',
  cancelCall: '取消呼叫',
  call_queued: '与客舱系统的连接已断开。您的呼叫已排队，连接恢复后立即发出。',
  call_sending: '正在发送您的呼叫…',
  call_received: '乘务员已收到您的呼叫。',
  call_acknowledged: '乘务员马上就到。',
  dnd: '请勿打扰',
  dndOn: '请勿打扰：已开启',
  dnd_queued: '“请勿打扰”已排队：客舱系统暂时无法连接。',
  dnd_sending: '正在通知乘务员：请勿打扰…',
  saved_queued: '已保存在本座位。连接恢复后将同步到客舱系统。',
  saved_sent: '已保存。',
};
const ja: CabinStrings = {
  callCrew: '乗務員を呼ぶ',
  cancelCall: '呼び出しを取り消す',
  call_queued: '客室システムに接続できません。呼び出しは待機中で、接続が戻りしだい送信されます。',
  call_sending: '呼び出しを送信中…',
  call_received: '呼び出しは乗務員に届きました。',
  call_acknowledged: '乗務員がまいります。',
  dnd: '起こさないでください',
  dndOn: '起こさないでください：オン',
  dnd_queued: '「起こさないでください」は待機中です：客室システムに接続できません。',
  dnd_sending: '乗務員に「起こさないでください」を伝えています…',
  saved_queued: 'この座席に保存しました。接続が戻ると客室システムに届きます。',
  saved_sent: '保存しました。',
};
const ko: CabinStrings = {
  callCrew: '승무원 호출',
  cancelCall: '호출 취소',
  call_queued: '객실 시스템에 연결되어 있지 않습니다. 호출은 대기 중이며 연결이 돌아오면 바로 전송됩니다.',
  call_sending: '호출을 보내는 중…',
  call_received: '호출이 승무원에게 전달되었습니다.',
  call_acknowledged: '승무원이 가고 있습니다.',
  dnd: '방해 금지',
  dndOn: '방해 금지: 켜짐',
  dnd_queued: '방해 금지가 대기 중입니다: 객실 시스템에 연결할 수 없습니다.',
  dnd_sending: '승무원에게 방해 금지를 알리는 중…',
  saved_queued: '이 좌석에 저장되었습니다. 연결이 돌아오면 객실 시스템에 전달됩니다.',
  saved_sent: '저장되었습니다.',
};
const hi: CabinStrings = {
  callCrew: 'क्रू को बुलाएँ',
  cancelCall: 'कॉल रद्द करें',
  call_queued: 'केबिन सिस्टम से कनेक्शन नहीं है। आपकी कॉल कतार में है और कनेक्शन लौटते ही भेजी जाएगी।',
  call_sending: 'आपकी कॉल भेजी जा रही है…',
  call_received: 'आपकी कॉल क्रू तक पहुँच गई है।',
  call_acknowledged: 'क्रू आ रहा है।',
  dnd: 'परेशान न करें',
  dndOn: 'परेशान न करें: चालू',
  dnd_queued: '"परेशान न करें" कतार में है: केबिन सिस्टम उपलब्ध नहीं है।',
  dnd_sending: 'क्रू को बताया जा रहा है: परेशान न करें…',
  saved_queued: 'इस सीट पर सहेजा गया। कनेक्शन लौटने पर केबिन सिस्टम तक पहुँचेगा।',
  saved_sent: 'सहेजा गया।',
};

export const cabinStrings = { en, fr, de, es, pt, it, ar, zh, ja, ko, hi } satisfies Record<string, CabinStrings>;

export function cabinStringsFor(lang: string): CabinStrings {
  return (
    (cabinStrings as Record<string, CabinStrings>)[lang] ??
    (cabinStrings as Record<string, CabinStrings>)[lang.split('-')[0] ?? ''] ??
    en
  );
}
