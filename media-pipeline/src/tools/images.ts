/**
 * The one module that touches sharp: resize a source picture into the sizes and formats the
 * seats ask for, and render an SVG (demo posters).
 */
import sharp from 'sharp';
import { MediaError } from '../errors.ts';

export interface ImageTarget {
  width: number;
  height: number;
  format: 'webp' | 'jpeg';
  out: string;
}

export async function renderImages(source: string | Buffer, targets: ImageTarget[]): Promise<void> {
  try {
    // Decode once; each target re-encodes from the same pixels.
    const base = sharp(source, { failOn: 'error' }).rotate();
    await Promise.all(
      targets.map((t) => {
        const img = base.clone().resize(t.width, t.height, { fit: 'cover', position: 'centre' });
        return (t.format === 'webp' ? img.webp({ quality: 80 }) : img.jpeg({ quality: 82 })).toFile(t.out);
      }),
    );
  } catch (error) {
    throw new MediaError(
      'ARTWORK_FAILED',
      `cannot make images from ${typeof source === 'string' ? source : 'the rendered artwork'}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Rasterises SVG to PNG bytes. */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}
