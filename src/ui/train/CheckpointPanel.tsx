import { useRef, useState } from 'react';
import { parseRepoRef, repoCheckpoints, type RepoCheckpoint } from '../../io/hf-repo';
import type { OpenProgress } from '../../io/open-checkpoint';
import { userMessage } from '../../io/user-error';
import { trainActions, useTrain, type OpenedSummary } from '../../state/train-store';
import { ErrorNote } from './ErrorNote';
import { fmtBytes, OpenedCheckpointInfo } from './OpenedCheckpointInfo';

function download(bytes: Uint8Array, fileName: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** How far an open got: "reading 12.3 MiB of 26.1 MiB (10.0 MiB from the browser cache) · inner.L_level…". */
function OpenProgressLine({ p }: { p: OpenProgress }) {
  const of = p.total === null ? '' : ` of ${fmtBytes(p.total)}`;
  const cached = p.cached ? ` (${fmtBytes(p.cached)} from the browser cache)` : '';
  return (
    <div className="td-io-row" role="status" aria-live="polite">
      <progress data-testid="checkpoint-progress" max={p.total ?? undefined} value={p.total === null ? undefined : p.read} />
      <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
        {`reading ${fmtBytes(p.read)}${of}${cached} · ${p.what}`}
      </span>
    </div>
  );
}

/**
 * Export the run as .safetensors; open a checkpoint (TRM Lab, or the reference's step_N / safetensors with its
 * all_config.yaml picked alongside) from files, a URL or a Hugging Face repo id (a choice when it holds several);
 * save to browser storage now. While a checkpoint opens, how far it got; once open, its facts.
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
  const [progress, setProgress] = useState<OpenProgress | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const [choices, setChoices] = useState<RepoCheckpoint[] | null>(null);
  const [choice, setChoice] = useState('');
  const [repoError, setRepoError] = useState<string | null>(null);
  const openNow = async (source: Parameters<typeof openCheckpoint>[0]) => {
    try {
      const o = await openCheckpoint(source, setProgress);
      if (o) setOpened(o);
    } finally {
      setProgress(null);
    }
  };
  const open = (source: Parameters<typeof openCheckpoint>[0]) => void run('import', () => openNow(source));
  // A repo id is looked up first: one checkpoint opens, several are offered to choose from.
  const openText = (text: string) => {
    const ref = parseRepoRef(text);
    setChoices(null);
    setRepoError(null);
    if (!ref) return open({ url: text });
    void run('import', async () => {
      try {
        const found = await repoCheckpoints(ref);
        if (found.length === 1) return await openNow({ url: found[0].url });
        setChoices(found);
        setChoice(found[0].url);
      } catch (err) {
        setRepoError(userMessage(err));
      }
    });
  };
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
          if (url.trim()) openText(url.trim());
        }}
      >
        <input
          type="text"
          inputMode="url"
          spellCheck={false}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://…/step_N, .safetensors, or a Hugging Face repo owner/name"
          aria-label="Checkpoint URL or Hugging Face repo id"
          data-testid="checkpoint-url"
          style={{ flex: 1, minWidth: 0 }}
        />
        <button type="submit" data-testid="checkpoint-url-open" disabled={!ready || busy !== null || !url.trim()} title="Read the checkpoint by HTTP range requests, with all_config.yaml beside it when there is one; a repo id (owner/name, @revision, /path) is looked up on Hugging Face">
          Open
        </button>
      </form>
      {choices && (
        <div className="td-io-row" data-testid="checkpoint-repo-choices">
          <select value={choice} onChange={(e) => setChoice(e.target.value)} aria-label="Checkpoint in the repo" data-testid="checkpoint-repo-choice" style={{ flex: 1, minWidth: 0 }}>
            {choices.map((c) => (
              <option key={c.url} value={c.url}>
                {c.path}
              </option>
            ))}
          </select>
          <button type="button" data-testid="checkpoint-repo-open" disabled={!ready || busy !== null} onClick={() => open({ url: choice })}>
            Open this one
          </button>
        </div>
      )}
      {repoError && (
        <div className="td-error" role="alert" data-testid="checkpoint-repo-error">
          <span>{repoError}</span>
          <button type="button" className="td-x" aria-label="Dismiss" title="Dismiss" onClick={() => setRepoError(null)}>
            ×
          </button>
        </div>
      )}
      {progress && <OpenProgressLine p={progress} />}
      <ErrorNote slot="checkpoint" />
      {opened && opened.runId === runId && <OpenedCheckpointInfo opened={opened} />}
    </section>
  );
}
