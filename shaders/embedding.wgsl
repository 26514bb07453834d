// TRM input embedding (trm.py::_input_embeddings): x[b] = scale · (concat(puzzle row zero-padded to
// prefix·D and viewed [prefix, D], tokenTable[tokens[b]]) + posTable when learned positions are on), and its
// deterministic (atomic-free) backward (the position table's gradient is a column sum, in matmul.wgsl).
// Ids are validated on the CPU where they are made; here they are only clamped so a bad id cannot read
// out of bounds.

const WG: u32 = 256u;

fn index(wid: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid.x;
}

fn clampId(id: i32, count: u32) -> u32 {
  return u32(clamp(id, 0, i32(count) - 1));
}

// ---- forward: one invocation per output element of x [B, S = prefix + L, D] ----

struct Fwd { n: u32, S: u32, L: u32, D: u32, prefix: u32, E: u32, V: u32, puzzles: u32, scale: f32, pos: u32 }
@group(0) @binding(0) var<uniform> fp: Fwd;
@group(0) @binding(1) var<storage, read> fTokens: array<i32>;
@group(0) @binding(2) var<storage, read> fPuzzleIds: array<i32>;
@group(0) @binding(3) var<storage, read> fTokenTable: array<f32>;
@group(0) @binding(4) var<storage, read> fPuzzleTable: array<f32>;
@group(0) @binding(5) var<storage, read_write> fX: array<f32>;
// [S, D], read when fp.pos != 0.
@group(0) @binding(6) var<storage, read> fPosTable: array<f32>;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i >= fp.n) { return; }
  let d = i % fp.D;
  let row = i / fp.D;
  let s = row % fp.S;
  let b = row / fp.S;
  var v = 0.0;
  if (s < fp.prefix) {
    let k = s * fp.D + d;
    if (k < fp.E) { v = fPuzzleTable[clampId(fPuzzleIds[b], fp.puzzles) * fp.E + k]; }
  } else {
    v = fTokenTable[clampId(fTokens[b * fp.L + s - fp.prefix], fp.V) * fp.D + d];
  }
  if (fp.pos != 0u) { v = v + fPosTable[s * fp.D + d]; }
  fX[i] = fp.scale * v;
}

// ---- token-table gradient, pass 1: partial[c, v, d] = scale · Σ_{positions n in chunk c, token n = v} g[n, d] ----
// Grid (ceil(D/TD), chunks, ceil(V/VB)). Each thread owns one column d of a VB×TD workgroup accumulator and
// is the only one to touch it, so the scatter-add needs neither atomics nor barriers; workgroup memory just
// keeps the dynamically indexed accumulator out of spilled registers.

const TD: u32 = 64u;
const VB: u32 = 32u;
var<workgroup> acc: array<f32, VB * TD>;

struct Part { N: u32, L: u32, S: u32, D: u32, prefix: u32, V: u32, chunk: u32, scale: f32 }
@group(0) @binding(0) var<uniform> pp: Part;
@group(0) @binding(1) var<storage, read> pTokens: array<i32>;
@group(0) @binding(2) var<storage, read> pGrad: array<f32>;
@group(0) @binding(3) var<storage, read_write> pPartial: array<f32>;

@compute @workgroup_size(TD)
fn token_grad_partial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let d = wid.x * TD + lid.x;
  let v0 = wid.z * VB;
  if (d >= pp.D || v0 >= pp.V) { return; }
  let nv = min(VB, pp.V - v0);
  for (var r = 0u; r < nv; r++) { acc[r * TD + lid.x] = 0.0; }
  let start = wid.y * pp.chunk;
  let end = min(start + pp.chunk, pp.N);
  var b = start / pp.L;
  var t = start % pp.L;
  for (var n = start; n < end; n++) {
    let v = clampId(pTokens[n], pp.V);
    if (v >= v0 && v < v0 + nv) {
      acc[(v - v0) * TD + lid.x] += pGrad[(b * pp.S + pp.prefix + t) * pp.D + d];
    }
    t++;
    if (t == pp.L) { t = 0u; b++; }
  }
  let out = (wid.y * pp.V + v0) * pp.D + d;
  for (var r = 0u; r < nv; r++) { pPartial[out + r * pp.D] = pp.scale * acc[r * TD + lid.x]; }
}

// ---- token-table gradient, pass 2: out[v, d] = Σ_c partial[c, v, d] (fixed order: deterministic) ----

struct Red { n: u32, chunks: u32 }
@group(0) @binding(0) var<uniform> rp: Red;
@group(0) @binding(1) var<storage, read> rPartial: array<f32>;
@group(0) @binding(2) var<storage, read_write> rOut: array<f32>;

@compute @workgroup_size(WG)
fn token_grad_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i >= rp.n) { return; }
  var s = 0.0;
  for (var c = 0u; c < rp.chunks; c++) { s += rPartial[c * rp.n + i]; }
  rOut[i] = s;
}

// ---- per-sample puzzle-row gradient: out[b, k] = scale · g[b, k / D, k % D] for k < E ----
// The prefix rows of sample b are contiguous, so element k of the padded puzzle row sits at b·S·D + k.

struct Puz { n: u32, E: u32, SD: u32, scale: f32 }
@group(0) @binding(0) var<uniform> zp: Puz;
@group(0) @binding(1) var<storage, read> zGrad: array<f32>;
@group(0) @binding(2) var<storage, read_write> zOut: array<f32>;

@compute @workgroup_size(WG)
fn puzzle_grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i >= zp.n) { return; }
  zOut[i] = zp.scale * zGrad[(i / zp.E) * zp.SD + i % zp.E];
}
