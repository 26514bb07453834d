import { formatBytes } from '../../io/browser-storage';
import { trainActions, useTrain } from '../../state/train-store';
import { ErrorNote } from './ErrorNote';

/** Which engine trains: backend, adapter, features, GPU memory in use; why the CPU is used; re-init after a lost device. */
export function EngineBar() {
  const engine = useTrain((s) => s.engine);
  const { initEngine } = trainActions();
  const storage = useTrain((s) => s.storage);
  const badge = engine.status === 'ready' ? (engine.backend ?? '') : engine.status;
  const label = engine.status === 'ready' ? (engine.backend === 'gpu' ? 'WebGPU' : 'CPU fallback') : { off: 'engine off', starting: 'starting…', lost: 'device lost', error: 'engine failed' }[engine.status];
  return (
    <div className="td-panel" data-testid="train-engine">
      <div className="td-engine">
        <span className={`td-badge ${badge}`} data-testid="train-backend">{label}</span>
        {engine.adapter && (
          <span>
            <span className="td-dim">Adapter </span>
            <span data-testid="train-adapter">{engine.adapter}</span>
          </span>
        )}
        {engine.features.length > 0 && (
          <span className="td-chips" aria-label="Adapter features">
            {engine.features.map((f) => (
              <span key={f} className="td-chip">{f}</span>
            ))}
          </span>
        )}
        {engine.memory && (
          <span className="td-mono" data-testid="train-memory" title="GPU buffers held by the engine's pool (live and pooled), buffers ever created, live tensors">
            <span className="td-dim">{engine.backend === 'gpu' ? 'GPU memory ' : 'Tensors '}</span>
            {engine.backend === 'gpu' ? `${formatBytes(engine.memory.bytes)} · ${engine.memory.buffers} buffers · ` : ''}
            {engine.memory.liveTensors} live tensors
          </span>
        )}
        <span className="td-dim" data-testid="train-storage">
          Autosave: {storage.kind === null ? '…' : storage.kind === 'none' ? 'off (no browser storage)' : storage.kind === 'opfs' ? 'OPFS' : storage.kind === 'indexeddb' ? 'IndexedDB' : storage.kind}
          {storage.saving ? ' · saving…' : storage.lastSavedStep !== null ? ` · step ${storage.lastSavedStep}` : ''}
        </span>
        {(engine.status === 'lost' || engine.status === 'error') && (
          <button type="button" className="td-primary" onClick={() => void initEngine('auto')}>
            Re-initialise engine
          </button>
        )}
      </div>
      {engine.fallbackReason && (
        <div className="td-warn" data-testid="train-fallback">
          Training on the CPU (slow): {engine.fallbackReason}
        </div>
      )}
      <ErrorNote slot="engine" />
      <ErrorNote slot="storage" />
    </div>
  );
}
