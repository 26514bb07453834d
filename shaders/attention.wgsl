// Non-causal multi-head self-attention over the packed output of the fused qkv projection, with RoPE fused
// into the loads of q and k. qkv [B, S, 3·H·DH] holds per token [q heads | k heads | v heads]; o [B, S, H·DH];
// lse [B, H, S] is the natural-log row logsumexp saved for backward; dqkv has qkv's layout.
//
// One thread owns one row (a query in `forward` and the dq role of `backward`, a key in the dk/dv roles) and
// keeps that row's vectors in registers; the other side streams through workgroup memory in tiles of T rows,
// so S is bounded by nothing but the grid. Scores live in log2 units (q or k pre-scaled by log2(e)/√DH) so
// every exponential is one exp2.
struct Params { S: u32, H: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> qkv: array<f32>;
// (cos, sin) of position·θ^(−i/HALF) at [pos·HALF + i], computed in float64 on the host and rounded to f32.
@group(0) @binding(2) var<storage, read> rope: array<vec2f>;
@group(0) @binding(3) var<storage, read_write> o: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
@group(0) @binding(5) var<storage, read> o_in: array<vec4f>;
@group(0) @binding(6) var<storage, read> lse_in: array<f32>;
@group(0) @binding(7) var<storage, read> dout: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> dqkv: array<f32>;

override DH: u32 = 64u;     // head dim: a multiple of 4, at most 64 (the register arrays hold 64 floats)
override ROPE: bool = false;
override DV: u32 = DH / 4u;
override HALF: u32 = DH / 2u;
// Rows per shared tile: a multiple of CH with T·DH ≤ 1024 floats, so two tiles take 8 KiB.
override T: u32 = CH * (64u / DH);

const WG: u32 = 64u;        // rows per workgroup, one per thread
const MAXV: u32 = 16u;      // vec4s in a register row (DH ≤ 64)
const CH: u32 = 16u;        // keys per online-softmax rescale in the forward pass
const LOG2E: f32 = 1.4426950408889634;
const LN2: f32 = 0.6931471805599453;
const NEG: f32 = -3.0e38;   // finite "−∞": exp2(NEG − m) = 0 and NEG − NEG = 0 never make a NaN

var<workgroup> ta: array<vec4f, 256>;   // tile A: K (dq role, forward) or Q (dk/dv roles), RoPE applied
var<workgroup> tb: array<vec4f, 256>;   // tile B: V (dq role, forward) or dO (dk/dv roles)
var<workgroup> tl: array<f32, 256>;     // per tile row: lse in log2 units
var<workgroup> td: array<f32, 256>;     // per tile row: D = rowsum(dO ∘ O)

// Index of element 0 of head slot `slot` (0..3H−1) of token t of batch b in qkv / dqkv.
fn head(b: u32, t: u32, slot: u32) -> u32 {
  return ((b * p.S + t) * 3u * p.H + slot) * DH;
}

// Element d of the head row at `base` (token t) after rotate-half RoPE: x·cos + rotate_half(x)·sin.
fn rot(base: u32, t: u32, d: u32) -> f32 {
  let x = qkv[base + d];
  if (!ROPE) { return x; }
  let cs = rope[t * HALF + d % HALF];
  if (d < HALF) { return x * cs.x - qkv[base + d + HALF] * cs.y; }
  return x * cs.x + qkv[base + d - HALF] * cs.y;
}

fn rot4(base: u32, t: u32, c: u32) -> vec4f {
  let d = 4u * c;
  return vec4f(rot(base, t, d), rot(base, t, d + 1u), rot(base, t, d + 2u), rot(base, t, d + 3u));
}

fn plain4(base: u32, c: u32) -> vec4f {
  let d = base + 4u * c;
  return vec4f(qkv[d], qkv[d + 1u], qkv[d + 2u], qkv[d + 3u]);
}

// Index of vec4 0 of head h of token t of batch b in o / dout.
fn orow(b: u32, t: u32, h: u32) -> u32 {
  return ((b * p.S + t) * p.H + h) * DV;
}

// Write a gradient row times `scale` into dqkv; for q and k (`rotate`) it is w.r.t. the rotated vector, so
// rotate it back in place: the RoPE backward is the transpose rotation g·cos − rotate_half(g)·sin. Going through this invocation's own
// global writes keeps the register row indexed by loop counters only (so it stays in registers).
fn storeGrad(g: ptr<function, array<vec4f, MAXV>>, base: u32, t: u32, scale: f32, rotate: bool) {
  for (var c = 0u; c < DV; c++) {
    let v = (*g)[c] * scale;
    let d = base + 4u * c;
    dqkv[d] = v.x;
    dqkv[d + 1u] = v.y;
    dqkv[d + 2u] = v.z;
    dqkv[d + 3u] = v.w;
  }
  if (ROPE && rotate) {
    for (var i = 0u; i < HALF; i++) {
      let cs = rope[t * HALF + i];
      let a = dqkv[base + i];
      let b = dqkv[base + i + HALF];
      dqkv[base + i] = a * cs.x + b * cs.y;
      dqkv[base + i + HALF] = b * cs.x - a * cs.y;
    }
  }
}

// Load keys k0..k0+T−1 of head h: K (rotated) into ta, V into tb; rows past S are zero.
fn loadKV(b: u32, h: u32, k0: u32, lx: u32) {
  for (var f = lx; f < T * DV; f += WG) {
    let t = k0 + f / DV;
    let c = f % DV;
    var kv = vec4f(0.0);
    var vv = vec4f(0.0);
    if (t < p.S) {
      kv = rot4(head(b, t, p.H + h), t, c);
      vv = plain4(head(b, t, 2u * p.H + h), c);
    }
    ta[f] = kv;
    tb[f] = vv;
  }
}

// Load queries i0..i0+T−1 of head h: Q (rotated) into ta, dO into tb, lse (log2 units) into tl and, when
// `withD`, D = rowsum(dO ∘ O) into td; rows past S are zero.
fn loadQ(b: u32, h: u32, i0: u32, lx: u32, withD: bool) {
  for (var f = lx; f < T * DV; f += WG) {
    let t = i0 + f / DV;
    let c = f % DV;
    var qv = vec4f(0.0);
    var gv = vec4f(0.0);
    if (t < p.S) {
      qv = rot4(head(b, t, h), t, c);
      gv = dout[orow(b, t, h) + c];
    }
    ta[f] = qv;
    tb[f] = gv;
  }
  for (var r = lx; r < T; r += WG) {
    let t = i0 + r;
    var l = 0.0;
    var dd = 0.0;
    if (t < p.S) {
      l = lse_in[(b * p.H + h) * p.S + t] * LOG2E;
      if (withD) {
        let ob = orow(b, t, h);
        var acc = vec4f(0.0);
        for (var c = 0u; c < DV; c++) { acc += dout[ob + c] * o_in[ob + c]; }
        dd = acc.x + acc.y + acc.z + acc.w;
      }
    }
    tl[r] = l;
    td[r] = dd;
  }
}

// Grid (ceil(S/WG), H, B); buffers [qkv, rope, o, lse].
@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wid.z;
  let h = wid.y;
  let i = wid.x * WG + lid.x;
  let live = i < p.S;
  let c2 = inverseSqrt(f32(DH)) * LOG2E;
  var q: array<vec4f, MAXV>;
  var acc: array<vec4f, MAXV>;
  if (live) {
    let qb = head(b, i, h);
    for (var c = 0u; c < DV; c++) { q[c] = rot4(qb, i, c) * c2; }
  }
  var m = NEG;
  var l = 0.0;
  for (var k0 = 0u; k0 < p.S; k0 += T) {
    workgroupBarrier();
    loadKV(b, h, k0, lid.x);
    workgroupBarrier();
    let n = min(T, p.S - k0);
    for (var j0 = 0u; j0 < n; j0 += CH) {
      var s: array<f32, CH>;
      var mx = m;
      for (var j = 0u; j < CH; j++) {
        let r = (j0 + j) * DV;
        var d4 = vec4f(0.0);
        for (var c = 0u; c < DV; c++) { d4 += q[c] * ta[r + c]; }
        s[j] = select(NEG, d4.x + d4.y + d4.z + d4.w, j0 + j < n);
        mx = max(mx, s[j]);
      }
      let alpha = exp2(m - mx);
      l *= alpha;
      for (var c = 0u; c < DV; c++) { acc[c] *= alpha; }
      for (var j = 0u; j < CH; j++) {
        let pj = exp2(s[j] - mx);
        l += pj;
        let r = (j0 + j) * DV;
        for (var c = 0u; c < DV; c++) { acc[c] += pj * tb[r + c]; }
      }
      m = mx;
    }
  }
  if (live) {
    let ob = orow(b, i, h);
    let inv = 1.0 / l;
    for (var c = 0u; c < DV; c++) { o[ob + c] = acc[c] * inv; }
    lse[(b * p.H + h) * p.S + i] = (m + log2(l)) * LN2;
  }
}

// dq for one query row: dq = scale·Σ_j p_ij (dO_i·v_j − D_i) k_j, streaming K/V tiles.
fn bwdQuery(b: u32, h: u32, i: u32, lx: u32) {
  let live = i < p.S;
  let scale = inverseSqrt(f32(DH));
  var q: array<vec4f, MAXV>;
  var g: array<vec4f, MAXV>;
  var dq: array<vec4f, MAXV>;
  var lse2 = 0.0;
  var dd = 0.0;
  if (live) {
    let qb = head(b, i, h);
    let ob = orow(b, i, h);
    var a = vec4f(0.0);
    for (var c = 0u; c < DV; c++) {
      q[c] = rot4(qb, i, c) * (scale * LOG2E);
      g[c] = dout[ob + c];
      a += g[c] * o_in[ob + c];
    }
    dd = a.x + a.y + a.z + a.w;
    lse2 = lse_in[(b * p.H + h) * p.S + i] * LOG2E;
  }
  for (var k0 = 0u; k0 < p.S; k0 += T) {
    workgroupBarrier();
    loadKV(b, h, k0, lx);
    workgroupBarrier();
    let n = min(T, p.S - k0);
    for (var j = 0u; j < n; j++) {
      let r = j * DV;
      var s4 = vec4f(0.0);
      var p4 = vec4f(0.0);
      for (var c = 0u; c < DV; c++) {
        s4 += q[c] * ta[r + c];
        p4 += g[c] * tb[r + c];
      }
      let pr = exp2(s4.x + s4.y + s4.z + s4.w - lse2);
      let ds = pr * (p4.x + p4.y + p4.z + p4.w - dd);
      for (var c = 0u; c < DV; c++) { dq[c] += ds * ta[r + c]; }
    }
  }
  if (live) { storeGrad(&dq, head(b, i, h), i, scale, true); }
}

// dk for one key row: dk = scale·Σ_i p_ij (dO_i·v_j − D_i) q_i, streaming Q/dO tiles.
fn bwdKeyDk(b: u32, h: u32, j: u32, lx: u32) {
  let live = j < p.S;
  let scale = inverseSqrt(f32(DH));
  var k: array<vec4f, MAXV>;
  var v: array<vec4f, MAXV>;
  var dk: array<vec4f, MAXV>;
  if (live) {
    let kb = head(b, j, p.H + h);
    let vb = head(b, j, 2u * p.H + h);
    for (var c = 0u; c < DV; c++) {
      k[c] = rot4(kb, j, c) * (scale * LOG2E);
      v[c] = plain4(vb, c);
    }
  }
  for (var i0 = 0u; i0 < p.S; i0 += T) {
    workgroupBarrier();
    loadQ(b, h, i0, lx, true);
    workgroupBarrier();
    let n = min(T, p.S - i0);
    for (var t = 0u; t < n; t++) {
      let r = t * DV;
      var s4 = vec4f(0.0);
      var p4 = vec4f(0.0);
      for (var c = 0u; c < DV; c++) {
        s4 += k[c] * ta[r + c];
        p4 += v[c] * tb[r + c];
      }
      let pr = exp2(s4.x + s4.y + s4.z + s4.w - tl[t]);
      let ds = pr * (p4.x + p4.y + p4.z + p4.w - td[t]);
      for (var c = 0u; c < DV; c++) { dk[c] += ds * ta[r + c]; }
    }
  }
  if (live) { storeGrad(&dk, head(b, j, p.H + h), j, scale, true); }
}

// dv for one key row: dv = Σ_i p_ij dO_i, streaming Q/dO tiles.
fn bwdKeyDv(b: u32, h: u32, j: u32, lx: u32) {
  let live = j < p.S;
  var k: array<vec4f, MAXV>;
  var dv: array<vec4f, MAXV>;
  if (live) {
    let kb = head(b, j, p.H + h);
    for (var c = 0u; c < DV; c++) { k[c] = rot4(kb, j, c) * (inverseSqrt(f32(DH)) * LOG2E); }
  }
  for (var i0 = 0u; i0 < p.S; i0 += T) {
    workgroupBarrier();
    loadQ(b, h, i0, lx, false);
    workgroupBarrier();
    let n = min(T, p.S - i0);
    for (var t = 0u; t < n; t++) {
      let r = t * DV;
      var s4 = vec4f(0.0);
      for (var c = 0u; c < DV; c++) { s4 += k[c] * ta[r + c]; }
      let pr = exp2(s4.x + s4.y + s4.z + s4.w - tl[t]);
      for (var c = 0u; c < DV; c++) { dv[c] += pr * tb[r + c]; }
    }
  }
  if (live) { storeGrad(&dv, head(b, j, 2u * p.H + h), j, 1.0, false); }
}

// Grid (3·ceil(S/WG), H, B): x-blocks [0, nb) compute dq, [nb, 2nb) dk, [2nb, 3nb) dv, all into the packed
// dqkv, each element written by exactly one thread (deterministic, no atomics). D = rowsum(dO ∘ O) is
// recomputed where needed rather than staged through another buffer and dispatch.
// Buffers [qkv, rope, null, null, o, lse, dout, dqkv].
@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let nb = (p.S + WG - 1u) / WG;
  let role = wid.x / nb;
  let row = (wid.x % nb) * WG + lid.x;
  if (role == 0u) {
    bwdQuery(wid.z, wid.y, row, lid.x);
  } else if (role == 1u) {
    bwdKeyDk(wid.z, wid.y, row, lid.x);
  } else {
    bwdKeyDv(wid.z, wid.y, row, lid.x);
  }
}
