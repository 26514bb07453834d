/** Shared by the datasets tests: the public datasets (full copies, else the committed fixtures) served in place of the network. */
import { existsSync } from 'node:fs';
import type { FetchLike } from '../../src/data/arc-sources';
import { publicUrlToLocalPath } from '../../src/ui/datasets/url-map';
import { arcPath, readArc } from '../helpers/datasets';

export interface FakeFetch extends FetchLike {
  calls: string[];
}

/**
 * A fetch that answers public URLs from the local files (404 for anything unmapped or absent, as the server
 * would), or fails like a browser offline (TypeError "Failed to fetch"). `edit` may change a file's text before
 * it is served.
 */
export function fakeFetch(opts: { offline?: boolean; edit?: (url: string, text: string) => string } = {}): FakeFetch {
  const calls: string[] = [];
  const f = async (url: string) => {
    calls.push(url);
    if (opts.offline) throw new TypeError('Failed to fetch');
    const path = publicUrlToLocalPath(url);
    if (!path || !existsSync(arcPath(path))) return { ok: false, status: 404, statusText: 'Not Found', text: async () => '' };
    const text = readArc(path);
    return { ok: true, status: 200, statusText: 'OK', text: async () => (opts.edit ? opts.edit(url, text) : text) };
  };
  return Object.assign(f, { calls });
}
