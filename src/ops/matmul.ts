import type { Tape } from '../autograd/tape';
import type { Engine } from '../engine/engine';
import { Tensor, shapeSize, sameShape, type Shape } from '../engine/tensor';
import type { GpuEngine } from '../gpu/engine';
import { f32 } from '../gpu/params';
import { swigluForward, swigluGrad, swigluValue } from './swiglu';

/**
 * A batch of matrices inside a tensor, without copying: element (b, r, c) is
 * tensor[offset + b·batchStride + r·rowStride + c]. `batch` 1 or `batchStride` 0 broadcasts one matrix over
 * the other operand's batch. Rows and columns are the stored layout, before any transpose flag.
 */
export interface MatrixView {
  readonly tensor: Tensor;
  readonly rows: number;
  readonly cols: number;
  readonly batch: number;
  readonly offset: number;
  readonly rowStride: number;
  readonly batchStride: number;
  /**
   * A SwiGLU operand read from u = [gate | up]: element (b, r, c) is silu(x)·x' with x at the position above and
   * x' `gate` elements after it, computed as the operand loads. Operands only; only matmul makes these.
   */
  readonly gate?: number;
}

export interface ViewGeometry {
  rows: number;
  cols: number;
  /** Default 1. */
  batch?: number;
  /** Elements before (0, 0) of the first matrix. Default 0. */
  offset?: number;
  /** Leading dimension. Default `cols`. */
  rowStride?: number;
  /** Default rows · rowStride. */
  batchStride?: number;
}

/** A matmul operand: a tensor [..., rows, cols] (a batch over the leading dims) or an explicit view. */
export type MatrixArg = Tensor | MatrixView;

/**
 * Workgroup tiles (rows × cols of C per workgroup). Each thread computes a 4×4 block. 'direct' is 32×32
 * without workgroup memory: the default on software adapters, where barriers are very costly.
 */
export type MatmulTile = '64x64' | '32x32' | '64x16' | '16x64' | '256x4' | '4x256' | 'direct';

/** Forces kernel choices that are otherwise picked from the shape (tests and benchmarks). */
export interface MatmulTuning {
  tile?: MatmulTile;
  /** Split-K slices per output matrix (1 = no split); clamped to the number of k-tile steps. */
  splits?: number;
  /** false forces scalar loads even where offsets and strides allow 16-byte loads. */
  vec4?: boolean;
}

export interface MatmulOptions {
  /** op(A) = Aᵀ: A is stored K×M. */
  transA?: boolean;
  /** op(B) = Bᵀ: B is stored N×K (e.g. a PyTorch Linear weight [out, in]). */
  transB?: boolean;
  /** Scales the product; the bias and the accumulated C are not scaled. Default 1. */
  alpha?: number;
  /** [N], added to every row of the result. */
  bias?: Tensor;
  /** Sum the products of the whole batch into one M×N result (in a fixed order: deterministic). */
  reduceBatch?: boolean;
  /** Write into this existing matrix (or batch of matrices) instead of a fresh tensor. */
  out?: MatrixArg;
  /** With `out`: C += result instead of C = result. */
  accumulate?: boolean;
  /**
   * With `out`: the result is the gradient of swiglu(u)'s output and what lands in `out`'s tensor (shaped like
   * u, [..., 2·N]) is that of u = [gate | up]: `out` addresses the gate columns, the up columns follow N later.
   * No bias or accumulate.
   */
  swigluGradOf?: Tensor;
  /** Shape of a fresh result (default [...batch dims, M, N], [M, N] with reduceBatch); any shape of that size. */
  shape?: Shape;
  tuning?: MatmulTuning;
}

/** The options of the differentiable matmul (results are always fresh tensors). */
export interface MatmulGradOptions extends Omit<MatmulOptions, 'out' | 'accumulate' | 'swigluGradOf'> {
  /**
   * That operand is given as u = [gate | up], a whole [..., 2·inter] tensor (or a view covering it with
   * 2·inter columns), and the product uses swiglu(u): its gradient goes to u in the kernel that computes it.
   */
  gate?: 'a' | 'b';
}

const TILES: Record<Exclude<MatmulTile, 'direct'>, { wgX: number; wgY: number; tileK: number }> = {
  '64x64': { wgX: 16, wgY: 16, tileK: 16 },
  '32x32': { wgX: 8, wgY: 8, tileK: 32 },
  '64x16': { wgX: 4, wgY: 16, tileK: 32 },
  '16x64': { wgX: 16, wgY: 4, tileK: 32 },
  '256x4': { wgX: 1, wgY: 64, tileK: 8 },
  '4x256': { wgX: 64, wgY: 1, tileK: 8 },
};

// Shape heuristics (tuning points for the benchmark): the big tile once it alone fills a large GPU; split-K
// when the grid is too small to occupy one and each slice keeps at least MIN_SPLIT_STEPS k-tiles.
const BIG_TILE_WORKGROUPS = 256;
const SPLIT_BELOW_THREADS = 16_384;
const FILL_THREADS = 32_768;
const MIN_SPLIT_STEPS = 4;
const MAX_SPLITS = 64;
const MAX_SCRATCH_FLOATS = 1 << 22;

const FLAG_ACCUMULATE = 1;
const FLAG_BIAS = 2;
const FLAG_PARTIAL = 4;
const FLAG_TRANS_A = 8;
const FLAG_TRANS_B = 16;
const FLAG_VEC_A = 32;
const FLAG_VEC_B = 64;
const FLAG_SWIGLU_GRAD = 128;
const FLAG_GATE_A = 256;
const FLAG_GATE_B = 512;

/** `t` as matrices: [..., r, c] is a batch of r×c matrices over the leading dims; or the given geometry. */
export function matrixView(t: Tensor, g?: ViewGeometry): MatrixView {
  if (!g) {
    if (t.rank < 2) throw new Error(`matrixView: ${t} has rank ${t.rank}; give its geometry, e.g. { rows: 1, cols: ${t.size} }`);
    const rows = t.dim(-2), cols = t.dim(-1);
    return { tensor: t, rows, cols, batch: shapeSize(t.shape.slice(0, -2)), offset: 0, rowStride: cols, batchStride: rows * cols };
  }
  const rowStride = g.rowStride ?? g.cols;
  const v = { tensor: t, rows: g.rows, cols: g.cols, batch: g.batch ?? 1, offset: g.offset ?? 0, rowStride, batchStride: g.batchStride ?? g.rows * rowStride };
  checkView(v, 'matrixView');
  return v;
}

/** `t` [..., c] as one matrix whose rows run over all leading dims (how a Linear layer sees its input). */
export function rowsView(t: Tensor): MatrixView {
  if (t.rank < 1) throw new Error(`rowsView: ${t} is a scalar`);
  const cols = t.dim(-1);
  const rows = shapeSize(t.shape.slice(0, -1));
  return { tensor: t, rows, cols, batch: 1, offset: 0, rowStride: cols, batchStride: rows * cols };
}

function describe(v: MatrixView): string {
  return `${v.tensor} viewed as ${v.batch}×${v.rows}×${v.cols} (offset ${v.offset}, rowStride ${v.rowStride}, batchStride ${v.batchStride})`;
}

function checkView(v: MatrixView, what: string): void {
  for (const k of ['rows', 'cols', 'batch', 'offset', 'rowStride', 'batchStride'] as const) {
    if (!Number.isInteger(v[k]) || v[k] < 0) throw new Error(`${what}: ${k} must be a non-negative integer, got ${v[k]}`);
  }
  if (v.tensor.dtype !== 'f32') throw new Error(`${what}: ${v.tensor} is ${v.tensor.dtype}, matmul needs f32`);
  if (v.rows * v.cols * v.batch === 0) return;
  const end = v.offset + (v.batch - 1) * v.batchStride + (v.rows - 1) * v.rowStride + v.cols + (v.gate ?? 0);
  if (end > v.tensor.size) throw new Error(`${what}: ${describe(v)} reaches element ${end} but the tensor has ${v.tensor.size}`);
}

/** Whether no two elements of the view share storage (required of anything written). */
function injective(v: MatrixView): boolean {
  const dims = [
    [v.cols, 1],
    [v.rows, v.rowStride],
    [v.batch, v.batchStride],
  ].filter(([n]) => n > 1).sort((x, y) => x[1] - y[1]);
  let span = 0;
  for (const [n, stride] of dims) {
    if (stride <= span) return false;
    span += (n - 1) * stride;
  }
  return true;
}

function covers(v: MatrixView): boolean {
  return v.offset === 0 && v.batch * v.rows * v.cols === v.tensor.size && (v.rows <= 1 || v.rowStride === v.cols) && (v.batch <= 1 || v.batchStride === v.rows * v.cols);
}

const rootOf = (t: Tensor): Tensor => t.base ?? t;

/** Everything a launch (GPU) or the CPU twin needs, validated. Strides are effective: 0 where broadcast. */
interface Plan {
  M: number;
  N: number;
  K: number;
  /** Products per output (reduceBatch) or output matrices. */
  batch: number;
  reduce: boolean;
  outBatches: number;
  transA: boolean;
  transB: boolean;
  a: MatrixView;
  b: MatrixView;
  c: MatrixView;
  alpha: number;
  accumulate: boolean;
  bias: Tensor | null;
  swiglu: Tensor | null;
  tuning: MatmulTuning;
}

const strideOf = (v: MatrixView, batch: number) => (batch > 1 && v.batch > 1 ? v.batchStride : 0);

function plan(e: Engine, aArg: MatrixArg, bArg: MatrixArg, opts: MatmulOptions): Plan {
  const a = aArg instanceof Tensor ? matrixView(aArg) : aArg;
  const b = bArg instanceof Tensor ? matrixView(bArg) : bArg;
  checkView(a, 'matmul A');
  checkView(b, 'matmul B');
  const transA = !!opts.transA, transB = !!opts.transB;
  const M = transA ? a.cols : a.rows, K = transA ? a.rows : a.cols;
  const Kb = transB ? b.cols : b.rows, N = transB ? b.rows : b.cols;
  if (K !== Kb) {
    throw new Error(`matmul: op(A) is ${M}×${K} (A: ${describe(a)}${transA ? ', transposed' : ''}) but op(B) is ${Kb}×${N} (B: ${describe(b)}${transB ? ', transposed' : ''}): inner dimensions ${K} and ${Kb} differ`);
  }
  const batch = Math.max(a.batch, b.batch);
  if ((a.batch !== 1 && a.batch !== batch) || (b.batch !== 1 && b.batch !== batch)) {
    throw new Error(`matmul: batch sizes differ, A has ${a.batch} and B ${b.batch} matrices; one must be 1 to broadcast`);
  }
  const reduce = !!opts.reduceBatch;
  const outBatches = reduce ? 1 : batch;
  const bias = opts.bias ?? null;
  if (bias && (bias.rank !== 1 || bias.size !== N || bias.dtype !== 'f32')) throw new Error(`matmul: bias must be f32 [${N}] (N of the ${M}×${N} result), got ${bias}`);
  let c: MatrixView;
  if (opts.out) {
    if (opts.shape) throw new Error('matmul: give either out or shape, not both');
    c = opts.out instanceof Tensor ? matrixView(opts.out) : opts.out;
    checkView(c, 'matmul out');
    if (c.gate) throw new Error('matmul: out cannot be a gated view');
    if (c.rows !== M || c.cols !== N || c.batch !== outBatches) {
      throw new Error(`matmul: out is ${describe(c)} but the result is ${outBatches}×${M}×${N}${reduce ? ' (reduced over the batch)' : ''}`);
    }
    if (!injective(c)) throw new Error(`matmul: out ${describe(c)} overlaps itself`);
    for (const [name, t] of [['A', a.tensor], ['B', b.tensor], ['bias', bias]] as const) {
      if (t && rootOf(t) === rootOf(c.tensor)) throw new Error(`matmul: out shares storage with ${name} (${t}); write to a separate tensor`);
    }
  } else {
    if (opts.accumulate) throw new Error('matmul: accumulate needs an out to accumulate into');
    const lead = (arg: MatrixArg) => (arg instanceof Tensor && arg.rank > 2 && shapeSize(arg.shape.slice(0, -2)) > 1 ? arg.shape.slice(0, -2) : null);
    const la = lead(aArg), lb = lead(bArg);
    if (la && lb && !sameShape(la, lb)) throw new Error(`matmul: batch dims [${la.join(',')}] of A and [${lb.join(',')}] of B differ`);
    const shape = opts.shape ?? (reduce ? [M, N] : [...(la ?? lb ?? (batch > 1 ? [batch] : [])), M, N]);
    if (shapeSize(shape) !== outBatches * M * N) throw new Error(`matmul: shape [${shape.join(',')}] does not hold the ${outBatches}×${M}×${N} result`);
    c = { tensor: e.empty(shape), rows: M, cols: N, batch: outBatches, offset: 0, rowStride: N, batchStride: M * N };
  }
  const swiglu = opts.swigluGradOf ?? null;
  if (swiglu) {
    if (!opts.out || opts.accumulate || bias) throw new Error('matmul: swigluGradOf needs an out, and takes no accumulate or bias');
    if (swiglu.dtype !== 'f32' || !sameShape(swiglu.shape, c.tensor.shape) || swiglu.dim(-1) !== 2 * N || c.offset !== 0 || c.rowStride !== 2 * N || (c.batch > 1 && c.batchStride !== c.rows * 2 * N)) {
      throw new Error(`matmul: swigluGradOf ${swiglu} must be f32 [..., ${2 * N}] shaped like out's tensor, with out on its gate columns (rows at stride ${2 * N}), got out ${describe(c)}`);
    }
    if (rootOf(swiglu) === rootOf(c.tensor)) throw new Error(`matmul: out shares storage with swigluGradOf (${swiglu})`);
  }
  if (e.kind === 'gpu') {
    for (const v of [a, b, c]) if (v.tensor.engine !== e) throw new Error(`matmul: ${v.tensor} belongs to another engine`);
  }
  return { M, N, K, batch, reduce, outBatches, transA, transB, a, b, c, alpha: opts.alpha ?? 1, accumulate: !!opts.accumulate, bias, swiglu, tuning: opts.tuning ?? {} };
}

function chooseTile(M: number, N: number, outBatches: number): MatmulTile {
  if (N <= 4 && M > N) return '256x4';
  if (M <= 4 && N > M) return '4x256';
  if (N <= 16 && M > 16) return '64x16';
  if (M <= 16 && N > 16) return '16x64';
  return Math.ceil(M / 64) * Math.ceil(N / 64) * outBatches >= BIG_TILE_WORKGROUPS ? '64x64' : '32x32';
}

function chooseSplits(p: Plan, workgroups: number, threads: number, steps: number): number {
  if (p.tuning.splits !== undefined) return Math.max(1, Math.min(Math.floor(p.tuning.splits), steps));
  if (workgroups * threads >= SPLIT_BELOW_THREADS || steps < 2 * MIN_SPLIT_STEPS) return 1;
  const s = Math.min(Math.ceil(FILL_THREADS / (workgroups * threads)), Math.floor(steps / MIN_SPLIT_STEPS), MAX_SPLITS);
  return Math.max(1, Math.min(s, Math.floor(MAX_SCRATCH_FLOATS / (p.outBatches * p.M * p.N))));
}

// 16-byte loads need every chunk start 4-aligned: offset, leading dimension (when used), batch stride and gate.
function vec4Ok(v: MatrixView, stride: number): boolean {
  return v.offset % 4 === 0 && (v.rows <= 1 || v.rowStride % 4 === 0) && stride % 4 === 0 && (v.gate ?? 0) % 4 === 0;
}

/** What the shader's `finish` does with each output. */
function finishFlags(p: Plan): number {
  return (p.accumulate ? FLAG_ACCUMULATE : 0) | (p.bias ? FLAG_BIAS : 0) | (p.swiglu ? FLAG_SWIGLU_GRAD : 0);
}

/** The tensor `finish` reads at binding 4. */
const finishInput = (p: Plan): Tensor | null => p.bias ?? p.swiglu;

function runGpu(e: GpuEngine, p: Plan): void {
  const { M, N, K, a, b, c } = p;
  const tile = p.tuning.tile ?? (e.softwareKernels ? 'direct' : chooseTile(M, N, p.outBatches));
  if (tile === 'direct') return runDirect(e, p);
  const gates = (a.gate ? FLAG_GATE_A : 0) | (b.gate ? FLAG_GATE_B : 0);
  const { wgX, wgY, tileK } = TILES[tile];
  const tilesN = Math.ceil(N / (4 * wgX)), tilesM = Math.ceil(M / (4 * wgY));
  const kTiles = Math.ceil(K / tileK);
  const nb = p.reduce ? p.batch : 1;
  const steps = nb * kTiles;
  const maxZ = e.maxWorkgroupsPerDim;
  if (Math.max(tilesN, tilesM, p.outBatches) > maxZ) throw new Error(`matmul: ${p.outBatches}×${M}×${N} needs ${p.outBatches}×${tilesM}×${tilesN} tiles of ${tile}, over the ${maxZ} workgroups per grid dimension`);
  let splits = Math.min(chooseSplits(p, tilesN * tilesM * p.outBatches, wgX * wgY, steps), Math.floor(maxZ / Math.max(1, p.outBatches)));
  const perSplit = steps === 0 ? 0 : Math.ceil(steps / splits);
  splits = steps === 0 ? 1 : Math.ceil(steps / perSplit);
  const sA = strideOf(a, p.batch), sB = strideOf(b, p.batch);
  const vec4 = p.tuning.vec4 !== false;
  const constants = { WG_X: wgX, WG_Y: wgY, TILE_K: tileK };
  const layout = gates | (p.transA ? FLAG_TRANS_A : 0) | (p.transB ? FLAG_TRANS_B : 0) | (vec4 && vec4Ok(a, sA) ? FLAG_VEC_A : 0) | (vec4 && vec4Ok(b, sB) ? FLAG_VEC_B : 0);
  const finalFlags = finishFlags(p);
  const params = (flags: number) => [
    M, N, K, kTiles, nb, p.outBatches, splits, perSplit, flags,
    a.offset, a.rows > 1 ? a.rowStride : 0, sA,
    b.offset, b.rows > 1 ? b.rowStride : 0, sB,
    c.offset, c.rowStride, p.outBatches > 1 ? c.batchStride : 0, f32(p.alpha),
    a.gate ?? 0, b.gate ?? 0,
  ];
  const workgroups = [tilesN, tilesM, p.outBatches * splits] as const;
  if (splits === 1) {
    e.run({ shader: 'matmul', entry: 'matmul', constants, params: params(layout | finalFlags), buffers: [a.tensor, b.tensor, c.tensor, finishInput(p) ?? a.tensor, a.tensor, b.tensor], workgroups });
    return;
  }
  const partials = e.empty([p.outBatches * splits * M * N]);
  e.run({ shader: 'matmul', entry: 'matmul', constants, params: params(layout | FLAG_PARTIAL), buffers: [a.tensor, b.tensor, partials, a.tensor, a.tensor, b.tensor], workgroups });
  e.run({ shader: 'matmul', entry: 'splitk_sum', params: params(finalFlags), buffers: [partials, null, c.tensor, finishInput(p) ?? partials], workgroups: e.grid(p.outBatches * M * N, 256) });
  e.release(partials);
}

/**
 * A gated operand (always a whole u, as gatedOperand makes it) as a plain view of swiglu(u) materialized, for
 * the kernel that cannot gate as it loads.
 */
function ungated(e: Engine, v: MatrixView): MatrixView {
  if (!v.gate) return v;
  return { tensor: swigluForward(e, v.tensor), rows: v.rows, cols: v.cols, batch: v.batch, offset: 0, rowStride: v.cols, batchStride: v.rows * v.cols };
}

function runDirect(e: GpuEngine, gated: Plan): void {
  const p = { ...gated, a: ungated(e, gated.a), b: ungated(e, gated.b) };
  const { M, N, K, a, b, c } = p;
  const sA = strideOf(a, p.batch), sB = strideOf(b, p.batch);
  const flags = finishFlags(p);
  const params = [
    M, N, K, 0, p.reduce ? p.batch : 1, p.outBatches, 1, 0, flags,
    a.offset, a.rows > 1 ? a.rowStride : 0, sA,
    b.offset, b.rows > 1 ? b.rowStride : 0, sB,
    c.offset, c.rowStride, p.outBatches > 1 ? c.batchStride : 0, f32(p.alpha), 0, 0,
  ];
  const tilesN = Math.ceil(N / 32), tilesM = Math.ceil(M / 32);
  if (Math.max(tilesN, tilesM, p.outBatches) > e.maxWorkgroupsPerDim) throw new Error(`matmul: ${p.outBatches}×${M}×${N} exceeds the workgroup grid`);
  const constants = { TRANS_A: p.transA ? 1 : 0, TRANS_B: p.transB ? 1 : 0 };
  e.run({ shader: 'matmul', entry: 'matmul_direct', constants, params, buffers: [a.tensor, b.tensor, c.tensor, finishInput(p) ?? a.tensor], workgroups: [tilesN, tilesM, p.outBatches] });
  for (const [v, was] of [[a, gated.a], [b, gated.b]]) if (v !== was) e.release(v.tensor);
}

/** Element i of an operand's storage, or silu(x)·x' for a gated one. */
const load = (X: Float64Array, i: number, gate: number | undefined) => (gate ? swigluValue(X[i], X[i + gate]) : X[i]);

function runCpu(p: Plan): void {
  const { M, N, K, a, b, c, transA, transB, alpha } = p;
  const A = a.tensor.f64, B = b.tensor.f64, C = c.tensor.f64, bias = p.bias?.f64, U = p.swiglu?.f64;
  const sA = strideOf(a, p.batch), sB = strideOf(b, p.batch);
  const [amk, akk] = transA ? [1, a.rowStride] : [a.rowStride, 1];
  const [bkk, bnk] = transB ? [1, b.rowStride] : [b.rowStride, 1];
  // Rows of op(A) and columns of op(B) are packed contiguously so the inner product runs over unit strides
  // (the twin doubles as the CPU training backend, where this is most of the time).
  const Ap = new Float64Array(M * K), Bp = new Float64Array(N * K), S = new Float64Array(M * N);
  for (let bo = 0; bo < p.outBatches; bo++) {
    const [b0, b1] = p.reduce ? [0, p.batch] : [bo, bo + 1];
    S.fill(0);
    for (let bi = b0; bi < b1; bi++) {
      const a0 = a.offset + bi * sA, bb0 = b.offset + bi * sB;
      for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) Ap[m * K + k] = load(A, a0 + m * amk + k * akk, a.gate);
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) Bp[n * K + k] = load(B, bb0 + n * bnk + k * bkk, b.gate);
      for (let m = 0; m < M; m++) {
        const ar = m * K;
        for (let n = 0; n < N; n++) {
          const br = n * K;
          let d = 0;
          for (let k = 0; k < K; k++) d += Ap[ar + k] * Bp[br + k];
          S[m * N + n] += d;
        }
      }
    }
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const i = c.offset + bo * c.batchStride + m * c.rowStride + n;
        let r = alpha * S[m * N + n];
        if (U) {
          [C[i], C[i + N]] = swigluGrad(U[i], U[i + N], r);
          continue;
        }
        if (p.accumulate) r += C[i];
        if (bias) r += bias[n];
        C[i] = r;
      }
    }
  }
}

function execute(e: Engine, p: Plan): Tensor {
  if (e.kind === 'gpu') runGpu(e as GpuEngine, p);
  else runCpu(p);
  return p.c.tensor;
}

/**
 * C = alpha · op(A) · op(B) (+ C with accumulate) (+ bias), batched: A and B hold 1 or `batch` matrices
 * each (1 broadcasts), and reduceBatch sums all products into one result. Returns the result tensor: a fresh
 * one, or `out`'s. Operands may be views into larger tensors (offsets, row and batch strides), never copied.
 */
export function matmulForward(e: Engine, a: MatrixArg, b: MatrixArg, opts: MatmulOptions = {}): Tensor {
  return execute(e, plan(e, a, b, opts));
}

function colsum(e: Engine, x: Tensor, rows: number, cols: number): Tensor {
  const out = e.empty([cols]);
  if (e.kind === 'gpu') {
    const g = e as GpuEngine;
    g.run({ shader: 'matmul', entry: 'colsum', params: [rows, cols], buffers: [x, null, out], workgroups: g.grid(cols, 16) });
  } else {
    const X = x.f64, o = out.f64;
    for (let r = 0; r < rows; r++) for (let n = 0; n < cols; n++) o[n] += X[r * cols + n];
  }
  return out;
}

/** Column sums of x [..., N] over all leading dims: [N] (a bias gradient). Deterministic. */
export function colsumForward(e: Engine, x: Tensor): Tensor {
  if (x.rank < 1 || x.dtype !== 'f32') throw new Error(`colsum: need an f32 tensor of rank ≥ 1, got ${x}`);
  return colsum(e, x, x.size / Math.max(1, x.dim(-1)), x.dim(-1));
}

/** Where the gradient of operand x goes: its own view, collapsed to one matrix where it was broadcast. */
function gradTarget(x: MatrixView, batch: number): { target: MatrixView; broadcast: boolean } {
  const broadcast = batch > 1 && (x.batch === 1 || x.batchStride === 0);
  const target = broadcast ? { ...x, batch: 1, batchStride: 0 } : x;
  if (!injective(target)) throw new Error(`matmul: cannot backpropagate into ${describe(x)}: the view overlaps itself`);
  return { target, broadcast };
}

/**
 * The gradient of the tensor behind x (shaped like that tensor, zero outside the view) from lhs·rhs: added into
 * `acc` (the gradient x's tensor already has) when given and stored apart from both operands, else fresh. With
 * `gateOf`, x views swiglu(gateOf) and the kernel writes gateOf's gradient instead, both halves of every row.
 */
function gradientOf(e: Engine, x: MatrixView, batch: number, lhs: MatrixView, rhs: MatrixView, transA: boolean, transB: boolean, opts: MatmulGradOptions, acc: Tensor | null, gateOf: Tensor | null): Tensor {
  const { target, broadcast } = gradTarget(x, batch);
  const common = { transA, transB, alpha: opts.alpha, reduceBatch: broadcast, tuning: opts.tuning };
  if (gateOf) {
    const w = 2 * target.cols;
    return matmulForward(e, lhs, rhs, { ...common, out: { tensor: e.empty(gateOf.shape), rows: target.rows, cols: target.cols, batch: target.batch, offset: 0, rowStride: w, batchStride: target.rows * w }, swigluGradOf: gateOf });
  }
  const into = acc && rootOf(acc) !== rootOf(lhs.tensor) && rootOf(acc) !== rootOf(rhs.tensor) ? acc : null;
  const g = into ?? (covers(target) ? e.empty(x.tensor.shape) : e.zeros(x.tensor.shape));
  return matmulForward(e, lhs, rhs, { ...common, out: { ...target, tensor: g }, accumulate: !!into });
}

/**
 * A gated operand given as u = [gate | up] and the view that stands in for it: u itself, gated as it loads; or,
 * where the engine takes the barrier-free software kernels (which would recompute silu for every column block),
 * swiglu(u) materialized once for the product and its backward.
 */
function gatedOperand(e: Engine, arg: MatrixArg): { u: Tensor; view: MatrixView } {
  const v = arg instanceof Tensor ? matrixView(arg) : arg;
  if (!covers(v) || v.cols !== v.tensor.dim(-1) || v.cols % 2) throw new Error(`matmul: a gated operand must be a whole [..., 2·inter] tensor with its last dimension as columns, got ${describe(v)}`);
  const view = { ...v, cols: v.cols / 2, gate: v.cols / 2 };
  return { u: v.tensor, view: e.kind === 'gpu' && (e as GpuEngine).softwareKernels ? ungated(e, view) : view };
}

/**
 * Differentiable matmulForward. Gradients reuse the kernel with transpose flags (never a transposed copy):
 * dA = G·op(B)ᵀ or op(B)·Gᵀ, dB = op(A)ᵀ·G or Gᵀ·op(A), reduced over the batch for broadcast operands;
 * dbias = column sums of G. Operand views get gradients shaped like their whole tensors; where an operand
 * already has a gradient, dA and dB are accumulated into it by the same kernel. A gated operand (`gate`) gets
 * SwiGLU's backward in the kernel that computes its gradient.
 */
export function matmul(tape: Tape, aArg: MatrixArg, bArg: MatrixArg, opts: MatmulGradOptions = {}): Tensor {
  const e = tape.engine;
  const gated = opts.gate ? gatedOperand(e, opts.gate === 'a' ? aArg : bArg) : null;
  const p = plan(e, opts.gate === 'a' ? gated!.view : aArg, opts.gate === 'b' ? gated!.view : bArg, opts);
  const out = execute(e, p);
  const { a, b, M, N, batch, transA, transB } = p;
  // What each operand's gradient belongs to: its own tensor, or the u that a gated operand came from.
  const gateA = opts.gate === 'a' ? gated!.u : null, gateB = opts.gate === 'b' ? gated!.u : null;
  const srcA = gateA ?? a.tensor, srcB = gateB ?? b.tensor;
  const inputs = p.bias ? [srcA, srcB, p.bias] : [srcA, srcB];
  if (tape.recording) for (const [v, src] of [[a, srcA], [b, srcB]] as const) if (src.requiresGrad) gradTarget(v, batch);
  tape.record(inputs, [out], ([g], [accA, accB]) => {
    if (!g) return inputs.map(() => null);
    // With reduceBatch every product saw the same G: a broadcast over the batch.
    const G: MatrixView = { tensor: g, rows: M, cols: N, batch, offset: 0, rowStride: N, batchStride: p.reduce ? 0 : M * N };
    const da = !srcA.requiresGrad ? null : transA ? gradientOf(e, a, batch, b, G, transB, true, opts, accA, gateA) : gradientOf(e, a, batch, G, b, false, !transB, opts, accA, gateA);
    const db = !srcB.requiresGrad ? null : transB ? gradientOf(e, b, batch, G, a, true, transA, opts, accB, gateB) : gradientOf(e, b, batch, a, G, !transA, false, opts, accB, gateB);
    return p.bias ? [da, db, p.bias.requiresGrad ? colsum(e, g, p.outBatches * M, N) : null] : [da, db];
  });
  return out;
}

/**
 * PyTorch's F.linear: x [..., in] · wᵀ + bias with w [out, in] (the reference state_dict layout) and bias
 * [out]; returns [..., out]. Differentiable in x, w and bias. With `gated`, x is u = [gate | up] [..., 2·in]
 * and the input is swiglu(u) (the reference SwiGLU's down projection).
 */
export function linear(tape: Tape, x: Tensor, w: Tensor, { bias, gated = false }: { bias?: Tensor; gated?: boolean } = {}): Tensor {
  if (w.rank !== 2) throw new Error(`linear: weight must be [out, in], got ${w}`);
  const [outF, inF] = w.shape;
  const features = x.rank ? x.dim(-1) / (gated ? 2 : 1) : 0;
  if (x.rank < 1 || features !== inF) throw new Error(`linear: x ${x} has ${features} input features${gated ? ' after SwiGLU' : ''} but weight [${outF}, ${inF}] expects ${inF}`);
  return matmul(tape, rowsView(x), w, { transB: true, bias, gate: gated ? 'a' : undefined, shape: [...x.shape.slice(0, -1), outF] });
}
