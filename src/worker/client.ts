// The page's side of the worker protocol: typed requests answered by requestId, and an event stream.
import { bound, userMessage } from '../io/user-error';
import type { WorkerEvent, WorkerRequest } from './protocol';

/** The event that answers each kind of request (an 'error' with the same requestId rejects it). */
const RESPONSE = {
  init: 'ready',
  'create-run': 'run-created',
  'load-checkpoint': 'run-created',
  'save-checkpoint': 'checkpoint',
  trace: 'trace',
  examples: 'examples',
  evaluate: 'eval',
  adapt: 'adapt-done',
  'solve-arc': 'arc-solved',
  probe: 'probe',
  throughput: 'throughput',
} as const;

export type RequestType = keyof typeof RESPONSE;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request the client numbers and answers with a promise. */
export type ClientRequest = DistributiveOmit<Extract<WorkerRequest, { type: RequestType }>, 'requestId'>;
export type ResponseOf<K extends RequestType> = Extract<WorkerEvent, { type: (typeof RESPONSE)[K] }>;
/** Requests with no answer: their effects arrive as events ('state', 'metrics', 'error'). */
export type CommandRequest = Extract<WorkerRequest, { type: 'start' | 'pause' | 'stop' | 'set-live' }>;

/** What the client needs of a Worker (a fake in tests). */
export interface WorkerPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (e: Event) => void): void;
  terminate(): void;
}

export type Listener = (ev: WorkerEvent) => void;

/** The client interface the stores use (so tests can substitute a fake). */
export interface TrainClient {
  /** `onEvent` sees the events the worker sends for this request before its answer (progress). */
  request<R extends ClientRequest>(req: R, transfer?: Transferable[], onEvent?: Listener): Promise<ResponseOf<R['type']>>;
  send(req: CommandRequest): void;
  on(listener: Listener): () => void;
  terminate(): void;
}

interface Pending {
  expect: WorkerEvent['type'];
  resolve(ev: WorkerEvent): void;
  reject(err: Error): void;
  onEvent?: Listener;
}

export class WorkerClient implements TrainClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<Listener>();

  constructor(private readonly port: WorkerPort) {
    port.addEventListener('message', (e) => this.receive(e.data as WorkerEvent));
    port.addEventListener('error', (e) => {
      const msg = bound((e as ErrorEvent).message || 'the training worker failed to start (script error)');
      this.failAll(msg);
      this.emit({ type: 'error', message: `Worker: ${msg}` });
    });
  }

  request<R extends ClientRequest>(req: R, transfer: Transferable[] = [], onEvent?: Listener): Promise<ResponseOf<R['type']>> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { expect: RESPONSE[req.type], resolve: resolve as (ev: WorkerEvent) => void, reject, onEvent });
      try {
        this.port.postMessage({ ...req, requestId }, transfer);
      } catch (err) {
        // Not plain data (a function, a class instance, a detached buffer): nothing reached the worker.
        this.pending.delete(requestId);
        reject(new Error(userMessage(err, `the ${req.type} request`)));
      }
    });
  }

  send(req: CommandRequest): void {
    try {
      this.port.postMessage(req, []);
    } catch (err) {
      this.emit({ type: 'error', message: userMessage(err, `the ${req.type} command`) });
    }
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  terminate(): void {
    this.failAll('the worker was terminated');
    this.port.terminate();
  }

  private receive(ev: WorkerEvent): void {
    const id = 'requestId' in ev ? ev.requestId : undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (p && (ev.type === 'error' || ev.type === p.expect)) {
      this.pending.delete(id!);
      if (ev.type === 'error') p.reject(new Error(ev.message));
      else p.resolve(ev);
    } else p?.onEvent?.(ev);
    this.emit(ev);
  }

  private emit(ev: WorkerEvent): void {
    for (const l of this.listeners) l(ev);
  }

  private failAll(msg: string): void {
    for (const p of this.pending.values()) p.reject(new Error(msg));
    this.pending.clear();
  }
}

/** Spawn the training worker (a module worker bundled by Vite). */
export function createWorkerClient(): WorkerClient {
  return new WorkerClient(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
}
