// Elementwise arithmetic on flat f32 tensors: residual sums, scaling, gradient accumulation.
struct Params { n: u32, alpha: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const WG: u32 = 256u;

fn index(wid: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid.x;
}

// out = a + b
@compute @workgroup_size(WG)
fn add(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i < p.n) { out[i] = a[i] + b[i]; }
}

// out += alpha * a
@compute @workgroup_size(WG)
fn axpy(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i < p.n) { out[i] = out[i] + p.alpha * a[i]; }
}

// out = alpha * a
@compute @workgroup_size(WG)
fn scale(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i < p.n) { out[i] = p.alpha * a[i]; }
}

// out = alpha
@compute @workgroup_size(WG)
fn fill(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i < p.n) { out[i] = p.alpha; }
}

// ---- one column of a row-major [rows, cols] matrix, and its gradient (zero in the other columns) ----
struct Col { rows: u32, cols: u32, col: u32 }
@group(0) @binding(0) var<uniform> cp: Col;

// out[r] = a[r, col]
@compute @workgroup_size(WG)
fn column(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i < cp.rows) { out[i] = a[i * cp.cols + cp.col]; }
}

// out[r, c] = a[r] where c = col, else 0
@compute @workgroup_size(WG)
fn column_grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i < cp.rows * cp.cols) { out[i] = select(0.0, a[i / cp.cols], i % cp.cols == cp.col); }
}
