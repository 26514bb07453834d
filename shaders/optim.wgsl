// Optimizer updates, one dispatch each over a flat buffer (the parameter arena, or the puzzle-embedding table).
// Step-dependent scalars (lr from the schedule, bias corrections) are folded into the params on the host.
struct Params {
  n: u32,       // invocations: elements (adam, ema) or samples × width (sign_sgd)
  nseg: u32,    // adam: weight-decay segments in idx
  guard: u32,   // 1: leave everything untouched when status[1] (non-finite gradient count) is not 0
  width: u32,   // sign_sgd: row width E
  rows: u32,    // sign_sgd: rows P of the table (ids outside [0, P) are skipped)
  lr: f32,
  wd: f32,      // decoupled weight decay: w ← w · (1 − lr · wd · segment scale)
  beta1: f32,   // adam: β1; ema: decay
  beta2: f32,
  step: f32,    // adam: size of the update (lr / (1 − β1^t) in the reference forms)
  mscale: f32,  // adam: multiplies m before the ratio
  dscale: f32,  // adam: multiplies √v (1 / √(1 − β2^t) in the reference forms)
  eps: f32,     // adamw
  gscale: f32,  // adam: multiplies the raw gradient (e.g. 1 / batch)
}

@group(0) @binding(0) var<uniform> p: Params;
// What is updated: parameters (adam, sign_sgd) or the EMA copy (ema).
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
// Read: the gradient (adam: same layout as w; sign_sgd: per-sample rows [B, E]) or, for ema, the parameters.
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
// adam: segment starts [nseg] then bitcast f32 weight-decay scales [nseg].
// sign_sgd: the puzzle id of each sample [B] (i32 bits; negative ids read as huge and are skipped).
@group(0) @binding(5) var<storage, read> idx: array<u32>;
// gradNorm's output [‖g‖, non-finite count]; only read when p.guard is 1.
@group(0) @binding(6) var<storage, read> status: array<f32>;

const WG: u32 = 256u;

fn index(wid: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid.x;
}

fn skipped() -> bool {
  return p.guard != 0u && status[1] != 0.0;
}

// Weight-decay scale of the segment holding element i: the last segment whose start is ≤ i (starts[0] = 0).
fn decayScale(i: u32) -> f32 {
  var lo = 0u;
  var hi = p.nseg;
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (idx[mid] <= i) { lo = mid; } else { hi = mid; }
  }
  return bitcast<f32>(idx[p.nseg + lo]);
}

fn adam(i: u32, useAtan2: bool) {
  let g = p.gscale * src[i];
  let wi = w[i] * (1.0 - p.lr * p.wd * decayScale(i));
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  let num = p.mscale * mi;
  let den = sqrt(vi) * p.dscale;
  var u: f32;
  if (useAtan2) {
    // atan2(0, 0) is undefined in WGSL; the reference (torch/CUDA) gives 0.
    u = select(atan2(num, den), 0.0, num == 0.0);
  } else {
    u = num / (den + p.eps);
  }
  w[i] = wi - p.step * u;
  m[i] = mi;
  v[i] = vi;
}

// AdamATan2: w ← w(1 − lr·wd) − step · atan2(mscale · m, dscale · √v), no ε.
@compute @workgroup_size(WG)
fn adam_atan2(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i >= p.n || skipped()) { return; }
  adam(i, true);
}

// AdamW (torch.optim.AdamW): w ← w(1 − lr·wd) − step · mscale · m / (dscale · √v + ε).
@compute @workgroup_size(WG)
fn adamw(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i >= p.n || skipped()) { return; }
  adam(i, false);
}

// ema ← decay · ema + (1 − decay) · params.
@compute @workgroup_size(WG)
fn ema(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i >= p.n) { return; }
  w[i] = p.beta1 * w[i] + (1.0 - p.beta1) * src[i];
}

// Sparse sign-SGD on the rows used by the batch: w[id] ← w[id](1 − lr·wd) − lr · sign(Σ grads of that id).
// One invocation per (sample, column); the first sample holding an id sums all samples with that id in sample
// order (deterministic, O(B) per invocation), the others return. The ids stay on the GPU (the ACT carry owns
// them), so no CPU-side plan is needed.
@compute @workgroup_size(WG)
fn sign_sgd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let j = index(wid, nwg, lid);
  if (j >= p.n || skipped()) { return; }
  let b = j / p.width;
  let c = j % p.width;
  let id = idx[b];
  if (id >= p.rows) { return; }
  for (var k = 0u; k < b; k++) {
    if (idx[k] == id) { return; }
  }
  let batch = p.n / p.width;
  var s = 0.0;
  for (var k = b; k < batch; k++) {
    if (idx[k] == id) { s += src[k * p.width + c]; }
  }
  let o = id * p.width + c;
  w[o] = w[o] * (1.0 - p.lr * p.wd) - p.lr * sign(s);
}
