/**
 * The zip archives torch.save writes: stored (uncompressed) entries, zip64 where large. Reading goes through a
 * random-access reader, so a multi-gigabyte checkpoint is never read whole: the end records and the central
 * directory first, then only the entries (or byte ranges of them) a caller asks for. Writing produces the same
 * layout torch.save does, each entry's data aligned to 64 bytes by padding its local header's extra field.
 */
import { InputError } from './user-error';

/** Random access to a file's bytes: a Node file handle, a Blob (File.slice) or HTTP range requests. */
export interface RandomAccess {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bytesReader(bytes: Uint8Array): RandomAccess {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

export function blobReader(blob: Blob): RandomAccess {
  return { size: blob.size, read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()) };
}

export interface ZipEntry {
  name: string;
  /** Offset of the entry's data (past its local header) in the archive. */
  dataStart: number;
  size: number;
  crc32: number;
}

const SIG = { local: 0x04034b50, central: 0x02014b50, eocd: 0x06054b50, eocd64: 0x06064b50, locator64: 0x07064b50 } as const;
const EOCD_SIZE = 22;
/** The end record's comment is at most 65535 bytes, so the record lies in the file's last 65557 bytes. */
const EOCD_SEARCH = EOCD_SIZE + 0xffff;
/** A central directory larger than this is not a checkpoint's (a few entries per tensor). */
const MAX_DIRECTORY = 64 << 20;
const MAX_ENTRIES = 1_000_000;
const ZIP64 = 0xffffffff;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const u64 = (v: DataView, at: number) => Number(v.getBigUint64(at, true));

/** Read exactly `length` bytes or say the archive ends early. */
async function readExact(r: RandomAccess, offset: number, length: number, fail: (why: string) => never, what: string): Promise<Uint8Array> {
  if (offset < 0 || length < 0 || offset + length > r.size) fail(`${what} at byte ${offset} runs past the end of the file (${r.size} bytes); is it truncated?`);
  const b = await r.read(offset, length);
  if (b.length !== length) fail(`${what}: read ${b.length} of ${length} bytes`);
  return b;
}

/** An open archive: its entries by name, read lazily. */
export class ZipReader {
  private constructor(private readonly r: RandomAccess, readonly entries: Map<string, ZipEntry>, private readonly fileName: string) {}

  /** Read and check the end records and the central directory; throws InputError naming the file and the problem. */
  static async open(r: RandomAccess, fileName: string): Promise<ZipReader> {
    const fail = (why: string): never => {
      throw new InputError(`${fileName}: not a valid zip archive: ${why}`);
    };
    if (r.size < EOCD_SIZE) fail(`only ${r.size} bytes, shorter than a zip's end record`);
    const tailStart = Math.max(0, r.size - EOCD_SEARCH);
    const tail = await readExact(r, tailStart, r.size - tailStart, fail, 'the end of the archive');
    const tv = view(tail);
    let at = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
      if (tv.getUint32(i, true) === SIG.eocd && i + EOCD_SIZE + tv.getUint16(i + 20, true) === tail.length) {
        at = i;
        break;
      }
    }
    if (at < 0) fail('no end-of-central-directory record (a truncated file, or not a zip)');
    let count = tv.getUint16(at + 10, true);
    let dirSize = tv.getUint32(at + 12, true);
    let dirStart = tv.getUint32(at + 16, true);
    if (count === 0xffff || dirSize === ZIP64 || dirStart === ZIP64) {
      const locAt = tailStart + at - 20;
      const loc = view(await readExact(r, locAt, 20, fail, 'the zip64 locator'));
      if (loc.getUint32(0, true) !== SIG.locator64) fail('a zip64 archive without its zip64 locator');
      const recAt = u64(loc, 8);
      const rec = view(await readExact(r, recAt, 56, fail, 'the zip64 end record'));
      if (rec.getUint32(0, true) !== SIG.eocd64) fail('the zip64 end record has a bad signature');
      count = u64(rec, 32);
      dirSize = u64(rec, 40);
      dirStart = u64(rec, 48);
    }
    if (count > MAX_ENTRIES) fail(`${count} entries, more than a checkpoint holds`);
    if (dirSize > MAX_DIRECTORY) fail(`a central directory of ${dirSize} bytes, more than a checkpoint's`);
    const dir = await readExact(r, dirStart, dirSize, fail, 'the central directory');
    const dv = view(dir);
    const entries = new Map<string, ZipEntry>();
    const seen = new Set<string>();
    const pending: { name: string; headerAt: number; size: number; crc32: number }[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dv.getUint32(p, true) !== SIG.central) fail(`central directory entry ${i} is damaged`);
      const method = dv.getUint16(p + 10, true);
      const crc32 = dv.getUint32(p + 16, true);
      let compressed = dv.getUint32(p + 20, true);
      let size = dv.getUint32(p + 24, true);
      const nameLen = dv.getUint16(p + 28, true), extraLen = dv.getUint16(p + 30, true), commentLen = dv.getUint16(p + 32, true);
      let headerAt = dv.getUint32(p + 42, true);
      const end = p + 46 + nameLen + extraLen + commentLen;
      if (end > dir.length) fail(`central directory entry ${i} runs past the directory`);
      const name = new TextDecoder().decode(dir.subarray(p + 46, p + 46 + nameLen));
      // Zip64: the 0xffffffff fields are given, in order, in extra field 0x0001.
      for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
        const id = dv.getUint16(e, true), len = dv.getUint16(e + 2, true);
        if (id === 1) {
          let q = e + 4;
          const next = () => {
            if (q + 8 > e + 4 + len) fail(`entry ${JSON.stringify(name.slice(0, 80))} has a short zip64 field`);
            const v = u64(dv, q);
            q += 8;
            return v;
          };
          if (size === ZIP64) size = next();
          if (compressed === ZIP64) compressed = next();
          if (headerAt === ZIP64) headerAt = next();
        }
        e += 4 + len;
      }
      if (method !== 0) fail(`entry ${JSON.stringify(name.slice(0, 80))} is compressed (method ${method}); torch.save stores entries uncompressed`);
      if (compressed !== size) fail(`entry ${JSON.stringify(name.slice(0, 80))} is stored with ${compressed} bytes for ${size}`);
      if (seen.has(name)) fail(`entry ${JSON.stringify(name.slice(0, 80))} appears twice`);
      seen.add(name);
      pending.push({ name, headerAt, size, crc32 });
      p = end;
    }
    for (const { name, headerAt, size, crc32 } of pending) {
      const lh = view(await readExact(r, headerAt, 30, fail, `the local header of ${JSON.stringify(name.slice(0, 80))}`));
      if (lh.getUint32(0, true) !== SIG.local) fail(`entry ${JSON.stringify(name.slice(0, 80))} points at no local header`);
      const dataStart = headerAt + 30 + lh.getUint16(26, true) + lh.getUint16(28, true);
      if (dataStart + size > r.size) fail(`entry ${JSON.stringify(name.slice(0, 80))} runs past the end of the file; is it truncated?`);
      entries.set(name, { name, dataStart, size, crc32 });
    }
    return new ZipReader(r, entries, fileName);
  }

  private entry(name: string): ZipEntry {
    const e = this.entries.get(name);
    if (!e) throw new InputError(`${this.fileName}: the archive has no entry ${JSON.stringify(name.slice(0, 80))}`);
    return e;
  }

  /** A whole entry, its CRC-32 checked. */
  async read(name: string): Promise<Uint8Array> {
    const e = this.entry(name);
    const bytes = await this.readRange(name, 0, e.size);
    if (crc32(bytes) !== e.crc32) throw new InputError(`${this.fileName}: entry ${JSON.stringify(name.slice(0, 80))} is damaged (CRC-32 mismatch)`);
    return bytes;
  }

  /** `length` bytes of an entry from `offset` (a few rows of a large tensor), without its checksum. */
  async readRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    const e = this.entry(name);
    if (offset < 0 || length < 0 || offset + length > e.size) throw new InputError(`${this.fileName}: bytes ${offset}..${offset + length} lie outside entry ${JSON.stringify(name.slice(0, 80))} (${e.size} bytes)`);
    return this.r.read(e.dataStart + offset, length);
  }
}

let CRC_TABLE: Uint32Array | null = null;

export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** torch.save aligns every entry's data to this many bytes (so it can be memory-mapped). */
export const ZIP_ALIGNMENT = 64;

/** An entry's data: its bytes, or (for one too large to hold) its length, CRC-32 and a source of its bytes in order. */
export type ZipData = Uint8Array | { length: number; crc32: number; chunks: () => Iterable<Uint8Array> };

/**
 * A stored zip of `files`, as chunks to write in order (no copy of the tensor data into one buffer). Sizes and
 * offsets past 4 GiB use zip64 records, as torch.save does.
 */
export function writeZip(files: { name: string; data: ZipData }[]): Uint8Array[] {
  return [...zipChunks(files)];
}

/** writeZip's chunks as they are made, so an archive larger than memory is written as its entries' data streams. */
export function* zipChunks(files: { name: string; data: ZipData }[]): Generator<Uint8Array> {
  const enc = new TextEncoder();
  const central: Uint8Array[] = [];
  let offset = 0;
  let held: Uint8Array[] = [];
  const push = (b: Uint8Array) => {
    held.push(b);
    offset += b.length;
  };
  const flush = () => {
    const out = held;
    held = [];
    return out;
  };
  for (const f of files) {
    const name = enc.encode(f.name);
    const crc = f.data instanceof Uint8Array ? crc32(f.data) : f.data.crc32;
    const big = f.data.length >= ZIP64 || offset >= ZIP64;
    const z64 = big ? 20 : 0;
    // The local header's extra field: zip64 sizes when needed, then 'FB' padding up to the alignment.
    const fixed = 30 + name.length + z64;
    const pad = (ZIP_ALIGNMENT - ((offset + fixed + 4) % ZIP_ALIGNMENT)) % ZIP_ALIGNMENT;
    const local = new Uint8Array(fixed + 4 + pad);
    const lv = view(local);
    lv.setUint32(0, SIG.local, true);
    lv.setUint16(4, big ? 45 : 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, big ? ZIP64 : f.data.length, true);
    lv.setUint32(22, big ? ZIP64 : f.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, z64 + 4 + pad, true);
    local.set(name, 30);
    let e = 30 + name.length;
    if (big) {
      lv.setUint16(e, 1, true);
      lv.setUint16(e + 2, 16, true);
      lv.setBigUint64(e + 4, BigInt(f.data.length), true);
      lv.setBigUint64(e + 12, BigInt(f.data.length), true);
      e += 20;
    }
    lv.setUint16(e, 0x4246, true);
    lv.setUint16(e + 2, pad, true);
    const headerAt = offset;
    push(local);
    if (f.data instanceof Uint8Array) push(f.data);
    else {
      yield* flush();
      let n = 0;
      for (const c of f.data.chunks()) {
        n += c.length;
        yield c;
      }
      if (n !== f.data.length) throw new Error(`zip: entry ${f.name} streamed ${n} bytes, declared ${f.data.length}`);
      offset += n;
    }

    const cz64 = big ? 28 : 0;
    const c = new Uint8Array(46 + name.length + cz64);
    const cv = view(c);
    cv.setUint32(0, SIG.central, true);
    cv.setUint16(4, big ? 45 : 20, true);
    cv.setUint16(6, big ? 45 : 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, big ? ZIP64 : f.data.length, true);
    cv.setUint32(24, big ? ZIP64 : f.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, cz64, true);
    cv.setUint32(42, big ? ZIP64 : headerAt, true);
    c.set(name, 46);
    if (big) {
      const q = 46 + name.length;
      cv.setUint16(q, 1, true);
      cv.setUint16(q + 2, 24, true);
      cv.setBigUint64(q + 4, BigInt(f.data.length), true);
      cv.setBigUint64(q + 12, BigInt(f.data.length), true);
      cv.setBigUint64(q + 20, BigInt(headerAt), true);
    }
    central.push(c);
  }
  const dirStart = offset;
  for (const c of central) push(c);
  const dirSize = offset - dirStart;
  const z64 = dirStart >= ZIP64 || files.length >= 0xffff;
  if (z64) {
    const rec = new Uint8Array(56 + 20);
    const rv = view(rec);
    rv.setUint32(0, SIG.eocd64, true);
    rv.setBigUint64(4, 44n, true);
    rv.setUint16(12, 45, true);
    rv.setUint16(14, 45, true);
    rv.setBigUint64(24, BigInt(files.length), true);
    rv.setBigUint64(32, BigInt(files.length), true);
    rv.setBigUint64(40, BigInt(dirSize), true);
    rv.setBigUint64(48, BigInt(dirStart), true);
    rv.setUint32(56, SIG.locator64, true);
    rv.setBigUint64(64, BigInt(offset), true);
    rv.setUint32(72, 1, true);
    push(rec);
  }
  const end = new Uint8Array(EOCD_SIZE);
  const ev = view(end);
  ev.setUint32(0, SIG.eocd, true);
  ev.setUint16(8, z64 ? 0xffff : files.length, true);
  ev.setUint16(10, z64 ? 0xffff : files.length, true);
  ev.setUint32(12, z64 ? ZIP64 : dirSize, true);
  ev.setUint32(16, z64 ? ZIP64 : dirStart, true);
  push(end);
  yield* flush();
}
