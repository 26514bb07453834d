import { useRef, useState } from 'react';
import { trainActions, useTrain } from '../../state/train-store';
import { ErrorNote } from './ErrorNote';

function download(bytes: Uint8Array, fileName: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Export the run as .safetensors, open a checkpoint file, save to browser storage now. */
export function CheckpointPanel() {
  const hasRun = useTrain((s) => s.run !== null);
  const ready = useTrain((s) => s.engine.status === 'ready');
  const storageOn = useTrain((s) => s.storage.kind !== 'none' && s.storage.kind !== null);
  const { exportCheckpoint, importCheckpoint, saveNow } = trainActions();
  const [busy, setBusy] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(what);
    try {
      await fn();
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="td-panel td-io" aria-label="Checkpoints" data-testid="train-checkpoints">
      <h3>Checkpoint</h3>
      <div className="td-io-row">
        <button
          type="button"
          data-testid="checkpoint-export"
          disabled={!hasRun || busy !== null}
          title="Download weights, optimizer state and config as .safetensors"
          onClick={() =>
            void run('export', async () => {
              const out = await exportCheckpoint();
              if (out) download(out.bytes, out.fileName);
            })
          }
        >
          {busy === 'export' ? 'Exporting…' : 'Export .safetensors'}
        </button>
        <button type="button" disabled={!ready || busy !== null} onClick={() => file.current?.click()} title="Open a TRM Lab checkpoint: its config and weights; training can continue">
          {busy === 'import' ? 'Opening…' : 'Import…'}
        </button>
        <input
          ref={file}
          type="file"
          accept=".safetensors,application/octet-stream"
          aria-label="Checkpoint file to import"
          data-testid="checkpoint-import"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void run('import', () => importCheckpoint(f, f.name));
          }}
        />
        <button type="button" disabled={!hasRun || !storageOn || busy !== null} onClick={() => void run('save', saveNow)} title="Autosave now (also every few hundred steps and on pause)">
          {busy === 'save' ? 'Saving…' : 'Save now'}
        </button>
      </div>
      <ErrorNote slot="checkpoint" />
    </section>
  );
}
