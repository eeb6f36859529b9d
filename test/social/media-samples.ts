import sharp from 'sharp';

/** An EXIF APP1 segment: Orientation 6 (rotate 90°) and a GPS position (51° 30′ 26″ N). */
function exifSegment(): Buffer {
  const b = Buffer.alloc(200);
  b.write('II', 0);
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  let o = 8;
  const entry = (tag: number, type: number, count: number, value: (at: number) => void) => {
    b.writeUInt16LE(tag, o);
    b.writeUInt16LE(type, o + 2);
    b.writeUInt32LE(count, o + 4);
    value(o + 8);
    o += 12;
  };
  const gpsAt = 8 + 2 + 2 * 12 + 4;
  const latitudeAt = gpsAt + 2 + 2 * 12 + 4;
  b.writeUInt16LE(2, o);
  o += 2;
  entry(0x0112, 3, 1, (at) => b.writeUInt16LE(6, at)); // Orientation
  entry(0x8825, 4, 1, (at) => b.writeUInt32LE(gpsAt, at)); // GPS IFD
  b.writeUInt32LE(0, o);
  o += 4;
  b.writeUInt16LE(2, o);
  o += 2;
  entry(0x0001, 2, 2, (at) => b.write('N\0', at, 'latin1')); // GPSLatitudeRef
  entry(0x0002, 5, 3, (at) => b.writeUInt32LE(latitudeAt, at)); // GPSLatitude
  b.writeUInt32LE(0, o);
  o += 4;
  for (const n of [51, 30, 26]) {
    b.writeUInt32LE(n, o);
    b.writeUInt32LE(1, o + 4);
    o += 8;
  }
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), b.subarray(0, o)]);
  const marker = Buffer.alloc(4);
  marker.writeUInt16BE(0xffe1, 0);
  marker.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([marker, payload]);
}

/** A `width` × `height` JPEG carrying EXIF orientation 6 and a GPS position. */
export async function exifJpeg(width: number, height: number): Promise<Buffer> {
  const plain = await sharp({ create: { width, height, channels: 3, background: '#c33' } })
    .jpeg()
    .toBuffer();
  return Buffer.concat([plain.subarray(0, 2), exifSegment(), plain.subarray(2)]);
}

function box(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** `bytes` bytes an MP4 reader recognises: an `ftyp` box (isom) and an `mdat` of patterned data. */
export function fakeMp4(bytes: number): Buffer {
  const ftyp = box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2mp41', 'latin1'));
  const data = Buffer.alloc(bytes - ftyp.length - 8);
  for (let i = 0; i < data.length; i++) data[i] = i % 253;
  return Buffer.concat([ftyp, box('mdat', data)]);
}
