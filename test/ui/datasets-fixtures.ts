/** Shared by the datasets tests: the public datasets in ../shared/datasets served in place of the network. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FetchLike } from '../../src/data/arc-sources';
import { publicUrlToLocalPath } from '../../src/ui/datasets/url-map';

export const DATASETS = fileURLToPath(new URL('../../../shared/datasets', import.meta.url));

export const readShared = (rel: string) => readFileSync(join(DATASETS, rel), 'utf8');

export interface FakeFetch extends FetchLike {
  calls: string[];
}

/**
 * A fetch that answers public URLs from the local copies (404 for anything unmapped), or fails like a browser
 * offline (TypeError "Failed to fetch"). `edit` may change a file's text before it is served.
 */
export function fakeFetch(opts: { offline?: boolean; edit?: (url: string, text: string) => string } = {}): FakeFetch {
  const calls: string[] = [];
  const f = async (url: string) => {
    calls.push(url);
    if (opts.offline) throw new TypeError('Failed to fetch');
    const path = publicUrlToLocalPath(url);
    if (!path) return { ok: false, status: 404, statusText: 'Not Found', text: async () => '' };
    const text = readShared(path);
    return { ok: true, status: 200, statusText: 'OK', text: async () => (opts.edit ? opts.edit(url, text) : text) };
  };
  return Object.assign(f, { calls });
}
