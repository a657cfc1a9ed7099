/** A handful of inline SVG icons (seat units have no emoji font). Decorative: aria-hidden. */
const PATHS = {
  search: 'M10 2a8 8 0 1 0 4.9 14.3l5.4 5.4 1.4-1.4-5.4-5.4A8 8 0 0 0 10 2zm0 2a6 6 0 1 1 0 12 6 6 0 0 1 0-12z',
  gear: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm9 5.1v-2.2l-2.5-.5a7 7 0 0 0-.7-1.7l1.4-2.1-1.6-1.6-2.1 1.4a7 7 0 0 0-1.7-.7L13.1 3h-2.2l-.5 2.5a7 7 0 0 0-1.7.7L6.6 4.8 5 6.4l1.4 2.1a7 7 0 0 0-.7 1.7L3 10.9v2.2l2.5.5c.2.6.4 1.2.7 1.7L4.8 17.4 6.4 19l2.1-1.4c.5.3 1.1.5 1.7.7l.5 2.7h2.2l.5-2.5c.6-.2 1.2-.4 1.7-.7l2.1 1.4 1.6-1.6-1.4-2.1c.3-.5.5-1.1.7-1.7z',
  bell: 'M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3a1.5 1.5 0 0 0-3 0v1.2A7 7 0 0 0 5 11v5l-2 2v1h18v-1z',
  moon: 'M20 15.5A8.5 8.5 0 0 1 8.5 4a8.5 8.5 0 1 0 11.5 11.5z',
  megaphone:
    'M3 10v4h3l6 4V6L6 10zm13.5 2a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z',
  lock: 'M12 2a5 5 0 0 0-5 5v3H5v12h14V10h-2V7a5 5 0 0 0-5-5zm0 2a3 3 0 0 1 3 3v3H9V7a3 3 0 0 1 3-3z',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', PATHS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}
