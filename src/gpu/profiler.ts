import { MAP_READ_MODE, Usage } from './flags';
const MAX_PASSES = 256;

/**
 * GPU time per labelled compute pass via timestamp queries (only where the adapter has
 * 'timestamp-query'). Results arrive asynchronously and accumulate in `totals` (ms per label).
 */
export class Profiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private readonly readBufs: GPUBuffer[] = [];
  private labels: string[] = [];
  readonly totals = new Map<string, { ms: number; count: number }>();

  constructor(private readonly device: GPUDevice) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: MAX_PASSES * 2 });
    this.resolveBuf = device.createBuffer({ size: MAX_PASSES * 16, usage: Usage.QUERY_RESOLVE | Usage.COPY_SRC });
  }

  passWrites(label: string): GPUComputePassTimestampWrites | undefined {
    if (this.labels.length >= MAX_PASSES) return undefined;
    const i = this.labels.length;
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  private pendingRead: { buf: GPUBuffer; labels: string[] } | null = null;

  resolve(encoder: GPUCommandEncoder): void {
    const n = this.labels.length;
    if (n === 0) return;
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolveBuf, 0);
    const buf = this.readBufs.pop() ?? this.device.createBuffer({ size: MAX_PASSES * 16, usage: Usage.MAP_READ | Usage.COPY_DST });
    encoder.copyBufferToBuffer(this.resolveBuf, 0, buf, 0, 16 * n);
    this.pendingRead = { buf, labels: this.labels };
    this.labels = [];
  }

  collect(): void {
    const job = this.pendingRead;
    if (!job) return;
    this.pendingRead = null;
    void job.buf.mapAsync(MAP_READ_MODE).then(() => {
      const t = new BigInt64Array(job.buf.getMappedRange());
      job.labels.forEach((label, i) => {
        const ms = Number(t[2 * i + 1] - t[2 * i]) / 1e6;
        const e = this.totals.get(label) ?? { ms: 0, count: 0 };
        e.ms += ms;
        e.count++;
        this.totals.set(label, e);
      });
      job.buf.unmap();
      this.readBufs.push(job.buf);
    });
  }
}
