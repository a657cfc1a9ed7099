/**
 * The player: hls.js (loaded only when a title is played), audio and subtitle tracks, audio
 * description, seek, resume point (written to the passenger session's document). Cabin events
 * (PA, crew lock) and a paired phone's remote hold or drive it through ctx.playback; on a seat
 * it reports what plays to the paired phones, on a paired phone it can hand back to the seat.
 */
import type Hls from 'hls.js';
import { ApiError } from '../api/api-client.ts';
import type { AppContext, View } from '../app/context.ts';
import { artwork, displayName, titleCard } from '../catalog/cards.ts';
import { nextEpisode } from '../catalog/model.ts';
import { albumTracks, moreLikeThis, priceOf } from '../catalog/title-text.ts';
import { fill, screenStrings } from '../i18n/screen-strings.ts';
import { playedSeconds, signalIfAbandoned } from '../recommendations/abandoned.ts';
import { recommendationsApiOf } from '../recommendations/reco-api.ts';
import { h, replace } from '../ui/dom.ts';
import { playbackUrl } from './playback-url.ts';
import { refusalKind, refusalMessage } from './refusal.ts';
import { type SeekPreview, seekPreview } from './seek-preview.ts';

const SAVE_EVERY_MS = 5000;
/** Controls fade after this long without a touch, a key or a move while the title plays. */
const CONTROLS_HIDE_MS = 3500;
const UP_NEXT_S = 10;
const SKIP_S = 10;
const AD_CHARACTERISTIC = 'public.accessibility.describes-video';

export function playerScreen(ctx: AppContext, id: string, from: number): View {
  const locale = ctx.locale();
  const { t } = locale;
  const title = ctx.title(id);
  const settings = ctx.settings.current;
  const s = screenStrings[locale.lang];
  const music = title?.kind === 'audio';
  // Music and anything else: one player, started fresh (background music stops here).
  ctx.background.stop();
  const video = h('video', {
    class: music ? 'video audio-only' : 'video',
    playsinline: true,
    preload: 'auto',
    'aria-label': title ? displayName(title, locale) : id,
  });
  const status = h('p', { class: 'player-status', role: 'status' }, t.loading);
  const playButton = h(
    'button',
    {
      type: 'button',
      class: 'button primary',
      id: 'play-pause',
      onClick: () => (video.paused ? void video.play() : video.pause()),
    },
    t.pause,
  );
  const seek = h('input', {
    type: 'range',
    id: 'seek',
    min: 0,
    max: Math.max(1, title?.durationS ?? 1),
    step: 1,
    value: from,
    'aria-label': t.seek,
  });
  const clock = h('span', { class: 'clock', 'aria-hidden': 'true' }, locale.clock(from));
  const audioSelect = h('select', { id: 'audio-track' });
  const subtitleSelect = h('select', { id: 'subtitle-track' });
  const adToggle = h('input', { type: 'checkbox', id: 'audio-description' });
  const live = id.startsWith('live:');
  let hls: Hls | undefined;
  let preview: SeekPreview | undefined;
  const handBack = async () => {
    video.pause();
    save();
    // The seat reads the merged resume point: our position must have reached the appliance first.
    await ctx.resume.flushed();
    await ctx.resume.sendRemote({ action: 'resume_here', titleId: id });
    ctx.navigate('#/pair');
  };
  const handBackButton =
    ctx.screen.device === 'phone' && ctx.resume.paired && !live
      ? h(
          'button',
          {
            type: 'button',
            class: 'button secondary',
            id: 'hand-back',
            onClick: () =>
              void handBack().catch(() => {
                status.textContent = t.pairingUnavailable;
              }),
          },
          t.handBack,
        )
      : null;
  // On the seat: stop here and show the pairing code; the phone continues from this position.
  const toPhoneButton =
    ctx.screen.device === 'seatback' && !live
      ? h(
          'button',
          {
            type: 'button',
            class: 'button secondary',
            id: 'continue-on-phone',
            onClick: () => {
              video.pause();
              ctx.navigate('#/pair');
            },
          },
          t.continueOnPhone,
        )
      : null;
  const skip = (by: number) => {
    const end = video.duration || title?.durationS || 0;
    video.currentTime = Math.max(0, Math.min(end > 0 ? end - 0.5 : Number.POSITIVE_INFINITY, video.currentTime + by));
  };
  const back10 = h(
    'button',
    {
      type: 'button',
      class: 'button secondary icon-button',
      id: 'back-10',
      'aria-label': t.back10,
      onClick: () => skip(-SKIP_S),
    },
    '−10',
  );
  const forward10 = h(
    'button',
    {
      type: 'button',
      class: 'button secondary icon-button',
      id: 'forward-10',
      'aria-label': t.forward10,
      onClick: () => skip(SKIP_S),
    },
    '+10',
  );
  const volume = h('input', {
    type: 'range',
    id: 'volume',
    min: 0,
    max: 100,
    step: 5,
    value: 100,
    'aria-label': t.volume,
  });
  const muteButton = h(
    'button',
    {
      type: 'button',
      class: 'button secondary',
      id: 'mute',
      'aria-pressed': 'false',
      onClick: () => {
        video.muted = !video.muted;
      },
    },
    s.mute,
  );
  volume.addEventListener('input', () => {
    video.volume = Number(volume.value) / 100;
    if (video.muted && video.volume > 0) video.muted = false;
  });
  video.addEventListener('volumechange', () => {
    volume.value = String(Math.round((video.muted ? 0 : video.volume) * 100));
    muteButton.setAttribute('aria-pressed', String(video.muted));
    muteButton.textContent = video.muted ? s.unmute : s.mute;
  });
  const refusal = h('div', { class: 'player-refusal', id: 'player-refusal', role: 'alert', hidden: true });
  const endPanel = h('section', { class: 'player-end', id: 'player-end', hidden: true, 'aria-live': 'polite' });
  const tracks = music ? (title ? albumTracks(ctx.titles(), title) : []) : [];
  const trackIndex = tracks.findIndex((x) => x.id === id);
  const trackLink = (x: (typeof tracks)[number] | undefined, label: string, idAttr: string) =>
    x
      ? h('a', { class: 'button secondary', id: idAttr, href: `#/play/${encodeURIComponent(x.id)}?from=0` }, label)
      : null;
  const stage = music
    ? h(
        'div',
        { class: 'music-stage' },
        title
          ? h('div', { class: 'music-art' }, artwork(title, locale.pick(title.album?.titles ?? title.titles), false))
          : null,
        h(
          'div',
          { class: 'music-info' },
          h(
            'p',
            { class: 'music-album' },
            title?.album ? `${locale.pick(title.album.titles)} — ${title.album.artist}` : '',
          ),
          h('h2', { id: 'track-list-heading' }, s.trackList),
          h(
            'ol',
            { class: 'track-list', 'aria-labelledby': 'track-list-heading' },
            tracks.map((x) =>
              h(
                'li',
                {},
                h(
                  'a',
                  {
                    href: `#/play/${encodeURIComponent(x.id)}?from=0`,
                    class: 'track',
                    'aria-current': x.id === id ? 'true' : undefined,
                    'data-title-id': x.id,
                  },
                  h('span', { class: 'track-no' }, String(x.album?.track ?? '')),
                  h('span', { class: 'track-name' }, locale.pick(x.titles)),
                  h('span', { class: 'track-time' }, locale.clock(x.durationS)),
                ),
              ),
            ),
          ),
        ),
        video,
      )
    : h('div', { class: 'video-frame' }, video);
  const heading = h('h1', { class: 'player-title' }, title ? displayName(title, locale) : t.loading);
  // Opened from a link before the catalogue arrived: name the title as soon as it is known.
  const stopNaming = title
    ? undefined
    : ctx.catalog.subscribe(() => {
        const known = ctx.title(id);
        if (known) heading.textContent = displayName(known, locale);
      });
  const hasTrackMenus = !music || (title?.audioLanguages.length ?? 0) > 1;
  const panel = h(
    'div',
    { class: music ? 'player music' : 'player', 'data-controls': 'shown' },
    stage,
    h(
      'div',
      { class: 'player-top' },
      h('a', { href: `#/title/${encodeURIComponent(id)}`, class: 'button secondary', id: 'player-back' }, t.back),
      heading,
    ),
    status,
    refusal,
    endPanel,
    h(
      'div',
      { class: 'player-bar' },
      h(
        'div',
        { class: 'player-controls' },
        music ? trackLink(tracks[trackIndex - 1], s.previousTrack, 'previous-track') : null,
        live ? null : back10,
        playButton,
        live ? null : forward10,
        music ? trackLink(tracks[trackIndex + 1], s.nextTrack, 'next-track') : null,
        h('div', { class: 'seek' }, seek, clock),
        h('div', { class: 'volume' }, muteButton, volume),
        handBackButton,
        toPhoneButton,
      ),
      hasTrackMenus
        ? h(
            'div',
            { class: 'player-tracks', role: 'group', 'aria-label': s.tracks },
            h('label', { for: 'audio-track' }, t.audioLanguages, audioSelect),
            music ? null : h('label', { for: 'subtitle-track' }, t.subtitleLanguages, subtitleSelect),
            music ? null : h('label', { for: 'audio-description', class: 'check' }, adToggle, t.audioDescription),
          )
        : null,
    ),
  );

  // On-screen controls fade while the title plays and come back on any touch, key or move.
  let hideTimer: ReturnType<typeof setTimeout> | undefined;
  let swallowClick = false;
  const controlsShown = () => panel.dataset.controls === 'shown';
  const showControls = () => {
    panel.dataset.controls = 'shown';
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => {
      const busy = document.activeElement?.matches('select, input[type="range"]') ?? false;
      if (!video.paused && !busy && endPanel.hidden && !music) panel.dataset.controls = 'hidden';
      else showControls();
    }, CONTROLS_HIDE_MS);
  };
  panel.addEventListener(
    'pointerdown',
    (e) => {
      // The first touch on hidden controls only brings them back (it must not press what is under the finger).
      // A mouse has already brought them back by moving; a finger has not.
      if (e.pointerType === 'touch' && !controlsShown() && (e.target as Element).closest('.player-bar, .player-top'))
        swallowClick = true;
      showControls();
    },
    true,
  );
  panel.addEventListener(
    'click',
    (e) => {
      if (swallowClick) {
        swallowClick = false;
        e.preventDefault();
        e.stopPropagation();
      }
    },
    true,
  );
  panel.addEventListener('pointermove', showControls);
  panel.addEventListener('focusin', showControls);
  stage.addEventListener('click', () => {
    if (music) return;
    if (controlsShown() && !video.paused) panel.dataset.controls = 'hidden';
    else showControls();
  });
  const onKey = (e: KeyboardEvent) => {
    showControls();
    const target = e.target as Element | null;
    const typing = target?.matches('input, select, textarea') ?? false;
    if (e.key === 'MediaPlayPause' || ((e.key === ' ' || e.key === 'k') && !typing && !target?.matches('button, a'))) {
      e.preventDefault();
      if (video.paused) void video.play();
      else video.pause();
    } else if (e.key === 'MediaRewind' || (e.key === 'j' && !typing)) skip(-SKIP_S);
    else if (e.key === 'MediaFastForward' || (e.key === 'l' && !typing)) skip(SKIP_S);
    else if (
      e.key === 'Escape' ||
      e.key === 'BrowserBack' ||
      e.key === 'GoBack' ||
      (e.key === 'Backspace' && !typing)
    ) {
      e.preventDefault();
      ctx.navigate(`#/title/${encodeURIComponent(id)}`);
    }
  };
  document.addEventListener('keydown', onKey);
  video.addEventListener('pause', showControls);
  video.addEventListener('playing', showControls);

  /** A refusal or failure, in the passenger's language, with what to do next. */
  const showRefusal = (error: unknown) => {
    const kind = refusalKind(error);
    const { message, actions } = refusalMessage(kind, locale, id, title ? priceOf(title, locale) : undefined);
    status.textContent = '';
    refusal.dataset.kind = kind;
    replace(
      refusal,
      h('p', { class: 'refusal-text', id: 'refusal-text' }, message),
      h(
        'div',
        { class: 'actions' },
        actions.map((a) =>
          a.href === 'retry'
            ? h(
                'button',
                { type: 'button', class: 'button primary', id: 'refusal-retry', onClick: () => location.reload() },
                a.label,
              )
            : h(
                'a',
                { class: a.primary ? 'button primary' : 'button secondary', href: a.href, 'data-action': kind },
                a.label,
              ),
        ),
      ),
    );
    refusal.hidden = false;
    panel.dataset.state = 'refused';
    showControls();
  };

  /** End of a title: the next episode after a countdown, the next track, or more like it. */
  let countdown: ReturnType<typeof setInterval> | undefined;
  const showEnd = () => {
    // Opened straight from a link, the player may have started before the catalogue arrived.
    const current = title ?? ctx.title(id);
    if (live || !current) return;
    const next = nextEpisode(ctx.titles(), current);
    if (music) {
      const nextTrack = tracks[trackIndex + 1];
      if (nextTrack) ctx.navigate(`#/play/${encodeURIComponent(nextTrack.id)}?from=0`);
      return;
    }
    if (next) {
      let left = UP_NEXT_S;
      const label = h('p', { class: 'up-next-count', id: 'up-next-count' }, fill(s.nextEpisodeIn, { seconds: left }));
      const go = () => ctx.navigate(`#/play/${encodeURIComponent(next.id)}?from=0`);
      replace(
        endPanel,
        h('h2', {}, t.nextEpisode),
        h(
          'div',
          { class: 'up-next' },
          artwork(next, locale.pick(next.titles)),
          h('p', { class: 'up-next-name' }, displayName(next, locale)),
        ),
        label,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'button primary', id: 'play-next', onClick: go }, s.playNow),
          h(
            'button',
            {
              type: 'button',
              class: 'button secondary',
              id: 'cancel-next',
              onClick: () => {
                clearInterval(countdown);
                label.textContent = '';
              },
            },
            s.cancel,
          ),
        ),
      );
      countdown = setInterval(() => {
        left -= 1;
        label.textContent = fill(s.nextEpisodeIn, { seconds: left });
        if (left <= 0) {
          clearInterval(countdown);
          go();
        }
      }, 1000);
    } else {
      const like = moreLikeThis(ctx.titles(), current, 6);
      replace(
        endPanel,
        h('h2', { id: 'more-like-this' }, s.moreLikeThis),
        like.length
          ? h(
              'ul',
              { class: 'cards' },
              like.map((x) => titleCard(x, locale)),
            )
          : null,
        h(
          'div',
          { class: 'actions' },
          h(
            'a',
            {
              class: 'button primary',
              id: 'watch-again',
              href: `#/play/${encodeURIComponent(id)}?from=0`,
              onClick: () => location.hash.endsWith('from=0') && location.reload(),
            },
            s.watchAgain,
          ),
        ),
      );
    }
    endPanel.hidden = false;
    panel.dataset.state = 'ended';
    showControls();
    (endPanel.querySelector('#play-next, .card-link, #watch-again') as HTMLElement | null)?.focus();
  };
  video.addEventListener('ended', showEnd);
  video.addEventListener('play', () => {
    if (!endPanel.hidden) {
      clearInterval(countdown);
      endPanel.hidden = true;
      delete panel.dataset.state;
    }
  });

  let disposed = false;
  let held = false;
  let resumeAfterHold = false;
  let lastSaved = 0;
  let unloaded = false;
  const save = () => {
    // Unloading the video (dispose) rewinds it and fires events: nothing after that is the passenger's.
    if (unloaded) return;
    if (video.currentTime > 0 && !live) ctx.resume.save(id, video.currentTime, video.duration || title?.durationS);
    lastSaved = Date.now();
    report();
  };
  /** What plays, for the seat's paired phones (a no-op on a phone). */
  const report = () =>
    !unloaded &&
    ctx.cabin.reportPlayback({
      titleId: id,
      positionS: Math.round(video.currentTime * 10) / 10,
      playing: !video.paused,
      volume: Math.round(video.volume * 100),
      subtitles: video.dataset.subtitleLang || null,
      at: ctx.resume.now(),
    });

  if (title?.series) ctx.resume.setEpisode(title.series.id, id);
  video.addEventListener('playing', () => {
    playButton.textContent = t.pause;
    ctx.cabin.setStatus({ playing: id });
    status.textContent = '';
    report();
  });
  video.addEventListener('seeked', report);
  video.addEventListener('volumechange', report);
  video.addEventListener('pause', () => {
    playButton.textContent = t.play;
    ctx.cabin.setStatus({ playing: null });
    save();
  });
  video.addEventListener('timeupdate', () => {
    if (document.activeElement !== seek) seek.value = String(Math.floor(video.currentTime));
    clock.textContent = `${locale.clock(video.currentTime)} / ${locale.clock(video.duration || title?.durationS || 0)}`;
    if (Date.now() - lastSaved > SAVE_EVERY_MS) save();
  });
  seek.addEventListener('change', () => {
    video.currentTime = Number(seek.value);
  });
  video.addEventListener('error', () => {
    showRefusal(undefined);
    ctx.cabin.setStatus({ lastError: `media error ${video.error?.code ?? ''} on ${id}` });
  });

  ctx.playback = {
    holdForCabin() {
      if (held) return;
      held = true;
      resumeAfterHold = !video.paused;
      video.pause();
      save();
    },
    releaseFromCabin() {
      if (!held) return;
      held = false;
      if (resumeAfterHold) void video.play();
    },
    remote(command) {
      switch (command.action) {
        case 'play':
          if (!held) void video.play();
          return;
        case 'pause':
          video.pause();
          return;
        case 'seek':
          video.currentTime = command.positionS;
          return;
        case 'volume':
          video.volume = command.level / 100;
          return;
        case 'subtitles': {
          if (!hls) return;
          hls.subtitleTrack =
            command.language === null ? -1 : hls.subtitleTracks.findIndex((s) => s.lang === command.language);
          return;
        }
        case 'next_episode': {
          const next = title && nextEpisode(ctx.titles(), title);
          if (next) ctx.navigate(`#/play/${encodeURIComponent(next.id)}?from=0`);
        }
      }
    },
    resumeFrom(positionS) {
      video.currentTime = positionS;
      if (!held) void video.play();
    },
    titleId: id,
  };

  void (async () => {
    try {
      // hls.js comes while the appliance answers the playback request, not after it.
      const hlsModule = import('hls.js');
      hlsModule.catch(() => undefined); // a refusal below is what the passenger is told
      const { url, seekPreview: trackUrl } = await playbackUrl({
        baseUrl: ctx.screen.baseUrl,
        device: ctx.screen.device,
        credentials: await ctx.credentials(),
        fallback: title?.master,
        target: live ? { channel: id.slice(5) } : { titleId: id },
      });
      if (disposed) return;
      if (trackUrl && !live && !music) preview = seekPreview({ seek, stage: panel, trackUrl, locale });
      const { default: HlsClass } = await hlsModule;
      if (disposed) return;
      if (HlsClass.isSupported()) {
        // Subtitles: the passenger's last choice on any device (session document), else this device's setting.
        const subtitles = ctx.resume.languages()?.subtitles ?? settings.subtitleLanguage;
        hls = new HlsClass({
          startPosition: live ? -1 : from,
          renderTextTracksNatively: true,
          enableWorker: true,
          ...(subtitles ? { subtitlePreference: { lang: subtitles } } : {}),
        });
        hls.subtitleDisplay = true;
        wireTracks(hls, HlsClass);
        hls.loadSource(url);
        hls.attachMedia(video);
      } else {
        video.src = url;
        video.currentTime = from;
      }
      if (!held)
        await video.play().catch(() => {
          status.textContent = t.play;
        });
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'REGION_BLOCKED' || error.status === 451))
        return ctx.regionBlocked(id);
      showRefusal(error);
      ctx.cabin.setStatus({ lastError: `playback ${id}: ${(error as Error).message}`.slice(0, 500) });
    }
  })();

  function wireTracks(player: Hls, HlsClass: typeof Hls): void {
    const fillAudio = () => {
      const plain = player.audioTracks
        .map((a, i) => ({ a, i }))
        .filter(({ a }) => !a.characteristics?.includes(AD_CHARACTERISTIC));
      replace(
        audioSelect,
        plain.map(({ a, i }) =>
          h('option', { value: i, selected: i === player.audioTrack }, locale.languageName(a.lang ?? a.name)),
        ),
      );
      adToggle.disabled = !player.audioTracks.some((a) => a.characteristics?.includes(AD_CHARACTERISTIC));
      const wanted = settings.audioDescription
        ? player.audioTracks.findIndex(
            (a) => a.characteristics?.includes(AD_CHARACTERISTIC) && a.lang === settings.uiLanguage,
          )
        : -1;
      // The passenger's last choice on any device (the session document), else this device's settings.
      const chosen = ctx.resume.languages()?.audio ?? settings.audioLanguage ?? settings.uiLanguage;
      const preferred = wanted >= 0 ? wanted : plain.find(({ a }) => a.lang === chosen)?.i;
      if (preferred !== undefined && preferred !== player.audioTrack) player.audioTrack = preferred;
      adToggle.checked = player.audioTracks[player.audioTrack]?.characteristics?.includes(AD_CHARACTERISTIC) ?? false;
      video.dataset.audioLang = player.audioTracks[player.audioTrack]?.lang ?? '';
    };
    const fillSubtitles = () => {
      replace(
        subtitleSelect,
        h('option', { value: -1, selected: player.subtitleTrack < 0 }, t.off),
        player.subtitleTracks.map((s, i) =>
          h(
            'option',
            { value: i, selected: i === player.subtitleTrack },
            locale.languageName(s.lang ?? s.name) +
              (s.characteristics?.includes('public.accessibility.transcribes-spoken-dialog') ? ' (CC)' : ''),
          ),
        ),
      );
      video.dataset.subtitleLang = player.subtitleTracks[player.subtitleTrack]?.lang ?? '';
      report();
    };
    const shareLanguages = () =>
      ctx.resume.setLanguages(
        player.audioTracks[player.audioTrack]?.lang ?? null,
        player.subtitleTracks[player.subtitleTrack]?.lang ?? null,
      );
    player.on(HlsClass.Events.AUDIO_TRACKS_UPDATED, fillAudio);
    player.on(HlsClass.Events.AUDIO_TRACK_SWITCHED, () => {
      video.dataset.audioLang = player.audioTracks[player.audioTrack]?.lang ?? '';
      adToggle.checked = player.audioTracks[player.audioTrack]?.characteristics?.includes(AD_CHARACTERISTIC) ?? false;
    });
    player.on(HlsClass.Events.SUBTITLE_TRACKS_UPDATED, () => {
      fillSubtitles();
      const shared = ctx.resume.languages();
      const lang = shared ? shared.subtitles : settings.subtitleLanguage;
      if (lang) player.subtitleTrack = player.subtitleTracks.findIndex((s) => s.lang === lang);
    });
    player.on(HlsClass.Events.SUBTITLE_TRACK_SWITCH, fillSubtitles);
    player.on(HlsClass.Events.ERROR, (_e, data) => {
      // The key server re-checks the airspace on every key: 451 means this title may not play here now.
      if (data.response?.code === 451) return ctx.regionBlocked(id);
      if (data.fatal) {
        showRefusal(
          data.response?.code === 0 || data.type === 'networkError'
            ? new ApiError(0, 'UNREACHABLE', data.details)
            : undefined,
        );
        ctx.cabin.setStatus({ lastError: `hls ${data.type}: ${data.details}`.slice(0, 500) });
      }
    });
    audioSelect.addEventListener('change', () => {
      player.audioTrack = Number(audioSelect.value);
      ctx.settings.update({ audioLanguage: player.audioTracks[player.audioTrack]?.lang });
      shareLanguages();
    });
    subtitleSelect.addEventListener('change', () => {
      player.subtitleTrack = Number(subtitleSelect.value);
      ctx.settings.update({ subtitleLanguage: player.subtitleTracks[player.subtitleTrack]?.lang ?? null });
      shareLanguages();
    });
    adToggle.addEventListener('change', () => {
      const current = player.audioTracks[player.audioTrack];
      const target = player.audioTracks.findIndex(
        (a) =>
          a.lang === current?.lang && (a.characteristics?.includes(AD_CHARACTERISTIC) ?? false) === adToggle.checked,
      );
      if (target >= 0) player.audioTrack = target;
      ctx.settings.update({ audioDescription: adToggle.checked });
    });
  }

  return {
    el: panel,
    title: title ? displayName(title, locale) : id,
    dispose() {
      disposed = true;
      preview?.dispose();
      stopNaming?.();
      clearTimeout(hideTimer);
      clearInterval(countdown);
      document.removeEventListener('keydown', onKey);
      save();
      // Music goes on while the passenger browses (not when another title starts: that one stops it).
      if (music && !video.paused && !video.ended && title) {
        ctx.background.adopt({ media: video, hls, titleId: id, name: displayName(title, locale), save });
        ctx.playback = ctx.background.hooks;
        return;
      }
      // Recommendations (seat-client/src/recommendations/abandoned.ts): left well before the end, by choice.
      signalIfAbandoned(recommendationsApiOf(ctx), id, {
        positionS: video.currentTime,
        durationS: title?.durationS ?? video.duration,
        watchedS: playedSeconds(video.played),
        heldByCabin: held,
      });
      ctx.cabin.setStatus({ playing: null });
      ctx.cabin.reportPlayback({
        titleId: null,
        positionS: 0,
        playing: false,
        volume: Math.round(video.volume * 100),
        subtitles: null,
        at: ctx.resume.now(),
      });
      ctx.playback = undefined;
      unloaded = true;
      hls?.destroy();
      video.removeAttribute('src');
      video.load();
    },
  };
}
