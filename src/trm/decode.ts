/** Index of the largest of row i's V logits (the first on ties, as torch.argmax). */
export function argmaxRow(logits: ArrayLike<number>, i: number, V: number): number {
  let best = 0;
  for (let v = 1; v < V; v++) if (logits[i * V + v] > logits[i * V + best]) best = v;
  return best;
}
