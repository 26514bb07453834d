/**
 * Buffers by size class, reused instead of destroyed: a training loop reaches a steady state where
 * no step creates a GPU buffer. Classes step by a quarter octave (≤ 25% waste) but never by less than
 * 256 bytes, the storage-offset alignment.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(256, bytes);
  const step = Math.max(256, 2 ** Math.floor(Math.log2(b)) / 4);
  return Math.ceil(b / step) * step;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  created = 0;
  bytes = 0;
  live = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number, usage: GPUBufferUsageFlags, label?: string): GPUBuffer {
    const size = sizeClass(bytes);
    const key = `${usage}:${size}`;
    const list = this.free.get(key);
    this.live++;
    const reused = list?.pop();
    if (reused) return reused;
    this.created++;
    this.bytes += size;
    return this.device.createBuffer({ size, usage, label });
  }

  release(buffer: GPUBuffer): void {
    const key = `${buffer.usage}:${buffer.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
    this.live--;
  }

  /** Destroy every pooled (free) buffer, e.g. after a large one-off job. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.bytes -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
  }
}
