// Deterministic reductions over a flat f32 tensor (loss averaging, gradient-arena norm). No atomics: pass 1
// has `groups` workgroups, each summing a fixed grid-stride slice of x with a tree in workgroup memory;
// pass 2 is one workgroup reducing those partials. The order of additions depends only on n.
// No subgroup variant here: `enable subgroups;` is module-wide and would stop this file compiling on devices
// without the feature; the tree is a small part of a bandwidth-bound pass anyway.
struct Params {
  n: u32,       // elements in x (pass 1), partials (pass 2) or the gradient (backward)
  groups: u32,  // pass-1 workgroups; the grid stride is groups * WG
  scale: f32,   // the final sum is multiplied by it (1/n for a mean)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const WG: u32 = 256u;
const EXP_MASK: u32 = 0x7f800000u;

var<workgroup> acc: array<f32, WG>;
var<workgroup> bad: array<f32, WG>;

// Inf and NaN have an all-ones exponent. Tested on the bits: WGSL lets compilers assume floats are finite,
// so `v != v` may be folded away.
fn nonFinite(v: f32) -> bool {
  return (bitcast<u32>(v) & EXP_MASK) == EXP_MASK;
}

fn treeSum(t: u32) {
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (t < s) { acc[t] = acc[t] + acc[t + s]; }
  }
  workgroupBarrier();
}

fn treeSum2(t: u32) {
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (t < s) {
      acc[t] = acc[t] + acc[t + s];
      bad[t] = bad[t] + bad[t + s];
    }
  }
  workgroupBarrier();
}

// out[g] = Σ x[i] over this workgroup's slice.
@compute @workgroup_size(WG)
fn sum_partial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  var s = 0.0;
  for (var i = wid.x * WG + lid.x; i < p.n; i += p.groups * WG) { s += x[i]; }
  acc[lid.x] = s;
  treeSum(lid.x);
  if (lid.x == 0u) { out[wid.x] = acc[0]; }
}

// out[0] = scale · Σ partials.
@compute @workgroup_size(WG)
fn sum_final(@builtin(local_invocation_id) lid: vec3u) {
  var s = 0.0;
  for (var i = lid.x; i < p.n; i += WG) { s += x[i]; }
  acc[lid.x] = s;
  treeSum(lid.x);
  if (lid.x == 0u) { out[0] = p.scale * acc[0]; }
}

// out[2g] = Σ x[i]² over the finite elements of the slice, out[2g+1] = how many are Inf or NaN.
@compute @workgroup_size(WG)
fn sumsq_partial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  var s = 0.0;
  var b = 0.0;
  for (var i = wid.x * WG + lid.x; i < p.n; i += p.groups * WG) {
    let v = x[i];
    if (nonFinite(v)) { b += 1.0; } else { s += v * v; }
  }
  acc[lid.x] = s;
  bad[lid.x] = b;
  treeSum2(lid.x);
  if (lid.x == 0u) {
    out[2u * wid.x] = acc[0];
    out[2u * wid.x + 1u] = bad[0];
  }
}

// out = [sqrt(Σ sums), Σ counts] over p.n (sum, count) pairs.
@compute @workgroup_size(WG)
fn sumsq_final(@builtin(local_invocation_id) lid: vec3u) {
  var s = 0.0;
  var b = 0.0;
  for (var i = lid.x; i < p.n; i += WG) {
    s += x[2u * i];
    b += x[2u * i + 1u];
  }
  acc[lid.x] = s;
  bad[lid.x] = b;
  treeSum2(lid.x);
  if (lid.x == 0u) {
    out[0] = sqrt(acc[0]);
    out[1] = bad[0];
  }
}

// Gradient of scale · Σ x: out[i] = scale · x[0] (x is the [1] upstream gradient).
@compute @workgroup_size(WG)
fn sum_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid.x;
  if (i < p.n) { out[i] = p.scale * x[0]; }
}
