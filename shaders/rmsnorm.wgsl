// Fused residual add + RMSNorm without gain (TRM's post-norm blocks): y = x·rstd, rstd = (mean(x²) + eps)^-½,
// x = a + b. A "row" is one normalised vector: a token over D channels (channel axis) or one (batch, channel)
// over the S positions (sequence axis, the MLP-mixer quirk), read in place from the [B, S, D] layout.
// Row r starts at (r / inner)·outer + r % inner and its k-th element sits `step` further per k.
// A workgroup of 256 threads handles 256 / lanes rows with `lanes` threads each (a power of two); thread t is
// lane (t / laneDiv) % lanes of row slot (t / rowDiv) % (256 / lanes). Lanes are adjacent threads when a row is
// contiguous (channel axis), rows are adjacent threads when rows are side by side in memory (sequence axis),
// so loads coalesce either way.
struct Params {
  rows: u32,
  len: u32,
  inner: u32,
  outer: u32,
  step: u32,
  lanes: u32,
  laneDiv: u32,
  rowDiv: u32,
  residual: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
// forward: a, b (bound to a when residual = 0), -, y, rstd
// backward: dy, y, rstd, dx (the gradient of a), dx again (of b; backward_residual only)
@group(0) @binding(1) var<storage, read> src0: array<f32>;
@group(0) @binding(2) var<storage, read> src1: array<f32>;
@group(0) @binding(3) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst0: array<f32>;
@group(0) @binding(5) var<storage, read_write> dst1: array<f32>;

const WG: u32 = 256u;

var<workgroup> sh: array<f32, WG>;

struct Slot { lane: u32, row: u32, valid: bool, base: u32 }

fn slot(t: u32, wid: vec3u, nwg: vec3u) -> Slot {
  let perWg = WG / p.lanes;
  let row = (wid.y * nwg.x + wid.x) * perWg + (t / p.rowDiv) % perWg;
  return Slot((t / p.laneDiv) % p.lanes, row, row < p.rows, (row / p.inner) * p.outer + row % p.inner);
}

// Tree-sum of sh over the lanes of t's row (each thread stored its partial at sh[t]); every thread gets its row's total.
fn row_sum(t: u32, lane: u32) -> f32 {
  // One thread per row (software adapters, where barriers cost far more than a serial loop): no exchange.
  if (p.lanes == 1u) { return sh[t]; }
  for (var s = p.lanes / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lane < s) { sh[t] += sh[t + s * p.laneDiv]; }
  }
  workgroupBarrier();
  return sh[t - lane * p.laneDiv];
}

fn x_at(i: u32) -> f32 {
  if (p.residual != 0u) { return src0[i] + src1[i]; }
  return src0[i];
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = slot(lid.x, wid, nwg);
  var acc = 0.0;
  if (s.valid) {
    for (var k = s.lane; k < p.len; k += p.lanes) {
      let x = x_at(s.base + k * p.step);
      acc += x * x;
    }
  }
  sh[lid.x] = acc;
  let rs = inverseSqrt(row_sum(lid.x, s.lane) / f32(p.len) + p.eps);
  if (s.valid) {
    for (var k = s.lane; k < p.len; k += p.lanes) {
      let i = s.base + k * p.step;
      dst0[i] = x_at(i) * rs;
    }
    if (s.lane == 0u) { dst1[s.row] = rs; }
  }
}

// mean(dy·y) over t's row.
fn mean_dy_y(t: u32, s: Slot) -> f32 {
  var acc = 0.0;
  if (s.valid) {
    for (var k = s.lane; k < p.len; k += p.lanes) {
      let i = s.base + k * p.step;
      acc += src0[i] * src1[i];
    }
  }
  sh[t] = acc;
  return row_sum(t, s.lane) / f32(p.len);
}

// dx = rstd·(dy − y·mean(dy·y))
@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = slot(lid.x, wid, nwg);
  let m = mean_dy_y(lid.x, s);
  if (s.valid) {
    let rs = rstd_in[s.row];
    for (var k = s.lane; k < p.len; k += p.lanes) {
      let i = s.base + k * p.step;
      dst0[i] = rs * (src0[i] - src1[i] * m);
    }
  }
}

// The same gradient written for a and for b in one pass, sparing the tape a copy of an aliased gradient.
@compute @workgroup_size(WG)
fn backward_residual(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = slot(lid.x, wid, nwg);
  let m = mean_dy_y(lid.x, s);
  if (s.valid) {
    let rs = rstd_in[s.row];
    for (var k = s.lane; k < p.len; k += p.lanes) {
      let i = s.base + k * p.step;
      let g = rs * (src0[i] - src1[i] * m);
      dst0[i] = g;
      dst1[i] = g;
    }
  }
}
