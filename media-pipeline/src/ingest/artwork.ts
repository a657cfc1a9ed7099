/**
 * The picture sizes seats and phones ask for: posters (2:3), backdrops and thumbnails (16:9),
 * each in WebP (small) and JPEG (everything decodes it).
 */
import type { PackageImage } from '@ifec/protocol';

export const IMAGE_SIZES: Array<Pick<PackageImage, 'role' | 'width' | 'height'>> = [
  { role: 'poster', width: 185, height: 278 },
  { role: 'poster', width: 342, height: 513 },
  { role: 'poster', width: 780, height: 1170 },
  { role: 'backdrop', width: 780, height: 439 },
  { role: 'backdrop', width: 1280, height: 720 },
  { role: 'thumbnail', width: 320, height: 180 },
];

export function imagePlan(): PackageImage[] {
  return IMAGE_SIZES.flatMap((size) =>
    (['webp', 'jpeg'] as const).map((format) => ({
      ...size,
      format,
      path: `images/${size.role}-${size.width}x${size.height}.${format === 'jpeg' ? 'jpg' : 'webp'}`,
    })),
  );
}
