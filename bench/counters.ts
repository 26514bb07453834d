/**
 * What each implementation asks of the shared GPUDevice, counted the same way for both by wrapping the device:
 * compute dispatches, queue submits, and the bytes of GPU buffers each one holds (created while it was the
 * current owner and not yet destroyed). Pooled buffers stay alive, so after warm-up `peakBytes` is the
 * implementation's footprint at its largest.
 */
export class GpuCounters {
  dispatches = 0;
  submits = 0;
  owner = 'harness';
  /** The benchmark row being run: footprints are kept per row and owner. */
  row = '';
  private readonly live = new Map<string, number>();
  private readonly peak = new Map<string, number>();

  constructor(device: GPUDevice) {
    const self = this;
    const createBuffer = device.createBuffer.bind(device);
    device.createBuffer = (desc: GPUBufferDescriptor) => {
      const buf = createBuffer(desc);
      const owner = `${self.row}|${self.owner}`, size = buf.size;
      self.add(owner, size);
      const destroy = buf.destroy.bind(buf);
      let alive = true;
      buf.destroy = () => {
        if (alive) self.add(owner, -size);
        alive = false;
        destroy();
      };
      return buf;
    };
    const submit = device.queue.submit.bind(device.queue);
    device.queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
      self.submits++;
      submit(buffers);
    };
    // Pass encoders are made per pass; their class is patched once through a throwaway instance.
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    const proto = Object.getPrototypeOf(pass) as GPUComputePassEncoder;
    pass.end();
    enc.finish();
    const dispatch = proto.dispatchWorkgroups;
    proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, x: number, y?: number, z?: number) {
      self.dispatches++;
      dispatch.call(this, x, y, z);
    };
  }

  private add(owner: string, bytes: number): void {
    const v = (this.live.get(owner) ?? 0) + bytes;
    this.live.set(owner, v);
    this.peak.set(owner, Math.max(this.peak.get(owner) ?? 0, v));
  }

  /** The owner's largest footprint during the current row. */
  peakBytes(owner: string): number {
    return this.peak.get(`${this.row}|${owner}`) ?? 0;
  }

  /** Run fn with buffers it creates charged to owner. */
  async as<T>(owner: string, fn: () => Promise<T> | T): Promise<T> {
    const prev = this.owner;
    this.owner = owner;
    try {
      return await fn();
    } finally {
      this.owner = prev;
    }
  }
}
