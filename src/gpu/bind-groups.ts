/**
 * Bind groups keyed by pipeline and the buffer ranges they bind. A training loop binds the same pooled buffers,
 * at the same uniform-arena offsets, in the same order every step, so after the first step a dispatch reuses its
 * bind group instead of creating one (which, with its descriptor garbage, was a third of the CPU time spent
 * recording a step).
 */
export class BindGroupCache {
  private readonly groups = new Map<string, GPUBindGroup>();
  private readonly ids = new WeakMap<object, number>();
  private readonly layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  private nextId = 0;
  hits = 0;
  misses = 0;

  /** `limit` bounds the bind groups held (each keeps its buffers alive); past it the cache starts over. */
  constructor(
    private readonly device: GPUDevice,
    private readonly limit = 16384,
  ) {}

  private id(o: object): number {
    let i = this.ids.get(o);
    if (i === undefined) this.ids.set(o, (i = this.nextId++));
    return i;
  }

  /** The bind group for `pipeline` with bindings[i] at @binding(i); null leaves that binding out. */
  get(pipeline: GPUComputePipeline, bindings: readonly (GPUBufferBinding | null)[]): GPUBindGroup {
    let key = `${this.id(pipeline)}`;
    for (const b of bindings) key += b ? `|${this.id(b.buffer)}@${b.offset ?? 0}+${b.size ?? -1}` : '|';
    const hit = this.groups.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    this.misses++;
    if (this.groups.size >= this.limit) this.groups.clear();
    const entries: GPUBindGroupEntry[] = [];
    bindings.forEach((resource, binding) => {
      if (resource) entries.push({ binding, resource });
    });
    const group = this.device.createBindGroup({ layout: this.layoutOf(pipeline), entries });
    this.groups.set(key, group);
    return group;
  }

  private layoutOf(pipeline: GPUComputePipeline): GPUBindGroupLayout {
    let l = this.layouts.get(pipeline);
    if (!l) this.layouts.set(pipeline, (l = pipeline.getBindGroupLayout(0)));
    return l;
  }

  /** Drop every bind group, e.g. when pooled buffers are destroyed. */
  clear(): void {
    this.groups.clear();
  }

  get size(): number {
    return this.groups.size;
  }
}
