// Batched, strided matmul: C[b] = alpha · op(A[b]) · op(B[b]) (+ C[b]) (+ bias), op(X) = X or Xᵀ.
// Operand element (b, row, col) lives at off + b·stride + row·ld + col (stride 0 broadcasts one matrix), so
// callers read slices such as y[:, 0, :] and backward never materialises a transpose. With reduce-over-batch
// (nb > 1) every batch product is summed into a single C, in a fixed order. Long reductions are split over
// workgroups (grid z) into partial tiles that `splitk_sum` adds in order: deterministic, no atomics.
struct Params {
  M: u32, N: u32, K: u32,
  kTiles: u32,        // ceil(K / TILE_K)
  nb: u32,            // products summed into each output: the batch with reduce-over-batch, else 1
  outBatches: u32,    // output matrices
  splits: u32,        // split-K slices per output matrix (grid z = outBatches · splits)
  tilesPerSplit: u32, // (batch, k-tile) steps per slice
  flags: u32,
  offA: u32, ldA: u32, sA: u32,
  offB: u32, ldB: u32, sB: u32,
  offC: u32, ldC: u32, sC: u32,
  alpha: f32,
  // With FLAG_GATE_A / FLAG_GATE_B: the operand views u = [gate | up] and its element is silu(x)·x[+gate].
  gateA: u32, gateB: u32,
}

const FLAG_ACCUMULATE = 1u;
const FLAG_BIAS = 2u;
// Write raw sums to partials[z][M][N] (in the c binding) for splitk_sum to finish.
const FLAG_PARTIAL = 4u;
// Layout flags are uniforms, not override constants: one pipeline per tile shape keeps compiles few, and the
// branches they steer run once per loaded chunk, outside the inner product loop.
const FLAG_TRANS_A = 8u;
const FLAG_TRANS_B = 16u;
const FLAG_VEC_A = 32u;
const FLAG_VEC_B = 64u;
// C is the gradient of SwiGLU's output, and what is written is that of its input u = [gate | up] (bound at
// `bias`, laid out as c's tensor): for C's (m, n) at i, dgate at c[i] and dup at c[i + N]. No bias, no accumulate.
const FLAG_SWIGLU_GRAD = 128u;
// The operand is swiglu(u), computed as its tiles load (the tiled kernel only).
const FLAG_GATE_A = 256u;
const FLAG_GATE_B = 512u;

fn flag(f: u32) -> bool { return (p.flags & f) != 0u; }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
// Statically used by every entry point that finishes outputs: bind any read-only tensor when FLAG_BIAS is off.
// With FLAG_SWIGLU_GRAD it holds u instead.
@group(0) @binding(4) var<storage, read> bias: array<f32>;
// The same tensors as a and b, viewed as vec4 for 16-byte loads when offsets and strides are multiples of 4.
@group(0) @binding(5) var<storage, read> a4: array<vec4f>;
@group(0) @binding(6) var<storage, read> b4: array<vec4f>;

// Each thread owns a 4×4 block of C: a workgroup of WG_X × WG_Y threads covers (4·WG_Y) × (4·WG_X).
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
override TILE_K: u32 = 32u;

override THREADS: u32 = WG_X * WG_Y;
override TILE_M: u32 = 4u * WG_Y;
override TILE_N: u32 = 4u * WG_X;
// Tiles are kept k-major (As[k][m], Bs[k][n]) so the inner loop is one vec4 outer product per k whatever the
// transposes. Rows are padded by one vec4 so the transposing tile stores spread over more banks.
override ROW_A: u32 = TILE_M / 4u + 1u;
override ROW_B: u32 = TILE_N / 4u + 1u;
override SIZE_A: u32 = TILE_K * ROW_A;
override SIZE_B: u32 = TILE_K * ROW_B;
override CHUNKS_A: u32 = TILE_K * TILE_M / 4u;
override CHUNKS_B: u32 = TILE_K * TILE_N / 4u;

var<workgroup> As: array<vec4f, SIZE_A>;
var<workgroup> Bs: array<vec4f, SIZE_B>;

//! include sigmoid

fn silu_gate(x: vec4f, up: vec4f) -> vec4f {
  return x * vec4f(sigmoid_pair(x.x).x, sigmoid_pair(x.y).x, sigmoid_pair(x.z).x, sigmoid_pair(x.w).x) * up;
}

// Four consecutive elements of op-A's storage from `addr`, of which the first `valid` are in range (the rest
// read as 0), gated where the operand is swiglu(u).
fn fetchA(addr: u32, valid: u32) -> vec4f {
  let v = loadA4(addr, valid);
  if (flag(FLAG_GATE_A)) { return silu_gate(v, loadA4(addr + p.gateA, valid)); }
  return v;
}

fn fetchB(addr: u32, valid: u32) -> vec4f {
  let v = loadB4(addr, valid);
  if (flag(FLAG_GATE_B)) { return silu_gate(v, loadB4(addr + p.gateB, valid)); }
  return v;
}

fn loadA4(addr: u32, valid: u32) -> vec4f {
  if (valid == 0u) { return vec4f(0.0); }
  if (flag(FLAG_VEC_A)) {
    return select(vec4f(0.0), a4[addr / 4u], vec4u(0u, 1u, 2u, 3u) < vec4u(valid));
  }
  var v = vec4f(a[addr], 0.0, 0.0, 0.0);
  if (valid > 1u) { v.y = a[addr + 1u]; }
  if (valid > 2u) { v.z = a[addr + 2u]; }
  if (valid > 3u) { v.w = a[addr + 3u]; }
  return v;
}

fn loadB4(addr: u32, valid: u32) -> vec4f {
  if (valid == 0u) { return vec4f(0.0); }
  if (flag(FLAG_VEC_B)) {
    return select(vec4f(0.0), b4[addr / 4u], vec4u(0u, 1u, 2u, 3u) < vec4u(valid));
  }
  var v = vec4f(b[addr], 0.0, 0.0, 0.0);
  if (valid > 1u) { v.y = b[addr + 1u]; }
  if (valid > 2u) { v.z = b[addr + 2u]; }
  if (valid > 3u) { v.w = b[addr + 3u]; }
  return v;
}

fn rowValid(valid: u32, inRange: bool) -> u32 { return select(0u, valid, inRange); }

// Tiles are filled with whole-vec4 stores only: a dynamically indexed lane write to shared memory becomes a
// read-modify-write of the whole vector on some backends (FXC), which would race between threads.
// A stored K×M (transA) is m-contiguous: 4-wide chunks of a k-row copy straight into As[k][m], consecutive
// threads on consecutive chunks. A stored M×K is k-contiguous: each thread reads a 4×4 block (4 rows × 4 k,
// consecutive threads along k) and writes it transposed. B likewise, with n for m.
fn loadA(base: u32, m0: u32, k0: u32, tid: u32) {
  if (flag(FLAG_TRANS_A)) {
    for (var q = tid; q < CHUNKS_A; q += THREADS) {
      let k = q / (TILE_M / 4u);
      let m = 4u * (q % (TILE_M / 4u));
      let gk = k0 + k;
      let gm = m0 + m;
      let valid = select(0u, min(4u, p.M - gm), gk < p.K && gm < p.M);
      As[k * ROW_A + m / 4u] = fetchA(base + gk * p.ldA + gm, valid);
    }
    return;
  }
  for (var q = tid; q < CHUNKS_A / 4u; q += THREADS) {
    let m = 4u * (q / (TILE_K / 4u));
    let k = 4u * (q % (TILE_K / 4u));
    let gm = m0 + m;
    let gk = k0 + k;
    let valid = select(0u, min(4u, p.K - gk), gk < p.K);
    let addr = base + gm * p.ldA + gk;
    let r0 = fetchA(addr, rowValid(valid, gm < p.M));
    let r1 = fetchA(addr + p.ldA, rowValid(valid, gm + 1u < p.M));
    let r2 = fetchA(addr + 2u * p.ldA, rowValid(valid, gm + 2u < p.M));
    let r3 = fetchA(addr + 3u * p.ldA, rowValid(valid, gm + 3u < p.M));
    let col = m / 4u;
    As[k * ROW_A + col] = vec4f(r0.x, r1.x, r2.x, r3.x);
    As[(k + 1u) * ROW_A + col] = vec4f(r0.y, r1.y, r2.y, r3.y);
    As[(k + 2u) * ROW_A + col] = vec4f(r0.z, r1.z, r2.z, r3.z);
    As[(k + 3u) * ROW_A + col] = vec4f(r0.w, r1.w, r2.w, r3.w);
  }
}

fn loadB(base: u32, n0: u32, k0: u32, tid: u32) {
  if (!flag(FLAG_TRANS_B)) {
    for (var q = tid; q < CHUNKS_B; q += THREADS) {
      let k = q / (TILE_N / 4u);
      let n = 4u * (q % (TILE_N / 4u));
      let gk = k0 + k;
      let gn = n0 + n;
      let valid = select(0u, min(4u, p.N - gn), gk < p.K && gn < p.N);
      Bs[k * ROW_B + n / 4u] = fetchB(base + gk * p.ldB + gn, valid);
    }
    return;
  }
  for (var q = tid; q < CHUNKS_B / 4u; q += THREADS) {
    let n = 4u * (q / (TILE_K / 4u));
    let k = 4u * (q % (TILE_K / 4u));
    let gn = n0 + n;
    let gk = k0 + k;
    let valid = select(0u, min(4u, p.K - gk), gk < p.K);
    let addr = base + gn * p.ldB + gk;
    let r0 = fetchB(addr, rowValid(valid, gn < p.N));
    let r1 = fetchB(addr + p.ldB, rowValid(valid, gn + 1u < p.N));
    let r2 = fetchB(addr + 2u * p.ldB, rowValid(valid, gn + 2u < p.N));
    let r3 = fetchB(addr + 3u * p.ldB, rowValid(valid, gn + 3u < p.N));
    let col = n / 4u;
    Bs[k * ROW_B + col] = vec4f(r0.x, r1.x, r2.x, r3.x);
    Bs[(k + 1u) * ROW_B + col] = vec4f(r0.y, r1.y, r2.y, r3.y);
    Bs[(k + 2u) * ROW_B + col] = vec4f(r0.z, r1.z, r2.z, r3.z);
    Bs[(k + 3u) * ROW_B + col] = vec4f(r0.w, r1.w, r2.w, r3.w);
  }
}

// Final value of C[bo](m, n) from the raw sum v: alpha·v (+ C) (+ bias[n]), or SwiGLU's input gradient from it.
fn finish(bo: u32, m: u32, n: u32, v: f32) {
  let i = p.offC + bo * p.sC + m * p.ldC + n;
  var r = p.alpha * v;
  if (flag(FLAG_SWIGLU_GRAD)) {
    let x = bias[i];
    let s = sigmoid_pair(x);
    c[i] = r * bias[i + p.N] * s.x * (1.0 + x * s.y);
    c[i + p.N] = r * x * s.x;
    return;
  }
  if (flag(FLAG_ACCUMULATE)) { r += c[i]; }
  if (flag(FLAG_BIAS)) { r += bias[n]; }
  c[i] = r;
}

fn storeRow(z: u32, bo: u32, m: u32, n0: u32, v: vec4f) {
  if (m >= p.M) { return; }
  for (var j = 0u; j < 4u; j++) {
    let n = n0 + j;
    if (n < p.N) {
      if (flag(FLAG_PARTIAL)) {
        c[(z * p.M + m) * p.N + n] = v[j];
      } else {
        finish(bo, m, n, v[j]);
      }
    }
  }
}

// Grid: x over N tiles, y over M tiles, z over (output matrix, split-K slice).
@compute @workgroup_size(WG_X, WG_Y)
fn matmul(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tid = lid.y * WG_X + lid.x;
  let m0 = wid.y * TILE_M;
  let n0 = wid.x * TILE_N;
  let bo = wid.z / p.splits;
  let t0 = (wid.z % p.splits) * p.tilesPerSplit;
  let t1 = min(t0 + p.tilesPerSplit, p.nb * p.kTiles);
  // Step t covers k-tile t % kTiles of batch bo + t / kTiles (bo is 0 when reducing over the batch).
  var bi = bo;
  var kt = 0u;
  if (t0 < t1) {
    bi = bo + t0 / p.kTiles;
    kt = t0 % p.kTiles;
  }
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var t = t0; t < t1; t++) {
    loadA(p.offA + bi * p.sA, m0, kt * TILE_K, tid);
    loadB(p.offB + bi * p.sB, n0, kt * TILE_K, tid);
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      let av = As[k * ROW_A + lid.y];
      let bv = Bs[k * ROW_B + lid.x];
      acc0 = fma(vec4f(av.x), bv, acc0);
      acc1 = fma(vec4f(av.y), bv, acc1);
      acc2 = fma(vec4f(av.z), bv, acc2);
      acc3 = fma(vec4f(av.w), bv, acc3);
    }
    workgroupBarrier();
    kt++;
    if (kt == p.kTiles) {
      kt = 0u;
      bi++;
    }
  }
  let m = m0 + 4u * lid.y;
  let n = n0 + 4u * lid.x;
  storeRow(wid.z, bo, m, n, acc0);
  storeRow(wid.z, bo, m + 1u, n, acc1);
  storeRow(wid.z, bo, m + 2u, n, acc2);
  storeRow(wid.z, bo, m + 3u, n, acc3);
}

// The same product without workgroup memory or barriers: each thread sums its 4×4 block straight from
// storage. Software adapters (SwiftShader runs barriers as fiber switches) and tiny shapes favour it.
// The transposes are pipeline constants, not flags: SwiftShader would run both sides of a flag branch on
// every load. Grid: x over N / 32, y over M / 32, z over output matrices; no split-K.
override TRANS_A: bool = false;
override TRANS_B: bool = false;

@compute @workgroup_size(8, 8)
fn matmul_direct(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m0 = (wid.y * 8u + lid.y) * 4u;
  let n0 = (wid.x * 8u + lid.x) * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  let bo = wid.z;
  // Clamped rows and columns read valid memory; their results are discarded by storeRow.
  let ms = min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.M - 1u));
  let ns = min(vec4u(n0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.N - 1u));
  // Element (row, k) of op(A) is at ba + row·rsA + k·ksA; (k, col) of op(B) at bb + k·ksB + col·csB.
  let rsA = select(p.ldA, 1u, TRANS_A);
  let ksA = select(1u, p.ldA, TRANS_A);
  let ksB = select(p.ldB, 1u, TRANS_B);
  let csB = select(1u, p.ldB, TRANS_B);
  let offA = ms * rsA;
  let offB = ns * csB;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var j = 0u; j < p.nb; j++) {
    let ba = p.offA + (bo + j) * p.sA;
    let bb = p.offB + (bo + j) * p.sB;
    for (var k = 0u; k < p.K; k++) {
      let ka = ba + k * ksA;
      let kb = bb + k * ksB;
      let bv = vec4f(b[kb + offB.x], b[kb + offB.y], b[kb + offB.z], b[kb + offB.w]);
      acc0 = fma(vec4f(a[ka + offA.x]), bv, acc0);
      acc1 = fma(vec4f(a[ka + offA.y]), bv, acc1);
      acc2 = fma(vec4f(a[ka + offA.z]), bv, acc2);
      acc3 = fma(vec4f(a[ka + offA.w]), bv, acc3);
    }
  }
  storeRow(bo, bo, m0, n0, acc0);
  storeRow(bo, bo, m0 + 1u, n0, acc1);
  storeRow(bo, bo, m0 + 2u, n0, acc2);
  storeRow(bo, bo, m0 + 3u, n0, acc3);
}

// Adds the split-K partials (bound at a) of each output in slice order, then finishes it. 1-D grid over
// outBatches · M · N, folded into y.
@compute @workgroup_size(256)
fn splitk_sum(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid.x;
  let mn = p.M * p.N;
  if (i >= p.outBatches * mn) { return; }
  let bo = i / mn;
  let r = i % mn;
  var s = 0.0;
  for (var z = bo * p.splits; z < (bo + 1u) * p.splits; z++) {
    s += a[z * mn + r];
  }
  finish(bo, r / p.N, r % p.N, s);
}

struct ColsumParams { rows: u32, cols: u32 }

@group(0) @binding(0) var<uniform> cs: ColsumParams;

var<workgroup> lanes: array<f32, 256>;

// out[n] = Σ_r x[r][n] over a contiguous [rows, cols] x (bias gradients): 16 columns per workgroup, 16 row
// lanes each, then a fixed-order tree over the lanes. x is bound at a, out at c.
@compute @workgroup_size(16, 16)
fn colsum(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let n = (wid.y * nwg.x + wid.x) * 16u + lid.x;
  var s = 0.0;
  if (n < cs.cols) {
    for (var r = lid.y; r < cs.rows; r += 16u) { s += a[r * cs.cols + n]; }
  }
  lanes[lid.y * 16u + lid.x] = s;
  workgroupBarrier();
  for (var h = 8u; h > 0u; h >>= 1u) {
    if (lid.y < h) { lanes[lid.y * 16u + lid.x] += lanes[(lid.y + h) * 16u + lid.x]; }
    workgroupBarrier();
  }
  if (lid.y == 0u && n < cs.cols) { c[n] = lanes[lid.x]; }
}
