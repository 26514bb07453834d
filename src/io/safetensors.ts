/**
 * safetensors (the Hugging Face format): u64 little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. String metadata goes in "__metadata__".
 */
export type SafeDType = 'F32' | 'I32' | 'F64' | 'U8';

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: Float32Array | Int32Array | Float64Array | Uint8Array;
}

const BYTES: Record<SafeDType, number> = { F32: 4, I32: 4, F64: 8, U8: 1 };
const MAX_HEADER = 100 * 1024 * 1024;

export function writeSafetensors(tensors: Map<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
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

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

export function readSafetensors(bytes: Uint8Array, fileName = 'checkpoint'): SafetensorsFile {
  const fail = (why: string): never => {
    throw new Error(`${fileName}: not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail('shorter than its 8-byte header length');
  const hlen = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (hlen > MAX_HEADER || 8 + hlen > bytes.length) fail(`header length ${hlen} exceeds the file (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen))) as Record<string, unknown>;
  } catch (e) {
    return fail(`header is not JSON (${(e as Error).message})`);
  }
  const base = 8 + hlen;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    if (!e.dtype || !(e.dtype in BYTES)) fail(`tensor ${name} has unsupported dtype ${String(e.dtype)} (supported: ${Object.keys(BYTES).join(', ')})`);
    const dtype = e.dtype as SafeDType;
    if (!Array.isArray(e.shape) || !Array.isArray(e.data_offsets)) fail(`tensor ${name} lacks shape or data_offsets`);
    const [s, t] = e.data_offsets!;
    const n = e.shape!.reduce((a, b) => a * b, 1);
    if (t - s !== n * BYTES[dtype] || base + t > bytes.length) fail(`tensor ${name}: byte range [${s}, ${t}) does not match shape [${e.shape!.join(',')}] or the file size`);
    const raw = bytes.slice(base + s, base + t);
    const data = dtype === 'F32' ? new Float32Array(raw.buffer) : dtype === 'I32' ? new Int32Array(raw.buffer) : dtype === 'F64' ? new Float64Array(raw.buffer) : raw;
    tensors.set(name, { dtype, shape: e.shape!, data });
  }
  return { tensors, metadata };
}
