import { fileTypeFromBuffer } from 'file-type';
import { Readable } from 'node:stream';
import sharp, { type Sharp } from 'sharp';
import type { MediaKind } from './media.entity.js';
import type { MediaSize } from './media-urls.js';

/** What an upload may be, by the type its first bytes show (never the client's header or name). */
export const MEDIA_TYPES: Readonly<Record<string, MediaKind>> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/webp': 'image',
  'image/gif': 'image',
  'video/mp4': 'video',
  'video/webm': 'video',
  'video/quicktime': 'video',
};

/** Bytes read before the type is decided (file-type needs 4100; containers may want more). */
const SNIFF_BYTES = 64 * 1024;

/** The upload's first bytes, its detected type, and the whole of it as one stream again. */
export interface Sniffed {
  contentType: string | undefined;
  head: Buffer;
  /** The head, then the rest as it arrives. */
  body: Readable;
}

export async function sniff(stream: Readable): Promise<Sniffed> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const parts: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    parts.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(parts);
  const detected = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
  async function* rest(): AsyncGenerator<Buffer> {
    try {
      yield head;
      for (let next = ended ? undefined : await chunks.next(); next && !next.done;) {
        yield next.value;
        next = await chunks.next();
      }
    } finally {
      // A reader that stops early (a failed write) stops the upload too.
      await chunks.return?.();
    }
  }
  return { contentType: detected?.mime, head, body: Readable.from(rest()) };
}

/** An image made ready to serve, in one size. */
export interface ImageVariant {
  size: MediaSize;
  bytes: Buffer;
  width: number;
  height: number;
}

const DISPLAY_SIDE = 1280;
const THUMB_SIDE = 320;
/** Decompression bombs: a larger image is refused before it is decoded. */
const MAX_PIXELS = 40_000_000;

/**
 * The three sizes of an image, each re-encoded in its own format with every piece of metadata
 * dropped (EXIF with its GPS position, XMP, IPTC, comments) after turning it upright by its
 * EXIF orientation: `original` full size, `display` at most 1280 px on its longest side (never
 * upscaled) and `thumb` a 320 px square crop. The uploaded bytes themselves are never kept.
 * Throws when the bytes do not decode as the image they claim to be.
 */
export async function imageVariants(input: Buffer, contentType: string): Promise<ImageVariant[]> {
  const animated = contentType === 'image/gif' || contentType === 'image/webp';
  const source = () =>
    sharp(input, {
      animated,
      autoOrient: true,
      limitInputPixels: MAX_PIXELS,
      failOn: 'error',
    });
  const encode = async (size: MediaSize, image: Sharp): Promise<ImageVariant> => {
    const { data, info } = await inFormat(image, contentType).toBuffer({ resolveWithObject: true });
    return { size, bytes: data, width: info.width, height: info.pageHeight ?? info.height };
  };
  // One decode at a time: a 40 MP image is about 160 MB raw, and three decodes at once per upload
  // would let a few concurrent uploads exhaust a small host's memory.
  const original = await encode('original', source());
  const display = await encode(
    'display',
    source().resize({
      width: DISPLAY_SIDE,
      height: DISPLAY_SIDE,
      fit: 'inside',
      withoutEnlargement: true,
    }),
  );
  const thumb = await encode(
    'thumb',
    source().resize({
      width: THUMB_SIDE,
      height: THUMB_SIDE,
      fit: 'cover',
      withoutEnlargement: true,
    }),
  );
  return [original, display, thumb];
}

function inFormat(image: Sharp, contentType: string): Sharp {
  switch (contentType) {
    case 'image/png':
      return image.png();
    case 'image/webp':
      return image.webp({ quality: 85 });
    case 'image/gif':
      return image.gif();
    default:
      return image.jpeg({ quality: 85 });
  }
}
