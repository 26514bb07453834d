import { describe, expect, it } from 'vitest';
import { isCheckpointPath, parseRepoRef, repoCheckpoints, resolveUrl } from '../../src/io/hf-repo';
import { expectUserMessage, rejectionMessage } from '../helpers/user-message';

describe('parseRepoRef: what the open box names on Hugging Face', () => {
  it('reads owner/name with an optional revision and path, and the repo pages', () => {
    expect(parseRepoRef('alphaXiv/trm-model-arc-agi-1')).toEqual({ repo: 'alphaXiv/trm-model-arc-agi-1', revision: 'main', path: null });
    expect(parseRepoRef(' Trelis/TRM-ARC-AGI-II@v1.0/checkpoints/step_723914 ')).toEqual({ repo: 'Trelis/TRM-ARC-AGI-II', revision: 'v1.0', path: 'checkpoints/step_723914' });
    expect(parseRepoRef('gaoxin492/TinyRecursiveModels-Sudoku-Extreme-mlp/run1/')).toEqual({ repo: 'gaoxin492/TinyRecursiveModels-Sudoku-Extreme-mlp', revision: 'main', path: 'run1' });
    expect(parseRepoRef('https://huggingface.co/gaoxin492/TinyRecursiveModel-Maze-Hard')).toEqual({ repo: 'gaoxin492/TinyRecursiveModel-Maze-Hard', revision: 'main', path: null });
    expect(parseRepoRef('https://huggingface.co/o/n/tree/dev/ckpt?x=1')).toEqual({ repo: 'o/n', revision: 'dev', path: 'ckpt' });
    expect(parseRepoRef('https://huggingface.co/o/n/blob/main/step_5')).toEqual({ repo: 'o/n', revision: 'main', path: 'step_5' });
  });

  it('leaves URLs to read as they are (a resolve URL, other hosts) and what is not a repo id', () => {
    for (const t of ['https://huggingface.co/o/n/resolve/main/step_5', 'https://example.test/o/n', 'http://localhost:8000/step_1', 'justaname', '/o/n', 'o//n', '-o/n'])
      expect(parseRepoRef(t), t).toBeNull();
  });

  it('knows a checkpoint file by its name', () => {
    for (const p of ['step_1234', 'ckpt/step_5', 'model.safetensors', 'x/model.PT']) expect(isCheckpointPath(p), p).toBe(true);
    for (const p of ['step_5_train_state.pt', 'all_config.yaml', 'README.md', 'step_x', 'optimizer.pt']) expect(isCheckpointPath(p), p).toBe(false);
    expect(resolveUrl({ repo: 'o/n', revision: 'refs/pr/1', path: null }, 'a b/step_1')).toBe('https://huggingface.co/o/n/resolve/refs%2Fpr%2F1/a%20b/step_1');
  });
});

/** The models API answering `status` with `siblings`, recording the URLs asked. */
function api(status: number, siblings?: string[]) {
  const asked: string[] = [];
  const get = (async (url: string | URL | Request) => {
    asked.push(String(url));
    return new Response(siblings ? JSON.stringify({ id: 'o/n', siblings: siblings.map((rfilename) => ({ rfilename })) }) : 'x', { status });
  }) as typeof fetch;
  return { get, asked };
}

describe('repoCheckpoints: the checkpoints a repo holds', () => {
  const FILES = ['README.md', '.gitattributes', 'ckpt/all_config.yaml', 'ckpt/step_100', 'ckpt/step_2000', 'ckpt/step_2000_train_state.pt', 'other/model.safetensors'];

  it('lists them from the file list, latest step first, as resolve URLs', async () => {
    const { get, asked } = api(200, FILES);
    const found = await repoCheckpoints(parseRepoRef('o/n')!, get);
    expect(asked).toEqual(['https://huggingface.co/api/models/o/n/revision/main']);
    expect(found.map((f) => f.path)).toEqual(['ckpt/step_2000', 'ckpt/step_100', 'other/model.safetensors']);
    expect(found[0].url).toBe('https://huggingface.co/o/n/resolve/main/ckpt/step_2000');
    expect((await repoCheckpoints(parseRepoRef('o/n/other')!, get)).map((f) => f.path)).toEqual(['other/model.safetensors']);
    expect((await repoCheckpoints(parseRepoRef('o/n@abc/ckpt/step_100')!, get)).map((f) => f.url)).toEqual(['https://huggingface.co/o/n/resolve/abc/ckpt/step_100']);
  });

  it('says in one line what is wrong: unknown, gated or private, empty, unreachable', async () => {
    const msg = async (text: string, get: typeof fetch) => rejectionMessage(repoCheckpoints(parseRepoRef(text)!, get));
    expectUserMessage(await msg('o/missing', api(404).get), /^"o\/missing": no such model repo on Hugging Face$/);
    expectUserMessage(await msg('o/n@nope', api(404).get), /^"o\/n@nope": no such model repo or revision on Hugging Face$/);
    expectUserMessage(await msg('o/gated', api(401).get), /^"o\/gated": Hugging Face answered 401: the repo is gated or private \(or does not exist\), and the page cannot sign in; download the checkpoint and open the file$/);
    expectUserMessage(await msg('o/gated', api(403).get), /answered 403: the repo is gated or private/);
    expectUserMessage(await msg('o/n', api(200, ['README.md', 'step_3_train_state.pt']).get), /^"o\/n" holds no checkpoint \(step_N, \.safetensors or \.pt\) among its 2 files$/);
    expectUserMessage(await msg('o/n/nowhere', api(200, FILES).get), /^"o\/n" has no file or folder "nowhere"$/);
    expectUserMessage(await msg('o/n', api(500).get), /^"o\/n": Hugging Face answered 500$/);
    expectUserMessage(await msg('o/n', (async () => new Response('<html>', { status: 200 })) as typeof fetch), /^"o\/n": Hugging Face's file list could not be read$/);
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    expectUserMessage(await msg('o/n', offline), /^"o\/n": Hugging Face could not be reached \(offline, or this page is not allowed to ask it: CORS\)$/);
  });
});
