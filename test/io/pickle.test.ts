import { describe, expect, it } from 'vitest';
import { pickleStateDict, unpickle, type TensorRef } from '../../src/io/pickle';
import { refusal } from '../helpers/user-message';

/** A pickle from its opcodes: strings as latin-1 bytes, numbers as single bytes. */
const pk = (...parts: (string | number | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : typeof p === 'number' ? [p] : p)));
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const refused = (bytes: Uint8Array) => refusal(() => unpickle(bytes, 'step_1 (data.pkl)'));

describe('unpickling a state_dict', () => {
  it('reads what the writer writes: an OrderedDict of tensor views of float storages', () => {
    const value = unpickle(pickleStateDict([
      { name: 'inner.a', key: '0', dtype: 'F32', shape: [3, 2] },
      { name: 'inner.b', key: '1', dtype: 'BF16', shape: [70000] },
      { name: 'inner.c', key: '2', dtype: 'F16', shape: [] },
    ]), 'x');
    expect(value).toBeInstanceOf(Map);
    const d = value as Map<string, TensorRef>;
    expect([...d.keys()]).toEqual(['inner.a', 'inner.b', 'inner.c']);
    expect(d.get('inner.a')).toEqual({ kind: 'tensor', storage: { kind: 'storage', dtype: 'F32', key: '0', numel: 6 }, offset: 0, shape: [3, 2], stride: [2, 1] });
    expect(d.get('inner.b')!.storage).toEqual({ kind: 'storage', dtype: 'BF16', key: '1', numel: 70000 });
    expect(d.get('inner.c')).toMatchObject({ shape: [], stride: [], storage: { dtype: 'F16', numel: 1 } });
  });

  it('reads the plain data opcodes: ints of every width, floats, strings, booleans, None, lists, tuples, dicts, the memo', () => {
    // {'a': [1, -2, 300, 70000, 2**40, 1.5, True, None, ('x',)], 'b': <memo 0 again>}
    const bytes = pk(0x80, 2, '}', 'q', 0, '(', 'X', u32(1), 'a', ']', 'q', 1, '(', 'K', 1, 'J', u32(-2 >>> 0), 'M', 300 & 0xff, 300 >> 8,
      'J', u32(70000), 0x8a, 6, [0, 0, 0, 0, 0, 1], 'G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], 0x88, 'N', 0x8c, 1, 'x', 0x85, 'e',
      'X', u32(1), 'b', 'h', 1, 'u', '.');
    const d = unpickle(bytes, 'x') as Map<string, unknown>;
    expect(d.get('a')).toEqual([1, -2, 300, 70000, 2 ** 40, 1.5, true, null, ['x']]);
    expect(d.get('b')).toBe(d.get('a'));
  });
});

describe('a hostile pickle is refused, naming what it asked for, and nothing runs', () => {
  it.each([
    ['GLOBAL os.system', pk(0x80, 2, 'c', 'os\nsystem\n', '.'), /GLOBAL "os\.system" is not allowed/],
    ['GLOBAL posix.system with REDUCE, as pickle.dumps writes a __reduce__ payload', pk(0x80, 2, 'c', 'posix\nsystem\n', 'q', 0, 'X', u32(10), 'echo pwned', 0x85, 'R', '.'), /GLOBAL "posix\.system" is not allowed/],
    ['GLOBAL builtins.eval', pk(0x80, 2, 'c', 'builtins\neval\n', '.'), /GLOBAL "builtins\.eval" is not allowed/],
    ['GLOBAL builtins.exec', pk(0x80, 2, 'c', 'builtins\nexec\n', '.'), /GLOBAL "builtins\.exec" is not allowed/],
    ['STACK_GLOBAL builtins.eval', pk(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 4, 'eval', 0x93, '.'), /GLOBAL "builtins\.eval" is not allowed/],
    ['REDUCE of an allowed global that is not a callable', pk(0x80, 2, 'c', 'torch\nFloatStorage\n', ')', 'R', '.'), /REDUCE of torch\.FloatStorage is not allowed/],
    ['REDUCE of a string', pk(0x80, 2, 'X', u32(2), 'id', ')', 'R', '.'), /REDUCE of "id" is not allowed/],
    ['INST', pk('(', 'i', 'os\nsystem\n', '.'), /opcode INST \(0x69\) is not allowed/],
    ['OBJ', pk('(', 'c', 'collections\nOrderedDict\n', 'o', '.'), /opcode OBJ \(0x6f\) is not allowed/],
    ['NEWOBJ', pk(0x80, 2, 'c', 'collections\nOrderedDict\n', ')', 0x81, '.'), /opcode NEWOBJ \(0x81\) is not allowed/],
    ['BUILD on a tuple', pk(0x80, 2, ')', '}', 'b', '.'), /BUILD on a tuple of 0 with a dict/],
    ['an unknown opcode', pk(0x80, 2, 0xff, '.'), /unknown opcode 0xff/],
    ['a truncated stream', pk(0x80, 2, 'X', u32(10), 'abc'), /a string needs 10 bytes, but the stream has 3 left \(truncated\?\)/],
    ['a stream without STOP', pk(0x80, 2, 'N'), /an argument needs 1 bytes, but the stream has 0 left/],
    ['a memo index never stored', pk(0x80, 2, 'h', 7, '.'), /memo index 7 was never stored/],
    ['nesting 100k deep', pk(0x80, 2, '('.repeat(100_000), '.'), /nested deeper than 64 MARKs/],
    ['a declared length of 2^40', pk(0x80, 4, 0x8d, [0, 0, 0, 0, 0, 1, 0, 0], 'abc', '.'), /a length of 1099511627776, past the end of the stream/],
    ['a BINUNICODE of 4 GiB', pk(0x80, 2, 'X', u32(0xffffffff), '.'), /a string needs 4294967295 bytes/],
    ['a persistent id that is not a storage', pk(0x80, 2, 'X', u32(1), 'x', 'Q', '.'), /a persistent id that is "x"/],
    ['a storage class outside the allow-list', pk(0x80, 2, '(', 'X', u32(7), 'storage', 'c', 'torch\nLongStorage\n', '.'), /GLOBAL "torch\.LongStorage" is not allowed/],
    ['a tensor rebuilt with other arguments', pk(0x80, 2, 'c', 'torch._utils\n_rebuild_tensor_v2\n', '(', 'N', 't', 'R', '.'), /_rebuild_tensor_v2 with arguments other than/],
    ['STOP with values left over', pk(0x80, 2, 'N', 'N', '.'), /STOP with 2 values on the stack/],
    ['an integer past 2^53', pk(0x80, 2, 0x8a, 8, [0, 0, 0, 0, 0, 0, 0, 0x40], '.'), /beyond 2\^53/],
  ])('%s', (_, bytes, message) => {
    const m = refused(bytes);
    expect(m).toMatch(/^step_1 \(data\.pkl\): refused pickle at byte \d+: /);
    expect(m).toMatch(message);
  });
});
