// SwiGLU gate: u = [gate | up] (the two chunks of Linear(h → 2·inter)), out = silu(gate)·up. Row m of u holds
// gate at [m·2I, m·2I + I) and up at [m·2I + I, m·2I + 2I); one thread per (m, i) of the [M, I] output.
// The backward runs in the epilogue of the matmul that computes d out (matmul.wgsl, FLAG_SWIGLU_GRAD).
struct Params { n: u32, inter: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

const WG: u32 = 256u;

fn index(wid: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid.x;
}

//! include sigmoid

// Position of gate element (m, i) in u, for output index k = m·I + i.
fn gate_at(k: u32) -> u32 {
  return k + (k / p.inter) * p.inter;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let k = index(wid, nwg, lid);
  if (k >= p.n) { return; }
  let j = gate_at(k);
  let x = u[j];
  dst[k] = x * sigmoid_pair(x).x * u[j + p.inter];
}
