/**
 * A parser for the IDX format of the MNIST files: two zero bytes, a type byte, a dimension count, then one
 * big-endian uint32 per dimension and the data. Every header field and the data length are checked.
 */
import * as fs from 'fs';
import { DatasetFileError, formatCount } from './errors';

const IDX_TYPES = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
} as const;

export type IdxDtype = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['name'];

/** A parsed IDX file. `data` is a typed array of the file's element type (big-endian already converted). */
export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** What the caller expects; any difference is an error that names the file. */
export interface IdxExpectation {
  dtype?: IdxDtype;
  /** Expected dimensions; `undefined` entries match any size (e.g. `[undefined, 28, 28]`). */
  shape?: (number | undefined)[];
}

/** Parse an IDX buffer. `file` is only used in error messages. */
export function parseIdx(buffer: Uint8Array, file: string, expect: IdxExpectation = {}): IdxArray {
  if (buffer.length < 4) {
    throw new DatasetFileError(file, `not an IDX file: ${buffer.length} bytes, shorter than the 4-byte magic number`);
  }
  const magic = ((buffer[0] << 24) | (buffer[1] << 16) | (buffer[2] << 8) | buffer[3]) >>> 0;
  const magicHex = `0x${magic.toString(16).padStart(8, '0')}`;
  const type = IDX_TYPES[buffer[2] as keyof typeof IDX_TYPES];
  const ndim = buffer[3];
  if (buffer[0] !== 0 || buffer[1] !== 0 || type === undefined || ndim === 0) {
    throw new DatasetFileError(
      file,
      `bad IDX magic number ${magicHex}: expected 0x0000TTNN with type TT in 08,09,0B,0C,0D,0E and NN >= 1 dimensions ` +
        '(e.g. 0x00000803 for MNIST images, 0x00000801 for labels); a gzipped file must be unpacked first',
    );
  }
  const headerBytes = 4 + 4 * ndim;
  if (buffer.length < headerBytes) {
    throw new DatasetFileError(file, `truncated IDX header: ${ndim} dimensions need ${headerBytes} bytes, file has ${buffer.length}`);
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const shape = Array.from({ length: ndim }, (_, d) => view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expectedBytes = headerBytes + count * type.bytes;
  if (buffer.length !== expectedBytes) {
    const what = buffer.length < expectedBytes ? 'truncated' : 'has trailing bytes';
    throw new DatasetFileError(
      file,
      `IDX file ${what}: header says ${type.name} [${shape.join(', ')}] = ${formatCount(expectedBytes)} bytes, ` +
        `file has ${formatCount(buffer.length)}`,
    );
  }
  if (expect.dtype !== undefined && expect.dtype !== type.name) {
    throw new DatasetFileError(file, `expected IDX type ${expect.dtype}, file holds ${type.name} (magic ${magicHex})`);
  }
  if (expect.shape !== undefined) {
    const ok = expect.shape.length === ndim && expect.shape.every((d, i) => d === undefined || d === shape[i]);
    if (!ok) {
      const wanted = expect.shape.map((d) => (d === undefined ? '*' : String(d))).join(', ');
      throw new DatasetFileError(file, `expected IDX shape [${wanted}], file holds [${shape.join(', ')}] (magic ${magicHex})`);
    }
  }
  return { dtype: type.name, shape, data: readElements(view, headerBytes, count, type.name) };
}

function readElements(view: DataView, offset: number, count: number, dtype: IdxDtype): IdxArray['data'] {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** Read and parse an IDX file from disk. */
export function readIdxFile(file: string, expect: IdxExpectation = {}): IdxArray {
  if (!fs.existsSync(file)) throw new DatasetFileError(file, 'missing (expected an IDX file)');
  return parseIdx(fs.readFileSync(file), file, expect);
}

/** Encode an array as IDX bytes (used to write test fixtures and small exports). */
export function encodeIdx(dtype: 'uint8', shape: number[], data: Uint8Array): Uint8Array {
  if (dtype !== 'uint8') throw new Error(`encodeIdx supports uint8 only, got ${dtype}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`encodeIdx: shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * shape.length + count);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}
