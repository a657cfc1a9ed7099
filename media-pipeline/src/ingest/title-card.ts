/**
 * A plain title card as SVG: the artwork of last resort (an audio title with no cover) and the
 * demo posters. Colours come from the title so each card looks different.
 */
import crypto from 'node:crypto';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function titleCardSvg(title: string, subtitle: string, width = 780, height = 1170): string {
  const hash = crypto.createHash('sha256').update(title).digest();
  const hue = (hash[0]! * 360) / 256;
  const hue2 = (hue + 40 + (hash[1]! % 80)) % 360;
  const words = title.split(/\s+/);
  const lines: string[] = [];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last && `${last} ${word}`.length <= 14) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  const size = Math.round(width / 9);
  const top = height * 0.42 - ((lines.length - 1) * size * 1.15) / 2;
  const text = lines
    .map(
      (l, i) =>
        `<text x="50%" y="${Math.round(top + i * size * 1.15)}" font-size="${size}" font-weight="bold" text-anchor="middle" fill="#fff" font-family="DejaVu Sans, Liberation Sans, sans-serif">${escapeXml(l)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue.toFixed(0)},70%,35%)"/><stop offset="1" stop-color="hsl(${hue2.toFixed(0)},70%,15%)"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#g)"/>
<circle cx="${width * 0.8}" cy="${height * 0.15}" r="${width * 0.35}" fill="#fff" fill-opacity="0.08"/>
${text}
<text x="50%" y="${Math.round(height * 0.85)}" font-size="${Math.round(size / 2.4)}" text-anchor="middle" fill="#fff" fill-opacity="0.85" font-family="DejaVu Sans, Liberation Sans, sans-serif">${escapeXml(subtitle)}</text>
</svg>`;
}
