/**
 * NumPy .npy files, format version 1.0 (numpy/lib/format.py): the magic "\x93NUMPY", version bytes 1 0, a
 * little-endian uint16 header length, then an ASCII Python dict literal
 * `{'descr': '<i4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces to a '\n', then the raw
 * C-order data. Four dtypes: int32, int64, uint8 and float32, little-endian, as the reference's datasets hold.
 * The reader takes files from users: it accepts exactly that layout and refuses anything else with one line
 * naming the file and the problem, before allocating anything the size of the array.
 */
import { InputError, quote } from './user-error';

export type NpyDtype = 'int32' | 'int64' | 'uint8' | 'float32';

export interface NpyDataOf {
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  float32: Float32Array;
}

export interface NpyArray<D extends NpyDtype = NpyDtype> {
  dtype: D;
  /** C order; [] is a 0-d scalar. */
  shape: number[];
  data: NpyDataOf[D];
}

/** numpy's descr string and the item size of each dtype (uint8 has no byte order: '|'). */
const DESCR: Readonly<Record<NpyDtype, string>> = { int32: '<i4', int64: '<i8', uint8: '|u1', float32: '<f4' };
const ITEM_BYTES: Readonly<Record<NpyDtype, number>> = { int32: 4, int64: 8, uint8: 1, float32: 4 };
const DTYPE_OF_DESCR = new Map(Object.entries(DESCR).map(([d, s]) => [s, d as NpyDtype]));

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Magic, two version bytes, the uint16 header length. */
const PREAMBLE = 10;
/** numpy aligns the data to 64 bytes (a multiple of every item size) by padding the header. */
const ALIGN = 64;
/** numpy's NPY_MAXDIMS is 32 (64 since 2.0); no dataset array has more than 2. */
export const MAX_NPY_DIMS = 32;
/** Headers numpy writes for any array of ≤ MAX_NPY_DIMS dimensions fit well within this. */
const MAX_HEADER = 4096;

function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function checkShape(shape: readonly number[]): void {
  if (shape.length > MAX_NPY_DIMS) throw new RangeError(`npy: ${shape.length} dimensions, at most ${MAX_NPY_DIMS}`);
  for (const n of shape) if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`npy: dimension ${n} is not a non-negative integer`);
}

/**
 * The bytes before the data of a `dtype` array of `shape`: magic, version, header, padded with spaces so that
 * the data starts on a multiple of 64 and at least at `minLength` (a streamed file reserves room for its final
 * row count this way, and rewrites the header in place once it knows it).
 */
export function npyHeader(dtype: NpyDtype, shape: readonly number[], minLength = 0): Uint8Array {
  checkShape(shape);
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText(shape)}, }`;
  const total = Math.ceil(Math.max(PREAMBLE + dict.length + 1, minLength) / ALIGN) * ALIGN;
  const headerLen = total - PREAMBLE;
  if (headerLen > 0xffff) throw new RangeError(`npy: a header of ${headerLen} bytes needs format version 2.0`);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1; // version 1.0
  out[7] = 0;
  out[8] = headerLen & 0xff;
  out[9] = headerLen >> 8;
  const text = dict.padEnd(headerLen - 1, ' ') + '\n';
  for (let i = 0; i < text.length; i++) out[PREAMBLE + i] = text.charCodeAt(i);
  return out;
}

/** Header length that any row count of a streamed `dtype` array with rows of `rowShape` fits in. */
export function npyStreamHeaderLength(dtype: NpyDtype, rowShape: readonly number[]): number {
  return npyHeader(dtype, [Number.MAX_SAFE_INTEGER, ...rowShape]).length;
}

/** The data's bytes in little-endian order (every platform JavaScript runs on stores typed arrays that way). */
export function npyDataBytes(data: NpyDataOf[NpyDtype]): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A whole .npy file. */
export function encodeNpy(a: NpyArray): Uint8Array {
  const count = a.shape.reduce((p, n) => p * n, 1);
  if (a.data.length !== count) throw new RangeError(`npy: ${a.data.length} values do not fill shape ${shapeText(a.shape)}`);
  const header = npyHeader(a.dtype, a.shape);
  const out = new Uint8Array(header.length + a.data.byteLength);
  out.set(header, 0);
  out.set(npyDataBytes(a.data), header.length);
  return out;
}

/**
 * A Python literal from a header dict: a quoted string, True/False, or a tuple of non-negative integers. A small
 * recursive-descent reader over exactly what numpy writes (no nesting, no other types, no expressions).
 */
class HeaderReader {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly fail: (why: string) => never,
  ) {}

  private ws(): void {
    while (this.i < this.s.length && (this.s[this.i] === ' ' || this.s[this.i] === '\t')) this.i++;
  }

  private eat(ch: string): boolean {
    this.ws();
    if (this.s[this.i] !== ch) return false;
    this.i++;
    return true;
  }

  private expect(ch: string, what: string): void {
    if (!this.eat(ch)) this.fail(`header: expected ${what} at character ${this.i}`);
  }

  private string(): string {
    this.ws();
    const q = this.s[this.i];
    if (q !== "'" && q !== '"') this.fail(`header: expected a quoted string at character ${this.i}`);
    const end = this.s.indexOf(q, this.i + 1);
    if (end < 0) this.fail('header: a string is not closed');
    const v = this.s.slice(this.i + 1, end);
    if (v.includes('\\')) this.fail('header: escapes in strings are not supported');
    this.i = end + 1;
    return v;
  }

  private value(): string | boolean | number[] {
    this.ws();
    const rest = this.s.slice(this.i);
    if (rest.startsWith('True')) return (this.i += 4), true;
    if (rest.startsWith('False')) return (this.i += 5), false;
    if (this.s[this.i] === '(') return this.tuple();
    return this.string();
  }

  private tuple(): number[] {
    this.expect('(', '"("');
    const dims: number[] = [];
    for (;;) {
      if (this.eat(')')) break;
      this.ws();
      const m = /^\d{1,20}/.exec(this.s.slice(this.i));
      if (!m) this.fail(`header: shape entry at character ${this.i} is not a non-negative integer`);
      this.i += m[0].length;
      const n = Number(m[0]);
      if (!Number.isSafeInteger(n)) this.fail(`header: shape entry ${m[0]} is too large`);
      if (dims.length === MAX_NPY_DIMS) this.fail(`header: more than ${MAX_NPY_DIMS} dimensions`);
      dims.push(n);
      if (this.eat(')')) {
        // Python writes a 1-tuple as (n,): "(n)" is an int, not a shape.
        if (dims.length === 1) this.fail('header: shape (n) must be written (n,)');
        break;
      }
      this.expect(',', '"," or ")" in the shape');
    }
    return dims;
  }

  /** The dict's entries; duplicate keys and trailing text are refused. */
  dict(): Map<string, string | boolean | number[]> {
    const out = new Map<string, string | boolean | number[]>();
    this.expect('{', '"{"');
    for (;;) {
      if (this.eat('}')) break;
      const key = this.string();
      if (out.has(key)) this.fail(`header: key ${quote(key)} is given twice`);
      this.expect(':', '":"');
      out.set(key, this.value());
      if (this.eat('}')) break;
      this.expect(',', '"," or "}"');
    }
    this.ws();
    if (this.s.slice(this.i) !== '\n') this.fail('header: must end with the dict, spaces and one newline');
    return out;
  }
}

/** Parses a .npy file (`name` for messages); the returned data is a copy, aligned for its type. */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  const fail = (why: string): never => {
    throw new InputError(`${name}: not a valid .npy array: ${why}`);
  };
  if (bytes.length < PREAMBLE || MAGIC.some((b, i) => bytes[i] !== b)) fail('it does not start with the .npy magic "\\x93NUMPY"');
  if (bytes[6] !== 1 || bytes[7] !== 0) fail(`format version ${bytes[6]}.${bytes[7]}; only 1.0 is read`);
  const headerLen = bytes[8] | (bytes[9] << 8);
  if (headerLen > MAX_HEADER) fail(`a header of ${headerLen} bytes (at most ${MAX_HEADER})`);
  if (PREAMBLE + headerLen > bytes.length) fail(`the header (${headerLen} bytes) runs past the end of the file (${bytes.length} bytes)`);
  let text = '';
  for (let i = PREAMBLE; i < PREAMBLE + headerLen; i++) {
    const c = bytes[i];
    if (c > 0x7e || (c < 0x20 && c !== 0x0a)) fail(`header byte ${i} is not printable ASCII`);
    text += String.fromCharCode(c);
  }
  const dict = new HeaderReader(text, fail).dict();
  const known = ['descr', 'fortran_order', 'shape'];
  const extra = [...dict.keys()].find((k) => !known.includes(k));
  if (extra !== undefined) fail(`header: unknown key ${quote(extra)}`);
  const missing = known.find((k) => !dict.has(k));
  if (missing !== undefined) fail(`header: no ${missing}`);
  const descr = dict.get('descr');
  const dtype = typeof descr === 'string' ? DTYPE_OF_DESCR.get(descr) : undefined;
  if (dtype === undefined) fail(`dtype ${quote(descr)} is not one of ${Object.values(DESCR).join(', ')} (int32, int64, uint8, float32, little-endian)`);
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean') fail('header: fortran_order must be True or False');
  if (fortran) fail('Fortran-ordered (column-major) data; save it in C order (np.ascontiguousarray)');
  const shape = dict.get('shape');
  if (!Array.isArray(shape)) fail('header: shape must be a tuple of integers');
  const dims = shape as number[];
  const item = ITEM_BYTES[dtype!];
  const dataBytes = bytes.length - PREAMBLE - headerLen;
  // In BigInt: a hostile shape's product overflows a double long before it is compared with the file's size.
  const want = dims.reduce((p, n) => p * BigInt(n), 1n) * BigInt(item);
  if (want !== BigInt(dataBytes)) fail(`shape ${shapeText(dims)} of ${dtype} needs ${want} data bytes, the file holds ${dataBytes}`);
  const copy = bytes.slice(PREAMBLE + headerLen).buffer;
  const data =
    dtype === 'int32' ? new Int32Array(copy)
    : dtype === 'int64' ? new BigInt64Array(copy)
    : dtype === 'float32' ? new Float32Array(copy)
    : new Uint8Array(copy);
  return { dtype: dtype!, shape: dims, data };
}
