import type { Tape } from '../autograd/tape';
import type { Engine } from '../engine/engine';
import type { Tensor } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';
import { f32 } from '../gpu/params';
import { scaleForward } from './elementwise';
import { colsumForward } from './matmul';

const WG = 256;
/** token_grad_partial: columns (d) and vocabulary rows per workgroup, as in embedding.wgsl. */
const TD = 64;
const VB = 32;

export interface EmbedOptions {
  /** Prefix positions before the tokens (TRM: puzzle_emb_len = 16). 0 for none. */
  prefixLen: number;
  /** Multiplier of the whole result (TRM: √D). */
  scale: number;
}

/** Throws, naming the first offending id and its index, unless every id is in [0, count) or equals `ignore`. */
export function assertIdsInRange(ids: ArrayLike<number>, count: number, what: string, ignore?: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id !== ignore && !(Number.isInteger(id) && id >= 0 && id < count)) {
      throw new Error(`${what} ${id} at index ${i} is out of range [0, ${count})`);
    }
  }
}

interface Dims { B: number; L: number; S: number; D: number; V: number; P: number; E: number; puzzles: number }

function dims(tokens: Tensor, puzzleIds: Tensor | null, tokenTable: Tensor, puzzleTable: Tensor | null, prefixLen: number, posTable: Tensor | null): Dims {
  if (tokens.dtype !== 'i32' || tokens.rank !== 2) throw new Error(`embedInputs: tokens must be i32 [B, L], got ${tokens}`);
  if (tokenTable.dtype !== 'f32' || tokenTable.rank !== 2) throw new Error(`embedInputs: token table must be f32 [V, D], got ${tokenTable}`);
  if (!Number.isInteger(prefixLen) || prefixLen < 0) throw new Error(`embedInputs: prefixLen ${prefixLen} must be a non-negative integer`);
  const [B, L] = tokens.shape;
  const [V, D] = tokenTable.shape;
  let E = 0, puzzles = 0;
  if (puzzleTable) {
    if (puzzleTable.dtype !== 'f32' || puzzleTable.rank !== 2) throw new Error(`embedInputs: puzzle table must be f32 [P, E], got ${puzzleTable}`);
    [puzzles, E] = puzzleTable.shape;
    if (E > prefixLen * D) throw new Error(`embedInputs: puzzle_emb_ndim ${E} exceeds prefixLen·D = ${prefixLen}·${D}`);
    if (!puzzleIds || puzzleIds.dtype !== 'i32' || puzzleIds.rank !== 1 || puzzleIds.dim(0) !== B) {
      throw new Error(`embedInputs: puzzle ids must be i32 [${B}], got ${puzzleIds}`);
    }
  }
  if (posTable && (posTable.dtype !== 'f32' || posTable.rank !== 2 || posTable.dim(0) !== prefixLen + L || posTable.dim(1) !== D)) {
    throw new Error(`embedInputs: position table must be f32 [${prefixLen + L}, ${D}], got ${posTable}`);
  }
  return { B, L, S: prefixLen + L, D, V, P: prefixLen, E, puzzles };
}

/**
 * x [B, prefixLen + L, D] = scale · (concat(puzzleTable[puzzleIds[b]] zero-padded to prefixLen·D and viewed
 * [prefixLen, D], tokenTable[tokens[b]]) + posTable). tokens [B, L] i32, puzzleIds [B] i32, tokenTable [V, D],
 * puzzleTable [P, E] with E ≤ prefixLen·D, or null: then the prefix rows are zeros and puzzleIds is unused;
 * posTable [prefixLen + L, D] (learned positions, added to every sample) or null.
 * The CPU twin throws on an out-of-range id; the kernel clamps (validate ids where they are made).
 * One dispatch on the GPU.
 */
export function embedInputsForward(e: Engine, tokens: Tensor, puzzleIds: Tensor | null, tokenTable: Tensor, puzzleTable: Tensor | null, opts: EmbedOptions, posTable: Tensor | null = null): Tensor {
  const { B, L, S, D, V, P, E, puzzles } = dims(tokens, puzzleIds, tokenTable, puzzleTable, opts.prefixLen, posTable);
  const out = e.empty([B, S, D]);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    // Bindings the flags say are never read (2 and 4 without a puzzle table, 6 without positions) take any buffer.
    g.run({
      shader: 'embedding',
      entry: 'forward',
      params: [out.size, S, L, D, P, E, V, puzzles, f32(opts.scale), posTable ? 1 : 0],
      buffers: [tokens, puzzleTable ? puzzleIds : tokens, tokenTable, puzzleTable ?? tokenTable, out, posTable ?? tokenTable],
      workgroups: g.grid(out.size, WG),
    });
    return out;
  }
  const tok = tokens.cpu, table = tokenTable.f64, x = out.f64;
  assertIdsInRange(tok, V, 'token id');
  x.fill(0); // the prefix padding; empty() promises no contents
  if (puzzleTable) {
    const ids = puzzleIds!.cpu, pt = puzzleTable.f64;
    assertIdsInRange(ids, puzzles, 'puzzle id');
    for (let b = 0; b < B; b++) for (let k = 0; k < E; k++) x[b * S * D + k] = opts.scale * pt[ids[b] * E + k];
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < L; t++) {
      const src = tok[b * L + t] * D, dst = (b * S + P + t) * D;
      for (let d = 0; d < D; d++) x[dst + d] = opts.scale * table[src + d];
    }
  }
  if (posTable) {
    const pos = posTable.f64;
    for (let b = 0; b < B; b++) for (let i = 0; i < S * D; i++) x[b * S * D + i] += opts.scale * pos[i];
  }
  return out;
}

/** Positions per chunk of the two-pass scatter-add: ≈ √N balances pass 1 (chunk length) against pass 2 (chunk count). */
function chunkSize(n: number): number {
  return Math.max(16, 2 ** Math.ceil(Math.log2(Math.sqrt(n))));
}

/**
 * Gradient of the token table [V, D] from gx = d/dx [B, prefixLen + L, D]: scale · Σ over token positions of
 * gx rows, scattered by token id. Deterministic, no atomics: pass 1 sums each chunk of ≈ √(B·L) positions
 * into partial[chunk, V, D] (each thread owns one column d of a [32, 64] workgroup accumulator), pass 2
 * adds the chunks in a fixed order; a single chunk skips pass 2. Cost: B·L·D gradient reads + B·L·⌈D/64⌉·⌈V/32⌉
 * token reads (broadcast within a workgroup), chunks·V·D partial writes and reads. At ARC size (B·L = 64·900,
 * V = 12, D = 512): 1800 workgroups of 64 × 256 positions, 225 chunks, 5.5 MB of partials — about one read of gx.
 */
export function embedTokensBackward(e: Engine, gx: Tensor, tokens: Tensor, vocab: number, opts: EmbedOptions): Tensor {
  const [B, L] = tokens.shape;
  const [, S, D] = gx.shape;
  if (gx.rank !== 3 || gx.dim(0) !== B || S !== opts.prefixLen + L) throw new Error(`embedTokensBackward: gradient ${gx} does not match tokens ${tokens} with prefixLen ${opts.prefixLen}`);
  const N = B * L, P = opts.prefixLen;
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    const chunk = chunkSize(N), chunks = Math.ceil(N / chunk);
    const partial = chunks === 1 ? e.empty([vocab, D]) : e.empty([chunks, vocab, D]);
    g.run({
      shader: 'embedding',
      entry: 'token_grad_partial',
      params: [N, L, S, D, P, vocab, chunk, f32(opts.scale)],
      buffers: [tokens, gx, partial],
      workgroups: [Math.ceil(D / TD), chunks, Math.ceil(vocab / VB)],
    });
    if (chunks === 1) return partial;
    const out = e.empty([vocab, D]);
    g.run({ shader: 'embedding', entry: 'token_grad_reduce', params: [out.size, chunks], buffers: [partial, out], workgroups: g.grid(out.size, WG) });
    e.release(partial);
    return out;
  }
  const tok = tokens.cpu, gv = gx.f64;
  assertIdsInRange(tok, vocab, 'token id');
  const out = e.zeros([vocab, D]);
  const o = out.f64;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < L; t++) {
      const dst = tok[b * L + t] * D, src = (b * S + P + t) * D;
      for (let d = 0; d < D; d++) o[dst + d] += opts.scale * gv[src + d];
    }
  }
  return out;
}

/**
 * Per-sample puzzle-row gradient [B, E] = scale · gx[b, prefix rows] flattened and cut to E. Row b belongs to
 * puzzle id puzzleIds[b]; rows of equal ids are NOT summed here (the sparse optimizer does that).
 */
export function embedPuzzleBackward(e: Engine, gx: Tensor, puzzleDim: number, opts: EmbedOptions): Tensor {
  const [B, S, D] = gx.shape;
  if (gx.rank !== 3 || puzzleDim > opts.prefixLen * D || opts.prefixLen > S) throw new Error(`embedPuzzleBackward: puzzle dim ${puzzleDim} does not fit the prefix of ${gx} (prefixLen ${opts.prefixLen})`);
  const out = e.empty([B, puzzleDim]);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({ shader: 'embedding', entry: 'puzzle_grad', params: [out.size, puzzleDim, S * D, f32(opts.scale)], buffers: [gx, out], workgroups: g.grid(out.size, WG) });
    return out;
  }
  const gv = gx.f64, o = out.f64;
  for (let b = 0; b < B; b++) for (let k = 0; k < puzzleDim; k++) o[b * puzzleDim + k] = opts.scale * gv[b * S * D + k];
  return out;
}

/** Position-table gradient [S, D] = scale · Σ_b gx[b] (two dispatches: a column sum over the batch, a scaling). */
export function embedPosBackward(e: Engine, gx: Tensor, opts: EmbedOptions): Tensor {
  if (gx.rank !== 3) throw new Error(`embedPosBackward: gradient ${gx} is not [B, S, D]`);
  const [B, S, D] = gx.shape;
  const sums = colsumForward(e, e.reshape(gx, [B, S * D]));
  const out = scaleForward(e, e.reshape(sums, [S, D]), opts.scale);
  e.release(sums);
  return out;
}

/**
 * Differentiable TRM input embedding (see embedInputsForward). The tape's gradient for `puzzleTable` is the
 * per-sample [B, E] from embedPuzzleBackward (rows aligned with puzzleIds), not a dense [P, E] table gradient.
 */
export function embedInputs(tape: Tape, tokens: Tensor, puzzleIds: Tensor | null, tokenTable: Tensor, puzzleTable: Tensor | null, opts: EmbedOptions, posTable: Tensor | null = null): Tensor {
  const e = tape.engine;
  const x = embedInputsForward(e, tokens, puzzleIds, tokenTable, puzzleTable, opts, posTable);
  const inputs = [tokenTable, ...(puzzleTable ? [puzzleTable] : []), ...(posTable ? [posTable] : [])];
  tape.record(inputs, [x], ([g]) => [
    g && tokenTable.requiresGrad ? embedTokensBackward(e, g, tokens, tokenTable.dim(0), opts) : null,
    ...(puzzleTable ? [g && puzzleTable.requiresGrad ? embedPuzzleBackward(e, g, puzzleTable.dim(1), opts) : null] : []),
    ...(posTable ? [g && posTable.requiresGrad ? embedPosBackward(e, g, opts) : null] : []),
  ]);
  return x;
}
