import { describe, expect, it } from 'vitest';
import { GpuEngine } from '../../src/gpu/engine';
import { requestGpu, webgpuHelp, WebGpuUnavailableError } from '../../src/gpu/device';
import { sizeClass } from '../../src/gpu/pool';
import { addForward, scaleForward } from '../../src/ops/elementwise';
import { matmulForward } from '../../src/ops/matmul';
import { gpuEngine } from '../helpers/engines';

describe('buffer pool size classes', () => {
  it('waste at most 25% (or under 256 bytes) and are monotone', () => {
    let prev = 0;
    for (let b = 1; b < 1 << 22; b = Math.ceil(b * 1.07) + 1) {
      const c = sizeClass(b);
      expect(c).toBeGreaterThanOrEqual(b);
      expect(c).toBeGreaterThanOrEqual(prev);
      expect(c / b <= 1.25 || c - b < 256).toBe(true);
      prev = c;
    }
  });
});

describe('GPU runtime', () => {
  it('a missing WebGPU gives an error naming the browser and the flags', async () => {
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
    await expect(requestGpu(undefined, ua)).rejects.toThrow(WebGpuUnavailableError);
    await expect(requestGpu(undefined, ua)).rejects.toThrow(/Chrome.*--enable-unsafe-webgpu/s);
    expect(webgpuHelp('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0')).toMatch(/Firefox.*dom\.webgpu\.enabled/);
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await expect(requestGpu(noAdapter, ua)).rejects.toThrow(/no GPU adapter/);
  });

  it('memory scopes release everything but the result, and buffers are reused', async () => {
    const e = await gpuEngine();
    const before = e.stats();
    const a = e.fromArray([1, 2, 3], [3]);
    const kept = e.scope(() => {
      const t1 = scaleForward(e, a, 2);
      const t2 = addForward(e, t1, a);
      return { t2 };
    });
    expect(e.stats().liveTensors).toBe(before.liveTensors + 2);
    expect(Array.from(await e.read(kept.t2))).toEqual([3, 6, 9]);
    const step = () => e.scope(() => void addForward(e, scaleForward(e, a, 2), a));
    step(); // warm-up: the pool learns this loop's working set
    const created = e.stats().buffersCreated;
    for (let i = 0; i < 20; i++) step();
    expect(e.stats().buffersCreated).toBe(created);
    e.release(kept.t2);
    e.release(a);
    expect(e.stats().liveTensors).toBe(before.liveTensors);
  });

  it('an upload into a reused buffer does not overtake recorded work that read its previous owner', async () => {
    const e = await gpuEngine();
    const a = e.fromArray([1, 1, 1, 1], [4]);
    const out = scaleForward(e, a, 3); // recorded, not yet submitted
    e.release(a);
    const b = e.fromArray([7, 7, 7, 7], [4]); // takes a's pooled buffer
    expect(b.gpu.buffer).toBe(a.gpu.buffer);
    expect(Array.from(await e.read(out))).toEqual([3, 3, 3, 3]);
    expect(Array.from(await e.read(b))).toEqual([7, 7, 7, 7]);
    e.release(out);
    e.release(b);
  });

  it('a repeated step reuses its bind groups, and a changed binding gets its own', async () => {
    const e = new GpuEngine((await gpuEngine()).handle);
    const a = e.fromArray([1, 2, 3], [3]);
    const b = e.fromArray([10, 20, 30], [3]);
    const step = async (x = a, y = b) => {
      const out = e.scope(() => addForward(e, scaleForward(e, x, 2), y));
      const v = Array.from(await e.read(out));
      e.release(out);
      return v;
    };
    expect(await step()).toEqual([12, 24, 36]);
    expect(await step()).toEqual([12, 24, 36]); // the pool's free lists settle after one step
    const { hits, misses } = e.bindGroups;
    for (let i = 0; i < 5; i++) expect(await step()).toEqual([12, 24, 36]);
    expect(e.bindGroups.misses).toBe(misses);
    expect(e.bindGroups.hits).toBe(hits + 10);
    // Same pipelines and uniform slots, other buffers: the cached groups must not be handed out.
    const c = e.fromArray([5, 5, 5], [3]);
    expect(await step(c, a)).toEqual([11, 12, 13]);
    expect(e.bindGroups.misses).toBe(misses + 2);
    e.trim();
    expect(e.bindGroups.size).toBe(0);
  });

  it('the software-adapter kernels follow the engine option, not the adapter alone', async () => {
    const base = await gpuEngine();
    expect(base.softwareKernels).toBe(base.handle.info.isSoftware);
    for (const softwareKernels of [true, false]) {
      const compiled: string[] = [];
      const device = new Proxy(base.device, {
        get: (t, k) => {
          if (k === 'createComputePipeline') return (d: GPUComputePipelineDescriptor) => (compiled.push(d.label!), t.createComputePipeline(d));
          const v = Reflect.get(t, k, t) as unknown;
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
      const e = new GpuEngine({ ...base.handle, device }, { softwareKernels });
      const a = e.fromArray([1, 2, 3, 4], [2, 2]);
      expect(Array.from(await e.read(matmulForward(e, a, a)))).toEqual([7, 10, 15, 22]);
      expect(compiled.some((l) => l.startsWith('matmul:matmul_direct'))).toBe(softwareKernels);
    }
  });

  it('readbacks are asynchronous and can overlap', async () => {
    const e = await gpuEngine();
    const xs = [1, 2, 3].map((v) => e.fromArray([v, v], [2]));
    const reads = xs.map((x) => e.read(scaleForward(e, x, 10)));
    expect((await Promise.all(reads)).map((r) => Array.from(r))).toEqual([[10, 10], [20, 20], [30, 30]]);
  });

  it('views into one arena bind at 256-byte aligned offsets', async () => {
    const e = await gpuEngine();
    const arena = e.fromArray(Array.from({ length: 192 }, (_, i) => i), [192]);
    const v = e.view(arena, 64, [2, 3]);
    expect(Array.from(await e.read(v))).toEqual([64, 65, 66, 67, 68, 69]);
    expect(() => e.view(arena, 3, [2])).toThrow(/aligned/);
    const doubled = scaleForward(e, v, 2);
    expect(Array.from(await e.read(doubled))).toEqual([128, 130, 132, 134, 136, 138]);
  });

  it('reports device loss to the app once, with the reason', async () => {
    const real = await gpuEngine();
    let lose!: (info: GPUDeviceLostInfo) => void;
    const lost = new Promise<GPUDeviceLostInfo>((r) => (lose = r));
    const device = new Proxy(real.device, {
      get: (t, k) => {
        if (k === 'lost') return lost;
        const v = Reflect.get(t, k, t) as unknown;
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
    const e = new GpuEngine({ ...real.handle, device });
    const seen: string[] = [];
    e.onLost((r) => seen.push(r));
    lose({ reason: 'unknown', message: 'driver reset' } as GPUDeviceLostInfo);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['GPU device lost: driver reset']);
    expect(() => e.empty([4])).toThrow(/device lost/);
  });

  it('the profiler times labelled passes where timestamp-query exists', async () => {
    const base = await gpuEngine();
    if (!base.handle.hasTimestamps) {
      expect(new GpuEngine(base.handle, { profile: true }).profiler).toBeNull();
      return;
    }
    const e = new GpuEngine(base.handle, { profile: true });
    const a = e.fromArray(new Array(4096).fill(1), [4096]);
    e.recorder.section('scale');
    scaleForward(e, a, 2);
    await e.sync();
    await new Promise((r) => setTimeout(r, 50));
    await e.sync();
    const t = e.profiler!.totals.get('scale');
    expect(t?.count).toBe(1);
    expect(t!.ms).toBeGreaterThanOrEqual(0);
  });
});
