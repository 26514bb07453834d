import type { Example } from '../data/dataset';
import { IGNORE_LABEL } from '../data/dataset';

/**
 * The shown puzzle as a short URL-safe string: input tokens and labels one base-36 character each ('-' for an
 * ignored label), then the puzzle id: "<inputs>.<labels>.<id>". Vocabularies here are ≤ 12 symbols.
 */
export function encodeShownPuzzle(ex: Example): string {
  const enc = (v: number) => v.toString(36);
  const labels = Array.from(ex.labels, (l) => (l === IGNORE_LABEL ? '-' : enc(l))).join('');
  return `${Array.from(ex.inputs, enc).join('')}.${labels}.${ex.puzzleId}`;
}

export function decodeShownPuzzle(s: string): Example {
  const m = /^([0-9a-z]+)\.([0-9a-z-]+)\.(\d+)$/.exec(s);
  if (!m || m[1].length !== m[2].length) throw new Error('the puzzle in the link is malformed (expected inputs.labels.id of equal lengths)');
  return {
    inputs: Int32Array.from(m[1], (c) => parseInt(c, 36)),
    labels: Int32Array.from(m[2], (c) => (c === '-' ? IGNORE_LABEL : parseInt(c, 36))),
    puzzleId: Number(m[3]),
  };
}
