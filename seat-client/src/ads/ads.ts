/**
 * Ads on the seat: a banner above home and a skippable pre-roll before a free title. The
 * appliance decides everything (ad set, language, route, kids' and paid titles, ad-free
 * cabins, the crew switch, caps); the seat only asks and shows. If the appliance does not
 * answer quickly, the title plays at once: an ad never stands between a passenger and a film.
 */
import { type AdServed, adPaths } from '@ifec/protocol';
import { ApiClient } from '../api/api-client.ts';
import type { AppContext, View } from '../app/context.ts';
import type { UiLanguage } from '../i18n/strings.ts';
import { h } from '../ui/dom.ts';
import './ads.css';

export const adStrings: Record<UiLanguage, { ad: string; skip: string; skipIn: string; resumes: string }> = {
  en: { ad: 'Ad', skip: 'Skip ad', skipIn: 'Skip in {n}', resumes: 'Your title starts after this ad' },
  fr: { ad: 'Pub', skip: 'Passer', skipIn: 'Passer dans {n}', resumes: 'Votre programme commence après cette pub' },
  de: {
    ad: 'Werbung',
    skip: 'Überspringen',
    skipIn: 'Überspringen in {n}',
    resumes: 'Ihr Titel beginnt nach dieser Werbung',
  },
  es: { ad: 'Anuncio', skip: 'Saltar', skipIn: 'Saltar en {n}', resumes: 'Su título empieza tras este anuncio' },
  pt: { ad: 'Anúncio', skip: 'Pular', skipIn: 'Pular em {n}', resumes: 'O seu título começa após este anúncio' },
  it: { ad: 'Annuncio', skip: 'Salta', skipIn: 'Salta tra {n}', resumes: 'Il titolo inizia dopo questo annuncio' },
  ar: { ad: 'إعلان', skip: 'تخطي', skipIn: 'تخطي بعد {n}', resumes: 'يبدأ العرض بعد هذا الإعلان' },
  zh: { ad: '广告', skip: '跳过', skipIn: '{n} 秒后可跳过', resumes: '广告结束后开始播放' },
  ja: { ad: '広告', skip: 'スキップ', skipIn: '{n} 秒後にスキップ', resumes: '広告のあとに再生が始まります' },
  ko: { ad: '광고', skip: '건너뛰기', skipIn: '{n}초 후 건너뛰기', resumes: '광고 후 재생이 시작됩니다' },
  hi: { ad: 'विज्ञापन', skip: 'छोड़ें', skipIn: '{n} में छोड़ें', resumes: 'इस विज्ञापन के बाद आपका शीर्षक शुरू होगा' },
};

/** How long the seat waits for the appliance's answer before playing without an ad. */
const ASK_TIMEOUT_MS = 1500;

async function askAd(ctx: AppContext, query: Record<string, string>): Promise<AdServed | undefined> {
  const c = await ctx.credentials();
  if (!c) return undefined;
  try {
    return await new ApiClient(ctx.screen.baseUrl).request<AdServed>(`${adPaths.next}?${new URLSearchParams(query)}`, {
      headers: { authorization: `Basic ${btoa(`${c.username}:${c.password}`)}` },
      timeoutMs: ASK_TIMEOUT_MS,
    });
  } catch {
    return undefined;
  }
}

async function reportClick(ctx: AppContext, adId: string): Promise<void> {
  const c = await ctx.credentials();
  if (!c) return;
  await new ApiClient(ctx.screen.baseUrl)
    .request(adPaths.click, {
      method: 'POST',
      body: { adId },
      headers: { authorization: `Basic ${btoa(`${c.username}:${c.password}`)}` },
    })
    .catch(() => undefined);
}

/** Home re-renders often (catalogue, resume points): one banner is shown this long before asking again. */
const BANNER_KEEP_MS = 5 * 60_000;
let lastBanner: { lang: string; at: number; ad: AdServed['ad'] } | undefined;

function fillBanner(ctx: AppContext, slot: HTMLElement, lang: UiLanguage, ad: NonNullable<AdServed['ad']>): void {
  slot.replaceChildren(
    h('span', { class: 'ad-label' }, adStrings[lang].ad),
    h(
      'button',
      { type: 'button', class: 'ad-text', 'data-ad-id': ad.id, onClick: () => void reportClick(ctx, ad.id) },
      h('strong', {}, ad.advertiser),
      ` — ${ad.text}`,
    ),
  );
  slot.hidden = false;
}

/** Home with the ad banner above it (seatback only; nothing is shown when no ad is served). */
export function withAdBanner(ctx: AppContext, home: View): View {
  if (ctx.screen.device !== 'seatback') return home;
  const lang = ctx.locale().lang as UiLanguage;
  const slot = h('aside', { class: 'ad-banner', id: 'ad-banner', hidden: true, 'aria-label': adStrings[lang].ad });
  home.el.prepend(slot);
  if (lastBanner && lastBanner.lang === lang && Date.now() - lastBanner.at < BANNER_KEEP_MS) {
    if (lastBanner.ad) fillBanner(ctx, slot, lang, lastBanner.ad);
    return home;
  }
  const asked = { lang, at: Date.now(), ad: null as AdServed['ad'] };
  lastBanner = asked;
  void askAd(ctx, { placement: 'home-banner', lang }).then((served) => {
    asked.ad = served?.ad ?? null;
    if (asked.ad)
      for (const el of document.querySelectorAll<HTMLElement>('#ad-banner')) fillBanner(ctx, el, lang, asked.ad);
  });
  return home;
}

/**
 * The player, after a pre-roll if the appliance serves one for this title (free titles
 * only; it answers none for kids' and paid ones). Skippable after the ad's delay.
 */
/** Not mounted yet (app/main.ts): with it, the airspace policy missed the title playing behind it. */
export function withPreRoll(ctx: AppContext, titleId: string, player: () => View): View {
  if (ctx.screen.device !== 'seatback') return player();
  const lang = ctx.locale().lang as UiLanguage;
  const s = adStrings[lang];
  const el = h('div', { class: 'pre-roll-host' });
  let inner: View | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let disposed = false;
  const play = () => {
    clearInterval(timer);
    if (disposed || inner) return;
    inner = player();
    el.replaceChildren(inner.el);
  };
  void askAd(ctx, { placement: 'pre-roll', lang, titleId }).then((served) => {
    const ad = served?.ad;
    if (disposed) return;
    if (!ad) return play();
    const started = Date.now();
    const skip = h('button', { type: 'button', class: 'button ad-skip', id: 'ad-skip', disabled: true }, '');
    skip.addEventListener('click', play);
    const bar = h('div', { class: 'ad-progress-bar' });
    const tick = () => {
      const elapsed = (Date.now() - started) / 1000;
      if (elapsed >= ad.durationS) return play();
      const wait = Math.ceil(ad.skippableAfterS - elapsed);
      skip.disabled = wait > 0;
      skip.textContent = wait > 0 ? s.skipIn.replace('{n}', String(wait)) : s.skip;
      bar.style.width = `${Math.min(100, (elapsed / ad.durationS) * 100)}%`;
    };
    el.replaceChildren(
      h(
        'section',
        { class: 'pre-roll', id: 'pre-roll', 'data-ad-id': ad.id, 'aria-live': 'polite' },
        h('span', { class: 'ad-label' }, s.ad),
        h(
          'button',
          { type: 'button', class: 'pre-roll-card', onClick: () => void reportClick(ctx, ad.id) },
          h('strong', {}, ad.advertiser),
          h('p', {}, ad.text),
        ),
        h('div', { class: 'ad-progress' }, bar),
        h('p', { class: 'muted' }, s.resumes),
        skip,
      ),
    );
    tick();
    timer = setInterval(tick, 250);
  });
  return {
    el,
    get title() {
      return inner?.title ?? s.ad;
    },
    dispose() {
      disposed = true;
      clearInterval(timer);
      inner?.dispose?.();
    },
  };
}
