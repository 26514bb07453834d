// TRM losses (models/losses.py::ACTLossHead): per-sequence-mean stablemax / softmax cross-entropy with
// its gradient and the exact-match metrics in one pass, BCE-with-logits for the halting head, and the
// per-row scaling that applies an incoming gradient to a gradient precomputed in the forward pass.
//
// f32 precision (the reference runs stablemax in float64, softmax in f32): every quantity is a sum of
// positive terms or a ratio of such sums; a loss near 0 is log1p of the directly summed remainder and the
// label's gradient is minus that remainder's share, never a difference of near-equal values. So stablemax
// loss and gradient keep an O(V)-ulp relative error at any confidence (measured ≤ 3e-7 against float64);
// softmax's small probabilities exp(x − max) additionally carry WGSL's exp bound of 3 + 2|x − max| ulp.

const WG: u32 = 256u;

fn index(wid: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid.x;
}

// log(1 + r) for r ≥ 0. WGSL's log only promises an absolute error of 2^-21 on [0.5, 2], useless for
// small losses, so r ≤ 1 uses log1p(r) = 2·atanh(z), z = r/(2+r) ≤ 1/3, whose series to z^15 is within
// z^16/17 < 2e-9 relative.
fn log1p_pos(r: f32) -> f32 {
  if (r > 1.0) { return log(1.0 + r); }
  let z = r / (2.0 + r);
  let z2 = z * z;
  return 2.0 * z * (1.0 + z2 * (1.0 / 3.0 + z2 * (1.0 / 5.0 + z2 * (1.0 / 7.0 + z2 * (1.0 / 9.0 + z2 * (1.0 / 11.0 + z2 * (1.0 / 13.0 + z2 / 15.0)))))));
}

// stablemax s(x) = 1/(1−x) for x < 0, x + 1 otherwise (positive, continuous, C¹; not shift invariant).
fn smax(x: f32) -> f32 {
  return select(x + 1.0, 1.0 / (1.0 - x), x < 0.0);
}

// s'(x): s(x)² for x < 0, 1 otherwise.
fn smaxDeriv(x: f32) -> f32 {
  let s = smax(x);
  return select(1.0, s * s, x < 0.0);
}

// ---- cross-entropy: one workgroup per sequence b ----
// loss[b] = Σ_t CE_t·mask_t / max(1, Σ_t mask_t), mask_t = label in [0, V) (the ignore label −100, and
// out-of-range labels that the CPU side rejects, are masked rather than read). grad = d loss[b] / d logits.
// correct[b] = #(mask ∧ argmax = label) with torch's first-maximum tie rule, valid[b] = Σ mask,
// exact[b] = (correct == valid) as 0/1 f32: the reference's seq_is_correct, 1 for a fully ignored sequence.

struct Ce { B: u32, L: u32, V: u32, softmax: u32, writeGrad: u32 }
@group(0) @binding(0) var<uniform> cp: Ce;
@group(0) @binding(1) var<storage, read> cLogits: array<f32>;
@group(0) @binding(2) var<storage, read> cLabels: array<i32>;
@group(0) @binding(3) var<storage, read_write> cLoss: array<f32>;
@group(0) @binding(4) var<storage, read_write> cGrad: array<f32>;
@group(0) @binding(5) var<storage, read_write> cCorrect: array<i32>;
@group(0) @binding(6) var<storage, read_write> cValid: array<i32>;
@group(0) @binding(7) var<storage, read_write> cExact: array<f32>;

var<workgroup> redF: array<f32, WG>;
var<workgroup> redU: array<u32, WG>;

fn sumU(v: u32, i: u32) -> u32 {
  redU[i] = v;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (i < h) { redU[i] += redU[i + h]; }
    workgroupBarrier();
  }
  let r = redU[0];
  workgroupBarrier();
  return r;
}

fn sumF(v: f32, i: u32) -> f32 {
  redF[i] = v;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (i < h) { redF[i] += redF[i + h]; }
    workgroupBarrier();
  }
  let r = redF[0];
  workgroupBarrier();
  return r;
}

fn isValid(y: i32) -> bool {
  return y >= 0 && y < i32(cp.V);
}

@compute @workgroup_size(WG)
fn cross_entropy(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wid.y * nwg.x + wid.x;
  if (b >= cp.B) { return; }
  let base = b * cp.L;
  let V = cp.V;

  // The gradient is written already divided by the valid count, so count first.
  var cnt = 0u;
  for (var t = lid.x; t < cp.L; t += WG) {
    if (isValid(cLabels[base + t])) { cnt++; }
  }
  let nValid = sumU(cnt, lid.x);
  let inv = 1.0 / f32(max(nValid, 1u));

  var lossSum = 0.0;
  var ok = 0u;
  for (var t = lid.x; t < cp.L; t += WG) {
    let row = (base + t) * V;
    let yi = cLabels[base + t];
    if (!isValid(yi)) {
      if (cp.writeGrad != 0u) { for (var j = 0u; j < V; j++) { cGrad[row + j] = 0.0; } }
      continue;
    }
    let y = u32(yi);
    let xy = cLogits[row + y];
    var m = cLogits[row];
    var k = 0u;
    for (var j = 1u; j < V; j++) {
      let x = cLogits[row + j];
      if (x > m) { m = x; k = j; }
    }
    if (k == y) { ok++; }

    if (cp.softmax != 0u) {
      // e_j = exp(x_j − m); loss = (m − x_y) + log1p(Σ_{j≠k} e_j); both terms ≥ 0.
      var notK = 0.0;
      var notY = 0.0;
      for (var j = 0u; j < V; j++) {
        let ej = exp(cLogits[row + j] - m);
        if (j != k) { notK += ej; }
        if (j != y) { notY += ej; }
      }
      lossSum += (m - xy) + log1p_pos(notK);
      if (cp.writeGrad != 0u) {
        let w = inv / (1.0 + notK);
        for (var j = 0u; j < V; j++) {
          // p_y − 1 = −Σ_{j≠y} p_j, summed directly instead of cancelled.
          cGrad[row + j] = select(exp(cLogits[row + j] - m), -notY, j == y) * w;
        }
      }
    } else {
      // loss = log(S / s_y) = log1p(rest / s_y), rest = Σ_{j≠y} s_j.
      let sy = smax(xy);
      var rest = 0.0;
      for (var j = 0u; j < V; j++) {
        if (j != y) { rest += smax(cLogits[row + j]); }
      }
      let S = sy + rest;
      lossSum += log1p_pos(rest / sy);
      if (cp.writeGrad != 0u) {
        // d/dx_j = s'(x_j)/S − [j = y]·s'(x_y)/s_y; at j = y that is −s'(x_y)·rest/(S·s_y).
        for (var j = 0u; j < V; j++) {
          let x = cLogits[row + j];
          cGrad[row + j] = select(smaxDeriv(x) / S, -smaxDeriv(x) * rest / (S * sy), j == y) * inv;
        }
      }
    }
  }
  let total = sumF(lossSum, lid.x);
  let nOk = sumU(ok, lid.x);
  if (lid.x == 0u) {
    cLoss[b] = total * inv;
    cCorrect[b] = i32(nOk);
    cValid[b] = i32(nValid);
    cExact[b] = select(0.0, 1.0, nOk == nValid);
  }
}

// ---- BCE with logits, elementwise: loss = max(q,0) − q·t + log1p(exp(−|q|)), grad = σ(q) − t ----

struct Bce { n: u32 }
@group(0) @binding(0) var<uniform> bp: Bce;
@group(0) @binding(1) var<storage, read> bQ: array<f32>;
@group(0) @binding(2) var<storage, read> bTarget: array<f32>;
@group(0) @binding(3) var<storage, read_write> bLoss: array<f32>;
@group(0) @binding(4) var<storage, read_write> bGrad: array<f32>;

@compute @workgroup_size(WG)
fn bce_with_logits(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i >= bp.n) { return; }
  let q = bQ[i];
  let t = bTarget[i];
  let e = exp(-abs(q));
  let tail = e / (1.0 + e); // σ(−|q|), no cancellation
  let pos = q >= 0.0;
  bLoss[i] = select(-q * t, q * (1.0 - t), pos) + log1p_pos(e);
  // σ(q) − t with σ(q) = 1 − tail for q ≥ 0, so saturated logits keep their tiny gradient.
  bGrad[i] = select(tail - t, (1.0 - t) - tail, pos);
}

// ---- out[r, j] = g[r] · a[r, j]: applies the incoming per-row gradient to a fused forward's gradient ----

struct Rows { n: u32, rowLen: u32 }
@group(0) @binding(0) var<uniform> sp: Rows;
@group(0) @binding(1) var<storage, read> sG: array<f32>;
@group(0) @binding(2) var<storage, read> sA: array<f32>;
@group(0) @binding(3) var<storage, read_write> sOut: array<f32>;

@compute @workgroup_size(WG)
fn scale_rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = index(wid, nwg, lid);
  if (i >= sp.n) { return; }
  sOut[i] = sG[i / sp.rowLen] * sA[i];
}
