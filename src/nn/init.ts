/** Seeded PRNG (mulberry32): reproducible initialisation and data order from one integer seed. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * JAX/Flax-style truncated normal as the reference's trunc_normal_init_: samples truncated at ±2σ', with σ'
 * chosen so the truncated distribution's standard deviation equals `std` (σ' = std / 0.87962566).
 */
export function truncNormal(n: number, std: number, rand: () => number): Float64Array {
  const out = new Float64Array(n);
  if (std === 0) return out;
  const sigma = std / 0.8796256610342398;
  for (let i = 0; i < n; i++) {
    let z: number;
    do z = normal(rand);
    while (Math.abs(z) > 2);
    out[i] = sigma * z;
  }
  return out;
}

/** LeCun normal for a Linear weight [out, in]: std 1/√fan_in, as the reference CastedLinear. */
export function lecunLinear(out: number, inp: number, rand: () => number): Float64Array {
  return truncNormal(out * inp, 1 / Math.sqrt(inp), rand);
}
