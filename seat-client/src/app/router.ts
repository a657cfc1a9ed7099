/** Hash routes (they work from the appliance, a service worker cache and a packaged file alike). */
export type Route =
  | { name: 'home' }
  | { name: 'browse'; shelf: 'movies' | 'tv' | 'music' | 'kids' | 'live' }
  | { name: 'search'; query: string }
  | { name: 'title'; id: string }
  | { name: 'play'; id: string; from: number }
  | { name: 'settings' }
  | { name: 'map' }
  | { name: 'pair'; code?: string }
  | { name: 'shop'; titleId?: string };

const SHELVES = new Set(['movies', 'tv', 'music', 'kids', 'live']);

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'browse':
      return SHELVES.has(parts[1] ?? '') ? { name: 'browse', shelf: parts[1] as 'movies' } : { name: 'home' };
    case 'search':
      return { name: 'search', query: params.get('q') ?? '' };
    case 'title':
      return parts[1] ? { name: 'title', id: parts[1] } : { name: 'home' };
    case 'play':
      return parts[1]
        ? { name: 'play', id: parts[1], from: Math.max(0, Number(params.get('from')) || 0) }
        : { name: 'home' };
    case 'settings':
      return { name: 'settings' };
    case 'map':
      return { name: 'map' };
    case 'pair': {
      const code = params.get('code');
      return code ? { name: 'pair', code } : { name: 'pair' };
    }
    case 'shop':
      // `#/shop/title/<titleId>`: the "Buy" button of a priced title.
      return parts[1] === 'title' && parts[2] ? { name: 'shop', titleId: parts[2] } : { name: 'shop' };
    default:
      return { name: 'home' };
  }
}

/** Which navigation item is current. */
export function navKey(route: Route): string {
  return route.name === 'browse' ? route.shelf : route.name === 'title' || route.name === 'play' ? '' : route.name;
}
