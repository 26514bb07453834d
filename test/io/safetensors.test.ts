import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors, type SafeTensor } from '../../src/io/safetensors';

describe('safetensors', () => {
  it('round-trips tensors and metadata with an 8-byte aligned header', () => {
    const tensors = new Map<string, SafeTensor>([
      ['inner.lm_head.weight', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) }],
      ['ids', { dtype: 'I32', shape: [3], data: Int32Array.from([-1, 0, 7]) }],
    ]);
    const bytes = writeSafetensors(tensors, { config: '{"a":1}' });
    const hlen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + hlen) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ config: '{"a":1}' });
    expect(Array.from(back.tensors.get('inner.lm_head.weight')!.data)).toEqual([1, 2, 3, 4, 5, 6.5]);
    expect(back.tensors.get('ids')!.shape).toEqual([3]);
    expect(Array.from(back.tensors.get('ids')!.data)).toEqual([-1, 0, 7]);
  });

  it('rejects truncated and malformed files with the file name and the reason', () => {
    const bytes = writeSafetensors(new Map([['w', { dtype: 'F32', shape: [4], data: new Float32Array(4) }]]));
    expect(() => readSafetensors(bytes.subarray(0, bytes.length - 4), 'run.safetensors')).toThrow(/run\.safetensors: not a valid safetensors file: tensor "w" has data_offsets \[0, 16\] past the end of the data \(12 bytes\)/);
    expect(() => readSafetensors(new Uint8Array(3), 'x.safetensors')).toThrow(/x\.safetensors.*8-byte/);
    const garbage = new Uint8Array(16);
    new DataView(garbage.buffer).setBigUint64(0, 4n, true);
    garbage.set([123, 120, 121, 122], 8);
    expect(() => readSafetensors(garbage, 'g')).toThrow(/header is not JSON/);
  });

  it('keeps a tensor named like a prototype property, and empty tensors, as entries like any other', () => {
    const tensors = new Map<string, SafeTensor>([
      ['__proto__', { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) }],
      ['empty', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
      ['toString', { dtype: 'U8', shape: [1], data: Uint8Array.from([9]) }],
    ]);
    const back = readSafetensors(writeSafetensors(tensors, { constructor: 'x' }));
    expect([...back.tensors.keys()].sort()).toEqual(['__proto__', 'empty', 'toString']);
    expect(Array.from(back.tensors.get('__proto__')!.data)).toEqual([1, 2]);
    expect(back.tensors.get('empty')!.shape).toEqual([0, 3]);
    expect(Object.hasOwn(back.metadata, 'constructor') && back.metadata.constructor).toBe('x');
    expect(Object.hasOwn(readSafetensors(writeSafetensors(tensors)).metadata, 'trm_lab')).toBe(false);
  });
});
