/**
 * Music keeps playing while the passenger browses: the player hands its media element (and
 * hls.js instance) to this holder when it leaves a playing track, and a small "now playing"
 * bar stays above every screen until the passenger stops it or opens the player again.
 */
import type Hls from 'hls.js';
import type { PlaybackHooks } from '../app/context.ts';
import type { Locale } from '../i18n/i18n.ts';
import { screenStrings } from '../i18n/screen-strings.ts';
import { h, replace } from '../ui/dom.ts';

export interface Adopted {
  media: HTMLMediaElement;
  hls: Hls | undefined;
  titleId: string;
  name: string;
  /** Writes the resume point and the cabin status; called on every pause and at the end. */
  save(): void;
}

export class BackgroundPlayer {
  readonly el = h('div', { class: 'now-playing', id: 'now-playing', hidden: true });
  private current: Adopted | undefined;
  private held = false;
  private resumeAfterHold = false;

  constructor(private readonly locale: () => Locale) {}

  get titleId(): string | undefined {
    return this.current?.titleId;
  }

  /** The PA and the crew lock pause background music too. */
  readonly hooks: PlaybackHooks = {
    holdForCabin: () => {
      if (!this.current || this.held) return;
      this.held = true;
      this.resumeAfterHold = !this.current.media.paused;
      this.current.media.pause();
    },
    releaseFromCabin: () => {
      if (!this.current || !this.held) return;
      this.held = false;
      if (this.resumeAfterHold) void this.current.media.play();
    },
    remote: (command) => {
      const media = this.current?.media;
      if (!media) return;
      if (command.action === 'pause') media.pause();
      else if (command.action === 'play' && !this.held) void media.play();
      else if (command.action === 'volume') media.volume = command.level / 100;
    },
    resumeFrom: (positionS) => {
      if (this.current) this.current.media.currentTime = positionS;
    },
    get titleId() {
      return '';
    },
  };

  adopt(item: Adopted): void {
    this.stop();
    this.current = item;
    document.body.append(item.media);
    item.media.addEventListener('ended', this.onEnded);
    item.media.addEventListener('pause', item.save);
    this.render();
  }

  /** Stops the music for good (the passenger closed it, or another title starts). */
  stop(): { titleId: string; positionS: number } | undefined {
    const item = this.current;
    if (!item) return undefined;
    this.current = undefined;
    this.held = false;
    const at = { titleId: item.titleId, positionS: item.media.currentTime };
    item.media.removeEventListener('ended', this.onEnded);
    item.media.pause();
    item.save();
    item.media.removeEventListener('pause', item.save);
    item.hls?.destroy();
    item.media.removeAttribute('src');
    item.media.load();
    item.media.remove();
    this.render();
    return at;
  }

  render(): void {
    const item = this.current;
    this.el.hidden = !item;
    if (!item) return replace(this.el);
    const s = screenStrings[this.locale().lang];
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'button primary',
        id: 'now-playing-toggle',
        onClick: () => (item.media.paused ? void item.media.play() : item.media.pause()),
      },
      item.media.paused ? this.locale().t.play : this.locale().t.pause,
    );
    const sync = () => {
      toggle.textContent = item.media.paused ? this.locale().t.play : this.locale().t.pause;
    };
    item.media.onplay = sync;
    item.media.onpause = sync;
    replace(
      this.el,
      h('span', { class: 'now-playing-label' }, s.nowPlaying),
      h('span', { class: 'now-playing-title' }, item.name),
      toggle,
      h(
        'a',
        {
          class: 'button secondary',
          id: 'now-playing-open',
          href: `#/play/${encodeURIComponent(item.titleId)}?from=${Math.floor(item.media.currentTime)}`,
          onClick: (e: Event) => {
            (e.currentTarget as HTMLAnchorElement).href =
              `#/play/${encodeURIComponent(item.titleId)}?from=${Math.floor(item.media.currentTime)}`;
          },
        },
        s.openPlayer,
      ),
      h(
        'button',
        { type: 'button', class: 'button secondary', id: 'now-playing-close', onClick: () => this.stop() },
        s.close,
      ),
    );
  }

  private readonly onEnded = () => {
    this.stop();
  };
}
