// Included (//! include sigmoid) by the shaders that need σ; no entry points of its own.

// σ(x) and 1 − σ(x), each from exp(−|x|) so nothing overflows and 1 − σ keeps its digits for large x.
fn sigmoid_pair(x: f32) -> vec2f {
  let e = exp(-abs(x));
  let big = 1.0 / (1.0 + e);
  let small = e / (1.0 + e);
  return select(vec2f(small, big), vec2f(big, small), x >= 0.0);
}
