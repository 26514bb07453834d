/**
 * The subset of Python's pickle that a torch state_dict uses, read from untrusted bytes: an allow-list
 * interpreter that builds plain values and never calls anything. It knows the data opcodes (None, booleans,
 * ints, floats, strings, tuples, lists, dicts, the memo) and exactly these globals: collections.OrderedDict
 * (REDUCE builds a Map), torch._utils._rebuild_tensor_v2 (REDUCE builds a TensorRef describing a view of a
 * storage) and the float storage classes (named only inside a persistent id). Every other global, a REDUCE or
 * BUILD on anything else, the object-building opcodes (INST, OBJ, NEWOBJ…) and unknown opcodes are refused with
 * an InputError naming them. Also a writer for the same subset, so torch.load(weights_only=True) reads our files.
 */
import { InputError, quote } from './user-error';

export type StorageDType = 'F32' | 'BF16' | 'F16';

/** ('storage', torch.FloatStorage, key, location, numel): the archive's entry data/KEY holds the bytes. */
export interface StorageRef {
  kind: 'storage';
  dtype: StorageDType;
  key: string;
  numel: number;
}

/** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …), not yet read. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  /** In elements. */
  offset: number;
  shape: number[];
  stride: number[];
}

/** An allowed global, as a value: only REDUCE (callables) or a persistent id (storage classes) may use it. */
interface Global {
  kind: 'global';
  name: string;
}

export type PyKey = string | number | boolean | null;
export type PyValue = PyKey | PyValue[] | Map<PyKey, PyValue> | Global | StorageRef | TensorRef;

const STORAGES: Record<string, StorageDType> = {
  'torch.FloatStorage': 'F32',
  'torch.BFloat16Storage': 'BF16',
  'torch.HalfStorage': 'F16',
};
const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const ALLOWED = new Set([ORDERED_DICT, REBUILD_TENSOR, ...Object.keys(STORAGES)]);

/** Opcodes refused by name: what they would do is build or call arbitrary objects, or is never in a state_dict. */
const REFUSED: Record<number, string> = {
  0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x50: 'PERSID', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x49: 'INT', 0x4c: 'LONG', 0x46: 'FLOAT',
  0x67: 'GET', 0x70: 'PUT', 0x8b: 'LONG4', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
  0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8e: 'BINBYTES8', 0x90: 'EMPTY_SET', 0x91: 'FROZENSET', 0x8f: 'ADDITEMS',
};

/** Deepest MARK nesting accepted: a state_dict needs 3 (dict items, a tensor's args, a storage id). */
const MAX_MARKS = 64;
const MAX_STACK = 1 << 20;
const MAX_MEMO = 1 << 20;

const isTuple = (v: PyValue): v is PyValue[] => Array.isArray(v) && Object.isFrozen(v);
const isList = (v: PyValue): v is PyValue[] => Array.isArray(v) && !Object.isFrozen(v);
const isMap = (v: PyValue): v is Map<PyKey, PyValue> => v instanceof Map;
const tuple = (items: PyValue[]): PyValue[] => Object.freeze(items) as PyValue[];

/** A value for a message, in Python's words: None, a tuple of 3, a dict, os.system, "text". */
export function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (isTuple(v)) return `a tuple of ${v.length}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (isMap(v)) return 'a dict';
  if (typeof v === 'object') return v.kind === 'global' ? v.name : `a ${v.kind}`;
  return quote(v);
}

/** Unpickle `bytes` with the allow-list; throws InputError naming `where`, the opcode or callable and its offset. */
export function unpickle(bytes: Uint8Array, where: string): PyValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let opAt = 0;
  const fail = (why: string): never => {
    throw new InputError(`${where}: refused pickle at byte ${opAt}: ${why}`);
  };
  const need = (n: number, what: string) => {
    if (n > bytes.length - pos) fail(`${what} needs ${n} bytes, but the stream has ${bytes.length - pos} left (truncated?)`);
  };
  const u8 = () => (need(1, 'an argument'), bytes[pos++]);
  const u16 = () => (need(2, 'an argument'), (pos += 2), dv.getUint16(pos - 2, true));
  const i32 = () => (need(4, 'an argument'), (pos += 4), dv.getInt32(pos - 4, true));
  const u32 = () => (need(4, 'an argument'), (pos += 4), dv.getUint32(pos - 4, true));
  const u64 = () => {
    need(8, 'an argument');
    pos += 8;
    const v = dv.getBigUint64(pos - 8, true);
    if (v > BigInt(bytes.length)) fail(`a length of ${v}, past the end of the stream`);
    return Number(v);
  };
  const utf8 = (n: number) => {
    need(n, 'a string');
    pos += n;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(pos - n, pos));
    } catch {
      return fail('a string that is not UTF-8');
    }
  };
  let stack: PyValue[] = [];
  const marks: PyValue[][] = [];
  const memo = new Map<number, PyValue>();
  const push = (v: PyValue) => {
    if (stack.length >= MAX_STACK) fail(`more than ${MAX_STACK} values on the stack`);
    stack.push(v);
  };
  const pop = (): PyValue => (stack.length ? stack.pop()! : fail('an opcode pops from an empty stack'));
  const top = (): PyValue => (stack.length ? stack[stack.length - 1] : fail('an opcode reads an empty stack'));
  const popMark = (): PyValue[] => {
    if (!marks.length) fail('an opcode needs a MARK that was never set');
    const items = stack;
    stack = marks.pop()!;
    return items;
  };
  const put = (i: number) => {
    if (memo.size >= MAX_MEMO && !memo.has(i)) fail(`more than ${MAX_MEMO} memo entries`);
    memo.set(i, top());
  };
  const get = (i: number) => (memo.has(i) ? push(memo.get(i)!) : fail(`memo index ${i} was never stored`));
  const key = (k: PyValue): PyKey => (k === null || typeof k !== 'object' ? k : fail(`a dict key that is ${describe(k)}`));
  const setItems = (items: PyValue[]) => {
    const d = top();
    if (!isMap(d)) fail(`SETITEMS on ${describe(d)}, not a dict`);
    if (items.length % 2) fail('SETITEMS with an odd number of values');
    for (let i = 0; i < items.length; i += 2) (d as Map<PyKey, PyValue>).set(key(items[i]), items[i + 1]);
  };
  const appendItems = (items: PyValue[]) => {
    const l = top();
    if (!isList(l)) fail(`APPENDS on ${describe(l)}, not a list`);
    for (const v of items) (l as PyValue[]).push(v);
  };
  const global = (name: string) => {
    if (!ALLOWED.has(name)) fail(`GLOBAL ${quote(name, 80)} is not allowed (a state_dict names only ${[...ALLOWED].join(', ')})`);
    push({ kind: 'global', name });
  };

  for (;;) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME: a length hint only
        need(8, 'FRAME');
        pos += 8;
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length) fail(`STOP with ${stack.length} values on the stack`);
        return stack[0];
      case 0x28: // MARK
        if (marks.length >= MAX_MARKS) fail(`nested deeper than ${MAX_MARKS} MARKs`);
        marks.push(stack);
        stack = [];
        break;
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x29: push(tuple([])); break; // EMPTY_TUPLE
      case 0x74: push(tuple(popMark())); break; // TUPLE
      case 0x85: push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); push(tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(), b = pop(), a = pop(); push(tuple([a, b, c])); break; } // TUPLE3
      case 0x6c: push(popMark()); break; // LIST
      case 0x64: { const items = popMark(); push(new Map()); setItems(items); break; } // DICT
      case 0x61: appendItems([pop()]); break; // APPEND
      case 0x65: appendItems(popMark()); break; // APPENDS
      case 0x73: { const v = pop(), k = pop(); setItems([k, v]); break; } // SETITEM
      case 0x75: setItems(popMark()); break; // SETITEMS
      case 0x4a: push(i32()); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: { // LONG1: little-endian two's complement of n ≤ 8 bytes
        const n = u8();
        if (n > 8) fail(`an integer of ${n} bytes`);
        need(n, 'LONG1');
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos + i]);
        if (n && bytes[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail(`the integer ${v} is beyond 2^53`);
        push(Number(v));
        break;
      }
      case 0x47: need(8, 'BINFLOAT'); pos += 8; push(dv.getFloat64(pos - 8, false)); break; // BINFLOAT (big-endian)
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x58: push(utf8(u32())); break; // BINUNICODE
      case 0x8c: push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x8d: push(utf8(u64())); break; // BINUNICODE8
      case 0x63: { // GLOBAL "module\nname\n"
        const mod = readLine(), name = readLine();
        global(`${mod}.${name}`);
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop(), mod = pop();
        if (typeof mod !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL of values that are not strings');
        global(`${mod as string}.${name as string}`);
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(), fn = pop();
        push(reduce(fn, args, fail));
        break;
      }
      case 0x62: { // BUILD: only the OrderedDict's attributes (a state_dict's _metadata), which are dropped
        const state = pop(), obj = top();
        if (!isMap(obj) || !isMap(state)) fail(`BUILD on ${describe(obj)} with ${describe(state)}`);
        break;
      }
      case 0x51: push(storage(pop(), fail)); break; // BINPERSID
      case 0x71: put(u8()); break; // BINPUT
      case 0x72: put(u32()); break; // LONG_BINPUT
      case 0x94: put(memo.size); break; // MEMOIZE
      case 0x68: get(u8()); break; // BINGET
      case 0x6a: get(u32()); break; // LONG_BINGET
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      default:
        fail(op in REFUSED ? `opcode ${REFUSED[op]} (0x${op.toString(16)}) is not allowed` : `unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }

  function readLine(): string {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 256) fail('a GLOBAL name without its line end');
    const s = utf8(end - pos);
    pos++;
    return s;
  }
}

/** The dotted name of an allowed global on the stack, else null. */
const globalName = (v: PyValue): string | null => (v !== null && typeof v === 'object' && !Array.isArray(v) && !isMap(v) && v.kind === 'global' ? v.name : null);
const isCount = (v: PyValue): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isCounts = (v: PyValue): v is number[] => isTuple(v) && v.every(isCount);

function reduce(fn: PyValue, args: PyValue, fail: (why: string) => never): PyValue {
  const name = globalName(fn);
  if (!isTuple(args)) return fail(`REDUCE with arguments that are ${describe(args)}, not a tuple`);
  if (name === ORDERED_DICT) {
    const d = new Map<PyKey, PyValue>();
    if (args.length === 0) return d;
    if (args.length === 1 && Array.isArray(args[0]) && args[0].every((p) => isTuple(p) && p.length === 2)) {
      for (const [k, v] of args[0] as PyValue[][]) {
        if (k !== null && typeof k === 'object') fail(`an OrderedDict key that is ${describe(k)}`);
        d.set(k as PyKey, v);
      }
      return d;
    }
    return fail('REDUCE of collections.OrderedDict with arguments other than () or a list of pairs');
  }
  if (name === REBUILD_TENSOR) {
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    const [storage, offset, shape, stride, , hooks] = args;
    const ok = (args.length === 6 || args.length === 7) && storage !== null && typeof storage === 'object' && !Array.isArray(storage)
      && !isMap(storage) && storage.kind === 'storage' && isCount(offset) && isCounts(shape) && isCounts(stride)
      && shape.length === stride.length && isMap(hooks) && hooks.size === 0;
    if (!ok) fail(`${REBUILD_TENSOR} with arguments other than (storage, offset, size, stride, requires_grad, {})`);
    return { kind: 'tensor', storage: storage as StorageRef, offset: offset as number, shape: [...(shape as number[])], stride: [...(stride as number[])] };
  }
  return fail(`REDUCE of ${name ?? describe(fn)} is not allowed (only ${ORDERED_DICT} and ${REBUILD_TENSOR} are)`);
}

function storage(pid: PyValue, fail: (why: string) => never): StorageRef {
  if (!isTuple(pid) || pid.length !== 5 || pid[0] !== 'storage') return fail(`a persistent id that is ${describe(pid)}, not ('storage', type, key, location, numel)`);
  const [, type, key, location, numel] = pid;
  const name = globalName(type);
  const dtype = name ? STORAGES[name] : undefined;
  if (!dtype) return fail(`a storage of type ${name ?? describe(type)}; TRM Lab reads ${Object.keys(STORAGES).join(', ')}`);
  if (typeof key !== 'string' || !/^[\w.-]{1,64}$/.test(key)) return fail(`a storage key ${quote(key)}`);
  if (typeof location !== 'string') return fail(`a storage location ${quote(location)}`);
  if (!isCount(numel)) return fail(`a storage size ${quote(numel)}`);
  return { kind: 'storage', dtype, key, numel };
}

/** One tensor of a state_dict to pickle: its storage is the archive entry data/KEY. */
export interface PickledTensor {
  name: string;
  key: string;
  dtype: StorageDType;
  shape: readonly number[];
}

const STORAGE_CLASS: Record<StorageDType, string> = { F32: 'FloatStorage', BF16: 'BFloat16Storage', F16: 'HalfStorage' };

/**
 * Pickle (protocol 2) an OrderedDict of contiguous tensors, each a whole storage on the CPU, the way torch.save
 * writes a state_dict (minus the _metadata attribute, which load_state_dict does not need).
 */
export function pickleStateDict(tensors: readonly PickledTensor[]): Uint8Array {
  const out: number[] = [0x80, 2];
  const enc = new TextEncoder();
  const bytes = (...b: number[]) => out.push(...b);
  const u32 = (v: number) => bytes(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const str = (s: string) => {
    const b = enc.encode(s);
    bytes(0x58);
    u32(b.length);
    for (const x of b) out.push(x);
  };
  const int = (v: number) => {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`pickle: ${v} is not a count`);
    if (v < 256) return bytes(0x4b, v);
    if (v < 65536) return bytes(0x4d, v & 0xff, v >> 8);
    if (v < 2 ** 31) return (bytes(0x4a), u32(v));
    // LONG1: 8 bytes little-endian (positive, below 2^53, so the top byte's sign bit is clear).
    bytes(0x8a, 8);
    let x = BigInt(v);
    for (let i = 0; i < 8; i++, x >>= 8n) out.push(Number(x & 0xffn));
  };
  const ints = (vs: readonly number[]) => {
    bytes(0x28);
    vs.forEach(int);
    bytes(0x74);
  };
  const global = (mod: string, name: string) => {
    bytes(0x63);
    for (const x of enc.encode(`${mod}\n${name}\n`)) out.push(x);
  };
  const emptyOrderedDict = () => (global('collections', 'OrderedDict'), bytes(0x29, 0x52));

  emptyOrderedDict();
  bytes(0x28); // MARK for SETITEMS
  for (const t of tensors) {
    str(t.name);
    global('torch._utils', '_rebuild_tensor_v2');
    bytes(0x28); // the REDUCE arguments
    bytes(0x28); // the persistent id
    str('storage');
    global('torch', STORAGE_CLASS[t.dtype]);
    str(t.key);
    str('cpu');
    int(t.shape.reduce((a, b) => a * b, 1));
    bytes(0x74, 0x51); // TUPLE, BINPERSID
    int(0);
    ints(t.shape);
    const stride = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    ints(stride);
    bytes(0x89); // requires_grad False
    emptyOrderedDict();
    bytes(0x74, 0x52); // TUPLE, REDUCE
  }
  bytes(0x75, 0x2e); // SETITEMS, STOP
  return Uint8Array.from(out);
}
