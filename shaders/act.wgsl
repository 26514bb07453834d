// Deep-supervision carry (ACT), kept on the GPU so a training step needs no readback:
// refill_data / reset_state replace halted slots with the new batch's sample and the initial y, z;
// halt advances step counters and decides which slots halt.
//! include sigmoid

struct Params { batch: u32, width: u32, nSup: u32, training: u32, dim: u32 }

@group(0) @binding(0) var<uniform> p: Params;

// refill_data: width = L (tokens per sample). One invocation per (slot, token).
@group(0) @binding(1) var<storage, read> halted_r: array<u32>;
@group(0) @binding(2) var<storage, read_write> inputs: array<i32>;
@group(0) @binding(3) var<storage, read_write> labels: array<i32>;
@group(0) @binding(4) var<storage, read_write> puzzle_ids: array<i32>;
@group(0) @binding(5) var<storage, read> new_inputs: array<i32>;
@group(0) @binding(6) var<storage, read> new_labels: array<i32>;
@group(0) @binding(7) var<storage, read> new_puzzle_ids: array<i32>;
@group(0) @binding(8) var<storage, read_write> steps: array<u32>;

const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn refill_data(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid.x;
  if (i >= p.batch * p.width) { return; }
  let b = i / p.width;
  if (halted_r[b] == 0u) { return; }
  inputs[i] = new_inputs[i];
  labels[i] = new_labels[i];
  if (i % p.width == 0u) {
    puzzle_ids[b] = new_puzzle_ids[b];
    steps[b] = 0u;
  }
}

// reset_state: width = S·D (one slot of y or z). y, z ← H_init, L_init broadcast over positions.
@group(0) @binding(9) var<storage, read_write> y: array<f32>;
@group(0) @binding(10) var<storage, read_write> z: array<f32>;
@group(0) @binding(11) var<storage, read> y_init: array<f32>;
@group(0) @binding(12) var<storage, read> z_init: array<f32>;

@compute @workgroup_size(WG)
fn reset_state(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid.x;
  if (i >= p.batch * p.width) { return; }
  if (halted_r[i / p.width] == 0u) { return; }
  let d = i % p.dim;
  y[i] = y_init[d];
  z[i] = z_init[d];
}

// halt: steps += 1; halted = steps ≥ N_sup, or in training (q_halt > 0; q_halt > q_continue where width = 1,
// no_ACT_continue: false) — both only once steps ≥ min_halt.
@group(0) @binding(13) var<storage, read_write> halted_w: array<u32>;
@group(0) @binding(14) var<storage, read> q_halt: array<f32>;
@group(0) @binding(15) var<storage, read> min_halt: array<u32>;
@group(0) @binding(16) var<storage, read> q_continue: array<f32>;

@compute @workgroup_size(64)
fn halt(@builtin(global_invocation_id) gid: vec3u) {
  let b = gid.x;
  if (b >= p.batch) { return; }
  let s = steps[b] + 1u;
  steps[b] = s;
  var h = s >= p.nSup;
  if (p.training != 0u && p.nSup > 1u) {
    let bar = select(0.0, q_continue[b], p.width == 1u);
    h = (h || q_halt[b] > bar) && s >= min_halt[b];
  }
  halted_w[b] = select(0u, 1u, h);
}

// continue_target: HRM's Q-learning target for q_continue from the next step's q (q_halt, q_continue bound to
// that pass): σ(q_halt) where this step is the slot's last (steps + 1 ≥ N_sup, steps not yet advanced by halt),
// else σ(max(q_halt, q_continue)).
@group(0) @binding(17) var<storage, read_write> target_q: array<f32>;

@compute @workgroup_size(64)
fn continue_target(@builtin(global_invocation_id) gid: vec3u) {
  let b = gid.x;
  if (b >= p.batch) { return; }
  let last = steps[b] + 1u >= p.nSup;
  target_q[b] = sigmoid_pair(select(max(q_halt[b], q_continue[b]), q_halt[b], last)).x;
}
