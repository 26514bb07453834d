/**
 * The files the reference PyTorch code and Hugging Face hold a TRM in, read tensor by tensor through a random-access
 * reader: torch.save zip archives (data.pkl through the allow-list unpickler, each storage an entry data/KEY) and
 * safetensors in the reference's layout, in float32, bfloat16 or float16. Each tensor is read (and converted to
 * float32) only when asked, whole or a range of rows, so a gigabyte puzzle-embedding table stays on disk. Also the
 * writer: named float32 tensors → the zip torch.save writes, which torch.load(weights_only=True) accepts.
 */
import { describe, pickleStateDict, unpickle, type PickledTensor, type StorageDType } from './pickle';
import { MAX_HEADER, declaredHeaderLength, fmtShape, readSafetensorsHeader, tensorName } from './safetensors';
import { InputError, quote } from './user-error';
import { ZipReader, zipChunks, type RandomAccess, type ZipData } from './zip';

export type { StorageDType };

/** One tensor of a file, not yet read. */
export interface LazyTensor {
  dtype: StorageDType;
  shape: number[];
  /** Rows [first, first + rows) of the tensor (along its first dimension; all of it by default), as float32. */
  read(first?: number, rows?: number): Promise<Float32Array>;
}

const ITEM_BYTES: Record<StorageDType, number> = { F32: 4, BF16: 2, F16: 2 };

/** float16 bits → float32, subnormals, infinities and NaN included. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Little-endian values of `dtype` → float32 (bfloat16 is the top half of a float32). */
export function toFloat32(dtype: StorageDType, bytes: Uint8Array): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / ITEM_BYTES[dtype];
  if (dtype === 'F32') return new Float32Array(new Uint8Array(bytes).buffer); // a copy (a Buffer's slice is a view); JS hosts are little-endian
  const out = new Float32Array(n);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = dv.getUint16(2 * i, true) << 16;
  } else for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
  return out;
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A tensor stored contiguously at byte `start` of some byte range, read by rows. */
function lazy(dtype: StorageDType, shape: number[], start: number, readBytes: (offset: number, length: number) => Promise<Uint8Array>, fileName: string, name: string): LazyTensor {
  const rowElems = shape.length ? numel(shape.slice(1)) : 1;
  const allRows = shape.length ? shape[0] : 1;
  return {
    dtype,
    shape,
    async read(first = 0, rows = allRows - first) {
      if (!Number.isSafeInteger(first) || !Number.isSafeInteger(rows) || first < 0 || rows < 0 || first + rows > allRows)
        throw new InputError(`${fileName}: rows ${first}..${first + rows} of ${tensorName(name)} lie outside its ${allRows} rows`);
      const item = ITEM_BYTES[dtype];
      return toFloat32(dtype, await readBytes(start + first * rowElems * item, rows * rowElems * item));
    },
  };
}

/** The single folder every entry of a torch.save archive sits in ("step_100/"). */
function archivePrefix(zip: ZipReader, fileName: string): string {
  const pkl = [...zip.entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkl.length !== 1) throw new InputError(`${fileName}: a zip archive, but not one torch.save wrote (${pkl.length ? 'several data.pkl entries' : 'no data.pkl entry'})`);
  return pkl[0].slice(0, -'data.pkl'.length);
}

/**
 * The tensors of a torch.save archive, by their state_dict names. The pickle must be a dict of tensors; each must be
 * a contiguous view inside its storage, and each storage entry as long as the pickle says.
 */
export async function readTorchZip(r: RandomAccess, fileName: string): Promise<Map<string, LazyTensor>> {
  const zip = await ZipReader.open(r, fileName);
  const prefix = archivePrefix(zip, fileName);
  // torch ≥ 2.1 records the byte order; older archives are little-endian.
  if (zip.entries.has(`${prefix}byteorder`) && new TextDecoder().decode(await zip.read(`${prefix}byteorder`)).trim() !== 'little')
    throw new InputError(`${fileName}: saved on a big-endian machine; TRM Lab reads little-endian checkpoints`);
  const where = `${fileName} (data.pkl)`;
  const root = unpickle(await zip.read(`${prefix}data.pkl`), where);
  if (!(root instanceof Map)) throw new InputError(`${where}: holds ${describe(root)}, not a state_dict (a dict of tensors)`);
  const out = new Map<string, LazyTensor>();
  for (const [name, t] of root) {
    if (typeof name !== 'string') throw new InputError(`${where}: a key ${quote(name)} that is not a tensor name`);
    if (t === null || typeof t !== 'object' || Array.isArray(t) || t instanceof Map || t.kind !== 'tensor')
      throw new InputError(`${where}: ${tensorName(name)} is not a tensor`);
    const { storage, offset, shape, stride } = t;
    const contiguous = shape.every((_, i) => shape[i] === 1 || stride[i] === numel(shape.slice(i + 1)));
    if (!contiguous) throw new InputError(`${where}: ${tensorName(name)} is a strided view (shape ${fmtShape(shape)}, stride ${fmtShape(stride)}); save it contiguous`);
    const n = numel(shape);
    if (!Number.isSafeInteger(n) || offset + n > storage.numel)
      throw new InputError(`${where}: ${tensorName(name)} of shape ${fmtShape(shape)} at offset ${offset} runs past its storage of ${storage.numel} elements`);
    const entry = `${prefix}data/${storage.key}`;
    const e = zip.entries.get(entry);
    const item = ITEM_BYTES[storage.dtype];
    if (!e) throw new InputError(`${fileName}: ${tensorName(name)} names storage ${quote(storage.key)}, which the archive lacks`);
    if (e.size < storage.numel * item) throw new InputError(`${fileName}: storage ${quote(storage.key)} holds ${e.size} bytes, ${storage.numel} ${storage.dtype} values need ${storage.numel * item}`);
    out.set(name, lazy(storage.dtype, shape, offset * item, (o, l) => zip.readRange(entry, o, l), fileName, name));
  }
  return out;
}

const SAFETENSORS_DTYPES: Record<string, StorageDType> = { F32: 'F32', BF16: 'BF16', F16: 'F16' };

/**
 * The tensors of a safetensors file read through `r` (the header first, then each tensor on demand). Only float
 * dtypes; the byte ranges must lie in the file and match the shapes (the header metadata is returned as well).
 */
export async function readSafetensorsLazily(r: RandomAccess, fileName: string): Promise<{ tensors: Map<string, LazyTensor>; metadata: Record<string, string> }> {
  // The same header checks as a TRM Lab checkpoint's, on the header's bytes alone: the data stays unread.
  const first = r.size >= 8 ? await r.read(0, 8) : new Uint8Array(0);
  const declared = first.length === 8 ? 8 + Number(declaredHeaderLength(first)) : 0;
  const start = declared > 8 && declared <= r.size && declared <= 8 + MAX_HEADER ? await r.read(0, declared) : first;
  const header = readSafetensorsHeader(start, fileName, { fileSize: r.size, readable: Object.keys(SAFETENSORS_DTYPES) });
  const tensors = new Map<string, LazyTensor>();
  for (const [name, { dtype, shape, begin }] of header.entries) {
    tensors.set(name, lazy(SAFETENSORS_DTYPES[dtype], shape, header.dataStart + begin, (o, l) => r.read(o, l), fileName, name));
  }
  return { tensors, metadata: header.metadata };
}

/** A tensor to store: its dtype and its raw little-endian bytes, or a stream of them (see ZipData). */
export interface StoredTensor {
  shape: readonly number[];
  dtype: StorageDType;
  bytes: ZipData;
}

/**
 * torch.save's archive of an OrderedDict of tensors, as chunks made while they are written (an entry given as a
 * stream is never held whole). `archive` names the folder inside the zip (torch.save uses the file's name
 * without extension).
 */
export function torchZipChunks(tensors: ReadonlyMap<string, StoredTensor>, archive: string): Generator<Uint8Array> {
  const pickled: PickledTensor[] = [];
  const files: { name: string; data: ZipData }[] = [];
  let key = 0;
  for (const [name, t] of tensors) {
    const want = numel(t.shape) * ITEM_BYTES[t.dtype];
    if (want !== t.bytes.length) throw new Error(`torch zip: ${name} has ${t.bytes.length} bytes for ${t.dtype} of shape ${fmtShape(t.shape)} (${want})`);
    pickled.push({ name, key: String(key), dtype: t.dtype, shape: t.shape });
    files.push({ name: `${archive}/data/${key++}`, data: t.bytes });
  }
  return zipChunks([
    { name: `${archive}/data.pkl`, data: pickleStateDict(pickled) },
    ...files,
    { name: `${archive}/version`, data: new TextEncoder().encode('3\n') },
  ]);
}

/** torch.save's archive of float32 tensors, as chunks to write in order; torch.load(weights_only=True) accepts it. */
export function writeTorchZip(tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>, archive: string): Uint8Array[] {
  const stored = new Map<string, StoredTensor>();
  for (const [name, t] of tensors) {
    if (numel(t.shape) !== t.data.length) throw new Error(`torch zip: ${name} has ${t.data.length} values for shape ${fmtShape(t.shape)}`);
    stored.set(name, { shape: t.shape, dtype: 'F32', bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) });
  }
  return [...torchZipChunks(stored, archive)];
}
