import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy, npyHeader, npyStreamHeaderLength, parseNpy, type NpyArray } from '../../src/io/npy';
import { refusal } from '../helpers/user-message';
import { runPython } from '../helpers/python';

const dir = mkdtempSync(join(tmpdir(), 'npy-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = (script: string): string => runPython(['-c', script]).trim();

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A .npy file with `dict` as its header text (padded as numpy pads it) and `data` after it. */
function withHeader(dict: string, data = new Uint8Array(0), version = [1, 0]): Uint8Array {
  const body = dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 11, ' ') + '\n';
  const out = new Uint8Array(10 + body.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0], version[1], body.length & 0xff, body.length >> 8]);
  out.set(ascii(body), 10);
  out.set(data, 10 + body.length);
  return out;
}

const arrays: NpyArray[] = [
  { dtype: 'int32', shape: [2, 3], data: Int32Array.from([0, -1, 2147483647, -2147483648, 5, 6]) },
  { dtype: 'int64', shape: [3], data: BigInt64Array.from([0n, -9007199254740993n, 9223372036854775807n]) },
  { dtype: 'uint8', shape: [2, 2, 2], data: Uint8Array.from([0, 1, 2, 3, 252, 253, 254, 255]) },
  { dtype: 'float32', shape: [4], data: Float32Array.from([0, -1.5, 3.4028234663852886e38, 1e-45]) },
  { dtype: 'int32', shape: [], data: Int32Array.from([42]) },
  { dtype: 'uint8', shape: [0, 900], data: new Uint8Array(0) },
];

describe('npy', () => {
  it('round-trips every dtype and shape through our reader and numpy, both ways', () => {
    arrays.forEach((a, i) => {
      const bytes = encodeNpy(a);
      expect((10 + (bytes[8] | (bytes[9] << 8))) % 64, 'data aligned to 64 bytes').toBe(0);
      const back = parseNpy(bytes, `a${i}.npy`);
      expect(back.dtype).toBe(a.dtype);
      expect(back.shape).toEqual(a.shape);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(a.data as ArrayLike<unknown>));
      writeFileSync(join(dir, `a${i}.npy`), bytes);
    });
    // numpy reads what we write, and writes (in C order) what we then read back equal.
    const out = JSON.parse(python(`
import json, numpy as np
res = []
for i in range(${arrays.length}):
    a = np.load('${dir}/a%d.npy' % i)
    np.save('${dir}/b%d.npy' % i, a)
    res.append([a.dtype.str, list(a.shape), [str(x) for x in a.reshape(-1).tolist()]])
print(json.dumps(res))`)) as [string, number[], string[]][];
    arrays.forEach((a, i) => {
      expect(out[i][0]).toBe({ int32: '<i4', int64: '<i8', uint8: '|u1', float32: '<f4' }[a.dtype]);
      expect(out[i][1]).toEqual(a.shape);
      const values = Array.from(a.data as ArrayLike<number | bigint>);
      expect(out[i][2].map((v) => (a.dtype === 'float32' ? Number(v) : BigInt(v)))).toEqual(values.map((v) => (a.dtype === 'float32' ? Number(v) : BigInt(v))));
      const again = parseNpy(new Uint8Array(readFileSync(join(dir, `b${i}.npy`))), `b${i}.npy`);
      expect(again.shape).toEqual(a.shape);
      expect(Array.from(again.data as ArrayLike<unknown>)).toEqual(Array.from(a.data as ArrayLike<unknown>));
    });
  });

  it('reads what numpy writes, including the Python spellings numpy uses', () => {
    python(`
import numpy as np
np.save('${dir}/n1.npy', np.arange(12, dtype='<i8').reshape(3, 4))
np.save('${dir}/n2.npy', np.array([7], dtype=np.uint8))
np.save('${dir}/n3.npy', np.float32(2.5))`);
    const n1 = parseNpy(new Uint8Array(readFileSync(join(dir, 'n1.npy'))), 'n1.npy');
    expect(n1).toMatchObject({ dtype: 'int64', shape: [3, 4] });
    expect(Array.from(n1.data as BigInt64Array)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i)));
    expect(parseNpy(new Uint8Array(readFileSync(join(dir, 'n2.npy'))), 'n2.npy')).toMatchObject({ dtype: 'uint8', shape: [1], data: Uint8Array.from([7]) });
    expect(parseNpy(new Uint8Array(readFileSync(join(dir, 'n3.npy'))), 'n3.npy')).toMatchObject({ dtype: 'float32', shape: [], data: Float32Array.from([2.5]) });
  });

  it('a streamed header has room for any row count and keeps its length', () => {
    const len = npyStreamHeaderLength('uint8', [900]);
    for (const rows of [0, 1, 123456789, Number.MAX_SAFE_INTEGER]) expect(npyHeader('uint8', [rows, 900], len).length).toBe(len);
    const h = npyHeader('uint8', [2, 3], len);
    const file = new Uint8Array(len + 6);
    file.set(h);
    file.set([1, 2, 3, 4, 5, 6], len);
    expect(parseNpy(file, 'stream.npy')).toMatchObject({ shape: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
  });

  describe('refuses hostile and broken files with one line naming the file', () => {
    const ok = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
    const eight = new Uint8Array(8);
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty', new Uint8Array(0), /magic/],
      ['bad magic', (() => { const b = withHeader(ok, eight); b[0] = 0x92; return b; })(), /magic/],
      ['a zip file', Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]), /magic/],
      ['version 2.0', withHeader(ok, eight, [2, 0]), /version 2\.0/],
      ['version 1.1', withHeader(ok, eight, [1, 1]), /version 1\.1/],
      ['header past the end', (() => { const b = withHeader(ok); b[8] = 0xff; b[9] = 0x0f; return b; })(), /runs past the end/],
      ['huge header length', (() => { const b = withHeader(ok); b[8] = 0xff; b[9] = 0xff; return b; })(), /header of 65535 bytes/],
      ['big-endian int32', withHeader("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", eight), /dtype ">i4"/],
      ['float64', withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", eight), /dtype "<f8"/],
      ['object dtype', withHeader("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", eight), /dtype "\|O"/],
      ['structured dtype', withHeader("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", eight), /quoted string/],
      ['fortran order', withHeader("{'descr': '<i4', 'fortran_order': True, 'shape': (2,), }", eight), /Fortran-ordered/],
      ['too few bytes', withHeader(ok, new Uint8Array(4)), /needs 8 data bytes, the file holds 4/],
      ['trailing bytes', withHeader(ok, new Uint8Array(12)), /needs 8 data bytes, the file holds 12/],
      ['huge shape', withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", eight), /needs 316912650057057350374175801344 data bytes/],
      ['shape beyond 2^53', withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,), }", eight), /too large/],
      ['negative shape', withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (-2,), }", eight), /not a non-negative integer/],
      ['shape (2) without its comma', withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2), }", eight), /\(n,\)/],
      ['shape as a list', withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': [2], }", eight), /quoted string/],
      ['33 dimensions', withHeader(`{'descr': '|u1', 'fortran_order': False, 'shape': (${Array(33).fill(1).join(', ')}), }`, new Uint8Array(1)), /more than 32 dimensions/],
      ['missing key', withHeader("{'descr': '<i4', 'shape': (2,), }", eight), /no fortran_order/],
      ['unknown key', withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), 'x': True, }", eight), /unknown key "x"/],
      ['duplicate key', withHeader("{'descr': '<i4', 'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", eight), /given twice/],
      ['code in the header', withHeader("{'descr': __import__('os').system('x'), 'fortran_order': False, 'shape': (2,), }", eight), /quoted string/],
      ['text after the dict', withHeader(`${ok} junk`, eight), /must end with the dict/],
      ['non-ASCII header', withHeader(ok.replace('descr', 'd\u00e9scr'), eight), /not printable ASCII/],
      ['no newline at the end', (() => { const b = withHeader(ok, eight); b[10 + (b[8] | (b[9] << 8)) - 1] = 0x20; return b; })(), /must end with the dict/],
    ];
    for (const [what, bytes, pattern] of cases) {
      it(what, () => {
        const m = refusal(() => parseNpy(bytes, 'data/all__inputs.npy'));
        expect(m).toMatch(/^data\/all__inputs\.npy: not a valid \.npy array: /);
        expect(m).toMatch(pattern);
      });
    }
  });
});
