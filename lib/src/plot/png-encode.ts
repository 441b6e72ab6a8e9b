/**
 * A small PNG encoder (8-bit grey or RGB, no filtering) for the pixel images that charts embed as
 * data URLs: image grids, filters, feature maps, decision-boundary backgrounds. zlib does the
 * compression; nothing here needs a native image library.
 */
import { deflateSync } from 'zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A raster of 8-bit samples, row-major, `channels` = 1 (grey), 3 (RGB) or 4 (RGBA). */
export interface PixelImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

export function encodePng(image: PixelImage): Buffer {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`encodePng: bad size ${width}x${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new Error(`encodePng: ${data.length} bytes for ${width}x${height}x${channels}`);
  }
  const colourType = channels === 1 ? 0 : channels === 3 ? 2 : 6;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = colourType;
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type: none
    Buffer.from(data.buffer, data.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export function pngDataUrl(image: PixelImage): string {
  return `data:image/png;base64,${encodePng(image).toString('base64')}`;
}

/** Width and height from a PNG's IHDR chunk; throws if the bytes are not a PNG. */
export function readPngSize(png: Uint8Array): { width: number; height: number } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const signature = '89504e470d0a1a0a';
  if (buf.length < 24 || buf.subarray(0, 8).toString('hex') !== signature) throw new Error('not a PNG');
  if (buf.subarray(12, 16).toString('ascii') !== 'IHDR') throw new Error('PNG without IHDR first');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Nearest-neighbour upscaling, so small images (3x3 filters, 28x28 digits) stay crisp in every viewer. */
export function upscaleNearest(image: PixelImage, factor: number): PixelImage {
  const f = Math.max(1, Math.floor(factor));
  if (f === 1) return image;
  const { width, height, channels, data } = image;
  const out = new Uint8Array(width * f * height * f * channels);
  const outWidth = width * f;
  for (let y = 0; y < height * f; y++) {
    const sy = Math.floor(y / f);
    for (let x = 0; x < outWidth; x++) {
      const src = (sy * width + Math.floor(x / f)) * channels;
      const dst = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) out[dst + c] = data[src + c];
    }
  }
  return { width: outWidth, height: height * f, channels, data: out };
}
