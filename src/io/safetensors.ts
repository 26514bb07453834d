/**
 * safetensors (the Hugging Face format): u64 little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. String metadata goes in "__metadata__".
 *
 * Reading checks the whole header before any byte of data is touched, as the safetensors library does: a
 * bounded header length inside the file, UTF-8 JSON object, string metadata, a known dtype, a shape of
 * non-negative integers and integer offsets for every tensor, byte length = elements × dtype size, and tensor
 * ranges that tile the data section exactly (no overlap, no gap, no trailing bytes).
 */
import { InputError, quote } from './user-error';
import { isJsonObject } from './json-value';

/** The dtypes TRM Lab decodes. */
export type SafeDType = 'F32' | 'I32' | 'F64' | 'U8';

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: Float32Array | Int32Array | Float64Array | Uint8Array;
}

const BYTES: Record<SafeDType, number> = { F32: 4, I32: 4, F64: 8, U8: 1 };
const DECODED = new Map<string, number>(Object.entries(BYTES));
/** Every byte-sized dtype the safetensors format defines, so a valid file with others is named as such. */
const FORMAT_DTYPES = new Map<string, number>([
  ...DECODED,
  ...Object.entries({ BOOL: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, I16: 2, U16: 2, F16: 2, BF16: 2, U32: 4, I64: 8, U64: 8 }),
]);
/** The safetensors library's own bound on the header. */
export const MAX_HEADER = 100_000_000;
const TENSOR_NAME_CHARS = 80;

export function writeSafetensors(tensors: Map<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  // No prototype: a tensor named "__proto__" is an entry like any other.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: ${name} has ${t.data.length} values for shape [${t.shape.join(',')}]`);
    const bytes = n * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const hbytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let pos = 8 + hbytes.length;
  for (const t of tensors.values()) {
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(src, pos);
    pos += src.length;
  }
  return out;
}

/** One tensor as the header describes it; `begin`/`end` are byte offsets into the data section. */
export interface SafeEntry {
  /** One of the dtypes the reader was asked to accept (SafeDType by default). */
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  entries: Map<string, SafeEntry>;
  /** Own properties only (built with Object.fromEntries): read it with Object.hasOwn. */
  metadata: Record<string, string>;
  /** File offset of the data section. */
  dataStart: number;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

/** A tensor name for a message: quoted and cut short (names come from the file). */
export const tensorName = (name: string): string => quote(name, TENSOR_NAME_CHARS);

/** A shape for a message, cut short if a hostile file gives thousands of dimensions. */
export function fmtShape(shape: readonly unknown[]): string {
  const shown = shape.slice(0, 8).map((d) => (typeof d === 'number' ? String(d) : quote(d)));
  return `[${shown.join(',')}${shape.length > 8 ? `,… (${shape.length} dimensions)` : ''}]`;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** `v` and why it is not a non-negative integer, for a message: "-8 (negative)". */
function notCount(v: unknown): string {
  if (typeof v !== 'number') return `${quote(v)} (not a number)`;
  return `${v} (${!Number.isInteger(v) ? 'not an integer' : v < 0 ? 'negative' : 'too large'})`;
}

export interface HeaderOptions {
  /** The whole file's size when `bytes` holds only its start (at least the header), as a random-access read gives. */
  fileSize?: number;
  /** The dtypes the caller reads (default: those decodeTensors decodes); another is named as unreadable. */
  readable?: readonly string[];
}

/** The header length a file's first 8 bytes declare (what to read before readSafetensorsHeader). */
export const declaredHeaderLength = (first8: Uint8Array): bigint => new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);

/**
 * Check the header of a safetensors file (`bytes`: the file, or its start with `opts.fileSize`); throws InputError
 * naming the file, the tensor and the problem.
 */
export function readSafetensorsHeader(bytes: Uint8Array, fileName = 'checkpoint', opts: HeaderOptions = {}): SafetensorsHeader {
  const fileSize = opts.fileSize ?? bytes.length;
  const readable = new Set(opts.readable ?? DECODED.keys());
  const fail = (why: string): never => {
    throw new InputError(`${fileName}: not a valid safetensors file: ${why}`);
  };
  if (fileSize < 8) fail(`shorter than its 8-byte header length (${fileSize} bytes)`);
  const hlen = declaredHeaderLength(bytes);
  if (hlen > BigInt(MAX_HEADER)) fail(`header length ${hlen} exceeds the format's limit of ${MAX_HEADER} bytes`);
  const dataStart = 8 + Number(hlen);
  if (dataStart > fileSize) fail(`header length ${hlen} runs past the end of the file (${fileSize} bytes)`);
  if (dataStart > bytes.length) throw new RangeError(`readSafetensorsHeader: given ${bytes.length} bytes of a ${dataStart}-byte header`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    return fail('header is not UTF-8 text');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not JSON (${quote((e as Error).message, 80)})`);
  }
  if (!isJsonObject(header)) return fail(`header is ${quote(header)}, not a JSON object`);

  const dataLength = fileSize - dataStart;
  const entries = new Map<string, SafeEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      // The library reads a null __metadata__ as none.
      if (v === null) continue;
      if (!isJsonObject(v)) fail(`"__metadata__" is ${quote(v)}, not an object of strings`);
      const pairs = Object.entries(v as Record<string, unknown>);
      const bad = pairs.find(([, s]) => typeof s !== 'string');
      if (bad) fail(`"__metadata__" entry ${quote(bad[0], TENSOR_NAME_CHARS)} is ${quote(bad[1])}, not a string`);
      metadata = Object.fromEntries(pairs) as Record<string, string>;
      continue;
    }
    const t = `tensor ${tensorName(name)}`;
    if (!isJsonObject(v)) fail(`${t} is ${quote(v)}, not an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = v as Record<string, unknown>;
    if (typeof dtype !== 'string' || !FORMAT_DTYPES.has(dtype)) fail(`${t} has dtype ${quote(dtype)}, not a safetensors dtype`);
    if (!readable.has(dtype as string)) fail(`${t} has dtype ${dtype as string}, which TRM Lab does not read (it reads ${[...readable].join(', ')})`);
    const size = FORMAT_DTYPES.get(dtype as string);
    if (!Array.isArray(shape)) fail(`${t} has shape ${quote(shape)}, not a list of dimensions`);
    const dims = shape as unknown[];
    const badDim = dims.findIndex((d) => !isCount(d));
    if (badDim >= 0) fail(`${t} has shape ${fmtShape(dims)}: dimension ${badDim} is ${notCount(dims[badDim])}`);
    if (!Array.isArray(offsets) || offsets.length !== 2) fail(`${t} has data_offsets ${quote(offsets)}, not two byte offsets [begin, end]`);
    const [begin, end] = offsets as unknown[];
    if (!isCount(begin)) fail(`${t} has data_offsets begin ${notCount(begin)}`);
    if (!isCount(end)) fail(`${t} has data_offsets end ${notCount(end)}`);
    const b = begin as number, e = end as number;
    if (e < b) fail(`${t} has data_offsets [${b}, ${e}]: the end comes before the begin`);
    if (e > dataLength) fail(`${t} has data_offsets [${b}, ${e}] past the end of the data (${dataLength} bytes)`);
    const elements = (dims as number[]).reduce((a, d) => a * d, 1);
    const need = elements * size!;
    if (need !== e - b) {
      const needs = Number.isSafeInteger(need) ? `${need} bytes` : 'more bytes than any file holds';
      fail(`${t} has shape ${fmtShape(dims)} of ${dtype as string}, which needs ${needs}, but data_offsets [${b}, ${e}] hold ${e - b}`);
    }
    entries.set(name, { dtype: dtype as string, shape: dims as number[], begin: b, end: e });
  }
  checkTiling(entries, dataLength, fail);
  return { entries, metadata, dataStart };
}

/** The tensors' byte ranges must cover the data section exactly once, as the library requires. */
function checkTiling(entries: Map<string, SafeEntry>, dataLength: number, fail: (why: string) => never): void {
  const ranges = [...entries].sort(([, a], [, b]) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let last = '';
  for (const [name, { begin, end }] of ranges) {
    if (begin < pos) fail(`tensor ${tensorName(name)} at bytes [${begin}, ${end}) overlaps tensor ${tensorName(last)} (which ends at ${pos})`);
    if (begin > pos) fail(`bytes [${pos}, ${begin}) of the data belong to no tensor (the next, ${tensorName(name)}, begins at ${begin})`);
    pos = end;
    last = name;
  }
  if (pos !== dataLength) fail(`the last ${dataLength - pos} bytes of the data belong to no tensor`);
}

/** Copy each tensor's bytes out of a file whose header `readSafetensorsHeader` checked (with the default dtypes). */
export function decodeTensors(bytes: Uint8Array, header: SafetensorsHeader): Map<string, SafeTensor> {
  const tensors = new Map<string, SafeTensor>();
  for (const [name, { dtype, shape, begin, end }] of header.entries) {
    const raw = bytes.slice(header.dataStart + begin, header.dataStart + end);
    const data = dtype === 'F32' ? new Float32Array(raw.buffer) : dtype === 'I32' ? new Int32Array(raw.buffer) : dtype === 'F64' ? new Float64Array(raw.buffer) : raw;
    tensors.set(name, { dtype: dtype as SafeDType, shape, data });
  }
  return tensors;
}

export function readSafetensors(bytes: Uint8Array, fileName = 'checkpoint'): SafetensorsFile {
  const header = readSafetensorsHeader(bytes, fileName);
  return { tensors: decodeTensors(bytes, header), metadata: header.metadata };
}
