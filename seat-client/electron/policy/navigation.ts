/**
 * Where the kiosk may go: the appliance's origin (the app, its API and media) and the
 * packaged copy of the app shell on disk. Everything else — other hosts, other schemes,
 * new windows, downloads — is refused.
 */
export interface NavigationPolicy {
  applianceOrigin: string;
  /** file:// URL of the packaged app directory (ends with a slash). */
  packagedRoot: string;
}

export function mayNavigate(policy: NavigationPolicy, target: string): boolean {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'http:' || url.protocol === 'https:')
    return url.origin === new URL(policy.applianceOrigin).origin;
  if (url.protocol === 'file:') {
    const root = new URL(policy.packagedRoot);
    // Normalised by URL: `..` segments are already resolved, so a prefix check is safe.
    return url.pathname.startsWith(root.pathname);
  }
  return false;
}

/** Requests the page itself may make (fetch, media, WebSocket): appliance origin, its ws(s) twin, the packaged files, data/blob. */
export function mayRequest(policy: NavigationPolicy, target: string): boolean {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'devtools:')
    return url.protocol !== 'devtools:';
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    const appliance = new URL(policy.applianceOrigin);
    return url.host === appliance.host && (url.protocol === 'wss:') === (appliance.protocol === 'https:');
  }
  return mayNavigate(policy, target);
}

/** Permissions the kiosk grants the page: none beyond playing media full screen. */
export function mayGrantPermission(permission: string): boolean {
  return permission === 'fullscreen' || permission === 'media-key-system';
}
