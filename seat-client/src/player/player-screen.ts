/**
 * The player: hls.js (loaded only when a title is played), audio and subtitle tracks, audio
 * description, seek, resume point (written to the passenger session's document). Cabin events
 * (PA, crew lock) and a paired phone's remote hold or drive it through ctx.playback; on a seat
 * it reports what plays to the paired phones, on a paired phone it can hand back to the seat.
 */
import type Hls from 'hls.js';
import { ApiError } from '../api/api-client.ts';
import type { AppContext, View } from '../app/context.ts';
import { displayName } from '../catalog/cards.ts';
import { nextEpisode } from '../catalog/model.ts';
import { playedSeconds, signalIfAbandoned } from '../recommendations/abandoned.ts';
import { recommendationsApiOf } from '../recommendations/reco-api.ts';
import { h, replace } from '../ui/dom.ts';
import { playbackUrl } from './playback-url.ts';

const SAVE_EVERY_MS = 5000;
const AD_CHARACTERISTIC = 'public.accessibility.describes-video';

export function playerScreen(ctx: AppContext, id: string, from: number): View {
  const locale = ctx.locale();
  const { t } = locale;
  const title = ctx.title(id);
  const settings = ctx.settings.current;
  const video = h('video', {
    class: 'video',
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
  const panel = h(
    'div',
    { class: 'player' },
    h('h1', { class: 'player-title' }, title ? displayName(title, locale) : id),
    h('div', { class: 'video-frame' }, video),
    status,
    h(
      'div',
      { class: 'player-bar' },
      h(
        'div',
        { class: 'player-controls' },
        h('a', { href: `#/title/${encodeURIComponent(id)}`, class: 'button secondary', id: 'player-back' }, t.back),
        playButton,
        h('div', { class: 'seek' }, seek, clock),
        handBackButton,
        toPhoneButton,
      ),
      h(
        'div',
        { class: 'player-tracks' },
        h('label', { for: 'audio-track' }, t.audioLanguages, audioSelect),
        h('label', { for: 'subtitle-track' }, t.subtitleLanguages, subtitleSelect),
        h('label', { for: 'audio-description', class: 'check' }, adToggle, t.audioDescription),
      ),
    ),
  );

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
    status.textContent = t.playError;
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
      const url = await playbackUrl({
        baseUrl: ctx.screen.baseUrl,
        device: ctx.screen.device,
        credentials: await ctx.credentials(),
        fallback: title?.master,
        target: live ? { channel: id.slice(5) } : { titleId: id },
      });
      if (disposed) return;
      const { default: HlsClass } = await import('hls.js');
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
      status.textContent = `${t.playError} (${(error as Error).message})`;
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
        status.textContent = t.playError;
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
      save();
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
