/**
 * Hugging Face repo ids in the page's open dialog. "owner/name", optionally "@revision" and a file or folder path
 * (or the repo's page URL), is looked up in the public models API (its file list; a few kilobytes, so no client
 * library) and resolved to the `resolve` URLs of the checkpoints it holds: `step_N`, `*.safetensors`, `*.pt`
 * (not the optimizer's `*_train_state.pt`). The all_config.yaml beside each is found by openCheckpointUrl.
 */
import { isJsonObject } from './json-value';
import { InputError, quote } from './user-error';

export const HF_HOST = 'https://huggingface.co';

export interface RepoRef {
  /** owner/name */
  repo: string;
  revision: string;
  /** A file or folder inside the repo, or null for the whole repo. */
  path: string | null;
}

export interface RepoCheckpoint {
  /** The file's path in the repo. */
  path: string;
  url: string;
}

const PART = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?';
const REPO_ID = new RegExp(`^(${PART}/${PART})(?:@([^/\\s]{1,100}))?(?:/(\\S+))?$`);
/** The repo's pages: /owner/name, /owner/name/tree/REV[/folder], /owner/name/blob/REV/file. */
const REPO_PAGE = new RegExp(`^/(${PART}/${PART})(?:/(?:tree|blob)/([^/]+)(?:/(.+))?)?/?$`);

/** What the open box's text names on Hugging Face, or null when it is not a repo id (a URL to read as it is). */
export function parseRepoRef(text: string): RepoRef | null {
  const t = text.trim();
  const page = /^https:\/\/huggingface\.co(\/.*)$/.exec(t);
  const m = page ? REPO_PAGE.exec(page[1].split(/[?#]/)[0]) : /^[a-z][a-z0-9+.-]*:/i.test(t) ? null : REPO_ID.exec(t);
  if (!m) return null;
  const path = m[3] ? decodeSafely(m[3]).replace(/\/+$/, '') : null;
  return { repo: m[1], revision: m[2] ? decodeSafely(m[2]) : 'main', path: path || null };
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A checkpoint file name: step_N, *.safetensors or *.pt, not an optimizer state. */
export function isCheckpointPath(path: string): boolean {
  const name = path.split('/').pop() ?? '';
  if (/train_state|optim/i.test(name)) return false;
  return /^step_\d+$/.test(name) || /\.(safetensors|pt)$/i.test(name);
}

const stepOf = (path: string) => Number(/(?:^|\/)step_(\d+)(?:\.\w+)?$/.exec(path)?.[1] ?? -1);

export function resolveUrl(ref: RepoRef, path: string): string {
  return `${HF_HOST}/${ref.repo}/resolve/${encodeURIComponent(ref.revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The checkpoints `ref` holds (under its path, when it names a folder; just it, when it names a file), latest step
 * first. Throws InputError with one line for an unknown repo or revision, a gated or private one, a repo without a
 * checkpoint, and a network (or CORS) failure.
 */
export async function repoCheckpoints(ref: RepoRef, get: typeof fetch = fetch): Promise<RepoCheckpoint[]> {
  const name = quote(`${ref.repo}${ref.revision === 'main' ? '' : `@${ref.revision}`}`, 120);
  const api = `${HF_HOST}/api/models/${ref.repo}/revision/${encodeURIComponent(ref.revision)}`;
  let res: Response;
  try {
    res = await get(api);
  } catch {
    throw new InputError(`${name}: Hugging Face could not be reached (offline, or this page is not allowed to ask it: CORS)`);
  }
  if (res.status === 401 || res.status === 403)
    throw new InputError(`${name}: Hugging Face answered ${res.status}: the repo is gated or private (or does not exist), and the page cannot sign in; download the checkpoint and open the file`);
  if (res.status === 404) throw new InputError(`${name}: no such model repo${ref.revision === 'main' ? '' : ' or revision'} on Hugging Face`);
  if (!res.ok) throw new InputError(`${name}: Hugging Face answered ${res.status}`);
  let files: string[];
  try {
    const body: unknown = await res.json();
    const siblings = isJsonObject(body) ? body.siblings : undefined;
    if (!Array.isArray(siblings)) throw new Error('no siblings');
    files = siblings.map((s: unknown) => (isJsonObject(s) && typeof s.rfilename === 'string' ? s.rfilename : '')).filter(Boolean);
  } catch {
    throw new InputError(`${name}: Hugging Face's file list could not be read`);
  }
  const p = ref.path;
  const inScope = p === null ? files : files.includes(p) ? [p] : files.filter((f) => f.startsWith(`${p}/`));
  if (p !== null && !inScope.length) throw new InputError(`${name} has no file or folder ${quote(p, 120)}`);
  const found = inScope.filter(isCheckpointPath);
  if (!found.length) throw new InputError(`${name} holds no checkpoint (step_N, .safetensors or .pt) among its ${inScope.length} file${inScope.length === 1 ? '' : 's'}${p === null ? '' : ` under ${quote(p, 120)}`}`);
  found.sort((a, b) => stepOf(b) - stepOf(a) || a.localeCompare(b));
  return found.map((path) => ({ path, url: resolveUrl(ref, path) }));
}
