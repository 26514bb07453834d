// SwiGLU gate: u = [gate | up] (the two chunks of Linear(h → 2·inter)), out = silu(gate)·up. Row m of u holds
// gate at [m·2I, m·2I + I) and up at [m·2I + I, m·2I + 2I); one thread per (m, i) of the [M, I] output.
struct Params { n: u32, inter: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
// forward: out [M, I]; backward: du [M, 2I]
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

const WG: u32 = 256u;

fn index(wid: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid.x;
}

// σ(x) and 1 − σ(x), each from exp(−|x|) so nothing overflows and 1 − σ keeps its digits for large x.
fn sigmoid_pair(x: f32) -> vec2f {
  let e = exp(-abs(x));
  let big = 1.0 / (1.0 + e);
  let small = e / (1.0 + e);
  return select(vec2f(small, big), vec2f(big, small), x >= 0.0);
}

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

// d gate = dOut·up·silu'(gate) with silu' = σ·(1 + x·(1 − σ)); d up = dOut·silu(gate).
@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let k = index(wid, nwg, lid);
  if (k >= p.n) { return; }
  let j = gate_at(k);
  let x = u[j];
  let s = sigmoid_pair(x);
  let g = dout[k];
  dst[j] = g * u[j + p.inter] * s.x * (1.0 + x * s.y);
  dst[j + p.inter] = g * x * s.x;
}
