import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import { attention, attentionBackward, attentionForward, type AttentionConfig } from '../../src/ops/attention';
import { both, cpu, gpuEngine, parity, randn } from '../helpers/engines';
import { gradCheck } from '../helpers/gradcheck';

const ROPE = { base: 10000 };

describe('attention', () => {
  it.each([null, ROPE])('gradients match finite differences (float64), rope %o', (rope) => {
    const [B, S, H, Dh] = [2, 5, 2, 4];
    const n = B * S * 3 * H * Dh;
    // A small base makes every RoPE frequency turn visibly within 5 positions.
    const cfg: AttentionConfig = { heads: H, headDim: Dh, rope: rope && { base: 7 } };
    const err = gradCheck((t, [x]) => attention(t, x, cfg), [{ data: randn(n, 11), shape: [B, S, 3 * H * Dh] }], { samples: n });
    expect(err).toBeLessThan(1e-6);
  });

  it('the CPU twin agrees with a direct formula at S=1 and with RoPE at position 0', () => {
    // One token: softmax over a single key is 1, so out = v and lse = q·k/√Dh; RoPE is the identity at position 0.
    const x = randn(3 * 2 * 4, 3);
    const { out, lse } = attentionForward(cpu, cpu.fromArray(x, [1, 1, 24]), { heads: 2, headDim: 4, rope: ROPE });
    expect(Array.from(out.f64)).toEqual(Array.from(x.slice(16, 24)));
    for (let h = 0; h < 2; h++) {
      let s = 0;
      for (let d = 0; d < 4; d++) s += x[h * 4 + d] * x[8 + h * 4 + d];
      expect(lse.f64[h]).toBeCloseTo(s / 2, 14);
    }
  });

  it('rejects mismatched shapes with a message naming them', async () => {
    const x = cpu.zeros([2, 3, 24]);
    expect(() => attentionForward(cpu, x, { heads: 3, headDim: 4 })).toThrow(/last dim 24 != 3·heads·headDim = 3·3·4 = 36/);
    expect(() => attentionForward(cpu, cpu.zeros([6, 24]), { heads: 2, headDim: 4 })).toThrow(/\[B, S, 3·heads·headDim\], got \[6,24\]/);
    expect(() => attentionForward(cpu, cpu.zeros([1, 2, 9]), { heads: 1, headDim: 3, rope: ROPE })).toThrow(/even headDim/);
    const { out, lse } = attentionForward(cpu, x, { heads: 2, headDim: 4 });
    expect(() => attentionBackward(cpu, x, out, lse, cpu.zeros([2, 3, 9]), { heads: 2, headDim: 4 })).toThrow(/gradOut: expected shape \[2,3,8\], got \[2,3,9\]/);
    expect(() => attentionBackward(cpu, x, out, cpu.zeros([2, 3, 2]), out, { heads: 2, headDim: 4 })).toThrow(/lse: expected shape \[2,2,3\], got \[2,3,2\]/);
    const e = await gpuEngine();
    expect(() => attentionForward(e, e.zeros([1, 2, 18]), { heads: 1, headDim: 6 })).toThrow(/multiple of 4 and at most 64, got 6/);
  });
});

// Forward tolerance 1e-5 and backward 2e-5, normwise relative (max |gpu − cpu| / max |cpu|): f32 online softmax
// and reductions over up to S·Dh terms against a float64 full-matrix oracle.
const FWD_TOL = 1e-5;
const BWD_TOL = 2e-5;

interface Case { B: number; S: number; H: number; Dh: number; rope: boolean; scale?: number }

const CASES: Case[] = [
  { B: 1, S: 1, H: 1, Dh: 4, rope: true },
  { B: 2, S: 1, H: 3, Dh: 8, rope: true },
  { B: 1, S: 3, H: 2, Dh: 4, rope: true },
  { B: 2, S: 3, H: 1, Dh: 16, rope: false },
  { B: 2, S: 17, H: 3, Dh: 4, rope: true },
  { B: 1, S: 17, H: 2, Dh: 16, rope: false },
  { B: 1, S: 33, H: 1, Dh: 16, rope: true },
  { B: 2, S: 33, H: 2, Dh: 8, rope: true },
  { B: 1, S: 65, H: 3, Dh: 16, rope: false },
  { B: 2, S: 65, H: 1, Dh: 4, rope: true },
  { B: 1, S: 65, H: 2, Dh: 8, rope: true, scale: 3 },
  // Several workgroups of queries and keys, several key tiles (128 rows at Dh = 8, 64 at Dh = 16), peaky softmax.
  { B: 1, S: 300, H: 1, Dh: 8, rope: true, scale: 2 },
  { B: 1, S: 301, H: 2, Dh: 16, rope: false, scale: 2 },
  // TRM's head dim (16-row tiles, full register rows), and a tile height that is no power of two (80 rows).
  { B: 2, S: 41, H: 2, Dh: 64, rope: true, scale: 1.5 },
  { B: 1, S: 97, H: 1, Dh: 12, rope: false },
];

describe('attention on the GPU', () => {
  it.each(CASES)('matches the CPU twin: B=$B S=$S H=$H Dh=$Dh rope=$rope', async ({ B, S, H, Dh, rope, scale = 1 }) => {
    const e = await gpuEngine();
    const cfg: AttentionConfig = { heads: H, headDim: Dh, rope: rope ? ROPE : null };
    const label = `B=${B} S=${S} H=${H} Dh=${Dh} rope=${rope} scale=${scale}`;
    const seed = B * 1000 + S * 10 + H + Dh;
    const [cx, gx] = both(e, randn(B * S * 3 * H * Dh, seed, scale), [B, S, 3 * H * Dh]);
    const [cg, gg] = both(e, randn(B * S * H * Dh, seed + 1), [B, S, H * Dh]);
    const c = attentionForward(cpu, cx, cfg), g = attentionForward(e, gx, cfg);
    await parity('attention.forward', `${label} out`, g.out, c.out, FWD_TOL);
    await parity('attention.forward', `${label} lse`, g.lse, c.lse, FWD_TOL);
    // The GPU backward consumes its own forward's out/lse, as in training.
    await parity('attention.backward', label, attentionBackward(e, gx, g.out, g.lse, gg, cfg), attentionBackward(cpu, cx, c.out, c.lse, cg, cfg), BWD_TOL);
  });

  it('backward through the tape on the GPU equals the CPU twin', async () => {
    const e = await gpuEngine();
    const cfg: AttentionConfig = { heads: 2, headDim: 8, rope: ROPE };
    const [cx, gx] = both(e, randn(2 * 9 * 48, 5), [2, 9, 48]);
    const [cw, gw] = both(e, randn(2 * 9 * 16, 6), [2, 9, 16]);
    const grads = [cx, gx].map((x, k) => {
      const tape = new Tape(x.engine);
      tape.watch(x);
      const out = attention(tape, x, cfg);
      return tape.backward(out, [cw, gw][k]).get(x)!;
    });
    await parity('attention.backward', 'tape B=2 S=9 H=2 Dh=8 rope', grads[1], grads[0], BWD_TOL);
  });
});
