import { useRef, useState } from 'react';
import { trainActions, useTrain, type OpenedSummary } from '../../state/train-store';
import { ErrorNote } from './ErrorNote';
import { OpenedCheckpointInfo } from './OpenedCheckpointInfo';

function download(bytes: Uint8Array, fileName: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Export the run as .safetensors; open a checkpoint (TRM Lab, or the reference's step_N / safetensors with its
 * all_config.yaml picked alongside) from files or a URL; save to browser storage now.
 */
export function CheckpointPanel() {
  const hasRun = useTrain((s) => s.run !== null);
  const ready = useTrain((s) => s.engine.status === 'ready');
  const runId = useTrain((s) => s.run?.id);
  const storageOn = useTrain((s) => s.storage.kind !== 'none' && s.storage.kind !== null);
  const { exportCheckpoint, openCheckpoint, saveNow } = trainActions();
  const [busy, setBusy] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [opened, setOpened] = useState<OpenedSummary | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const open = (source: Parameters<typeof openCheckpoint>[0]) =>
    void run('import', async () => {
      const o = await openCheckpoint(source);
      if (o) setOpened(o);
    });
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
        <button type="button" disabled={!ready || busy !== null} onClick={() => file.current?.click()} title="Open a checkpoint: TRM Lab .safetensors, or the reference's step_N / .safetensors (pick its all_config.yaml with it)">
          {busy === 'import' ? 'Opening…' : 'Open a checkpoint…'}
        </button>
        <input
          ref={file}
          type="file"
          multiple
          aria-label="Checkpoint file to open, with all_config.yaml optionally"
          data-testid="checkpoint-import"
          hidden
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) open({ files });
          }}
        />
        <button type="button" disabled={!hasRun || !storageOn || busy !== null} onClick={() => void run('save', saveNow)} title="Autosave now (also every few hundred steps and on pause)">
          {busy === 'save' ? 'Saving…' : 'Save now'}
        </button>
      </div>
      <form
        className="td-io-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) open({ url: url.trim() });
        }}
      >
        <input
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://…/step_N or .safetensors"
          aria-label="Checkpoint URL"
          data-testid="checkpoint-url"
          style={{ flex: 1, minWidth: 0 }}
        />
        <button type="submit" data-testid="checkpoint-url-open" disabled={!ready || busy !== null || !url.trim()} title="Read the checkpoint by HTTP range requests, with all_config.yaml beside it when there is one">
          Open URL
        </button>
      </form>
      <ErrorNote slot="checkpoint" />
      {opened && opened.runId === runId && <OpenedCheckpointInfo opened={opened} />}
    </section>
  );
}
