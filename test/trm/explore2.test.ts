import { it } from 'vitest';
import { matmulForward } from '../../src/ops/matmul';
import { addForward } from '../../src/ops/elementwise';
import { swigluForward } from '../../src/ops/swiglu';
import { addRmsNormForward } from '../../src/ops/rmsnorm';
import { gpuEngine, randn } from '../helpers/engines';

it('explore2', async () => {
  const e = await gpuEngine();
  const a = e.fromArray(randn(544 * 32, 1), [544, 32]);
  const w = e.fromArray(randn(176 * 32, 1), [176, 32]);
  const time = async (name: string, f: () => void, n = 20) => {
    f(); await e.sync();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) e.scope(() => { f(); });
    await e.sync();
    console.log(name, ((performance.now() - t0) / n).toFixed(2), 'ms');
  };
  await time('matmul 544x32x176', () => matmulForward(e, a, w, { transB: true }));
  await time('matmul 544x176x32', () => matmulForward(e, e.scope(() => matmulForward(e, a, w, { transB: true })), w));
  await time('add 17k', () => addForward(e, a, a));
  const u = e.fromArray(randn(544 * 176, 2), [544, 176]);
  await time('swiglu', () => swigluForward(e, u));
  const h = e.fromArray(randn(32 * 17 * 32, 3), [32, 17, 32]);
  await time('rmsnorm ch', () => addRmsNormForward(e, h, h, { axis: 'channel' }));
  await time('rmsnorm seq', () => addRmsNormForward(e, h, h, { axis: 'sequence' }));
}, 600000);
