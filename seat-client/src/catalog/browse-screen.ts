/** Browse by kind: movies, TV (series -> seasons -> episodes), music (by album), kids, live TV. */
import { paths } from '@ifec/protocol';
import { ApiClient, isRefusal } from '../api/api-client.ts';
import type { AppContext, View } from '../app/context.ts';
import { screenStrings } from '../i18n/screen-strings.ts';
import { h, replace } from '../ui/dom.ts';
import { grid, liveCard, row } from './cards.ts';
import { groupSeries } from './model.ts';

export type Shelf = 'movies' | 'tv' | 'music' | 'kids' | 'live';

export function browseScreen(ctx: AppContext, shelf: Shelf): View {
  const locale = ctx.locale();
  const { t } = locale;
  const titles = ctx.titles();
  const heading = { movies: t.movies, tv: t.tv, music: t.music, kids: t.kids, live: t.live }[shelf];
  let body: HTMLElement | HTMLElement[];
  switch (shelf) {
    case 'movies':
      body = grid(
        titles.filter((x) => x.kind === 'movie'),
        locale,
        t.noResults,
      );
      break;
    case 'kids':
      body = grid(
        titles.filter((x) => x.kind === 'kids'),
        locale,
        t.noResults,
      );
      break;
    case 'live':
      body = liveChannels(ctx);
      break;
    case 'music': {
      const albums = new Map<string, typeof titles>();
      for (const x of titles.filter((y) => y.kind === 'audio')) {
        const key = x.album?.id ?? x.id;
        albums.set(
          key,
          [...(albums.get(key) ?? []), x].sort((a, b) => (a.album?.track ?? 0) - (b.album?.track ?? 0)),
        );
      }
      body =
        albums.size === 0
          ? grid([], locale, t.noResults)
          : [...albums.values()].map((tracks) => {
              const first = tracks[0]!;
              const name = first.album
                ? `${locale.pick(first.album.titles)} — ${first.album.artist}`
                : locale.pick(first.titles);
              return row(
                name,
                tracks,
                locale,
                `album-${first.album?.id ?? first.id}`,
                (x) => `${x.album?.track ?? ''}. ${locale.pick(x.titles)}`,
              )!;
            });
      break;
    }
    case 'tv': {
      const series = groupSeries(titles);
      body =
        series.size === 0
          ? grid([], locale, t.noResults)
          : [...series.entries()].map(([id, s]) =>
              h(
                'section',
                { class: 'series', 'aria-labelledby': `series-${id}` },
                h('h2', { id: `series-${id}` }, locale.pick(s.titles)),
                [...s.seasons.entries()]
                  .sort((a, b) => a[0] - b[0])
                  .map(([season, episodes]) =>
                    row(
                      `${t.season} ${season}`,
                      episodes,
                      locale,
                      `${id}-s${season}`,
                      (e) => `${e.series?.episode ?? ''}. ${locale.pick(e.titles)}`,
                    ),
                  ),
              ),
            );
      break;
    }
  }
  return { el: h('div', { class: 'browse' }, h('h1', {}, heading), body), title: heading };
}

/** Live channels come from the appliance as they go on and off air (not from the replica). */
function liveChannels(ctx: AppContext): HTMLElement {
  const { t } = ctx.locale();
  const list = h('div', { class: 'live-channels', 'aria-live': 'polite' }, h('p', { class: 'empty' }, t.loading));
  void new ApiClient(ctx.screen.baseUrl)
    .request<{ channels?: { id: string; state: string; playlistReady: boolean }[] }>(
      `${paths.catalog}?device=${ctx.screen.device === 'phone' ? 'phone' : 'seat'}`,
    )
    .catch((error: unknown) => {
      if (isRefusal(error)) return { channels: [] };
      throw error;
    })
    .then((body) => {
      const onAir = (body.channels ?? []).filter((c) => c.state === 'on-air' && c.playlistReady);
      replace(
        list,
        onAir.length === 0
          ? h('p', { class: 'empty' }, screenStrings[ctx.locale().lang].nothingLiveNow)
          : h('ul', { class: 'cards grid' }, onAir.map(liveCard)),
      );
    })
    .catch(() => replace(list, h('p', { class: 'empty' }, t.offline)));
  return list;
}
