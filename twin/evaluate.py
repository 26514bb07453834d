"""Evaluate a reference-format checkpoint (torch zip `step_N`) with the twin on a dataset folder's test split.

    /usr/bin/python3 twin/evaluate.py --checkpoint RUN/step_N --data DIR [--crop SIDE] [--predictions OUT.npy]
        [--dtype float32|float64] [--lab-config CONFIG.json]

Reads the model config from all_config.yaml's `trm_lab` block beside the checkpoint (as twin/train.py writes it), or
from --lab-config, a TRM Lab config as JSON (for a checkpoint without all_config.yaml: the config TRM Lab inferred),
prints one JSON line (exactByStep, tokenAccuracy, meanHaltStep, as TRM Lab's eval reports them) and writes the final
argmax tokens [examples, seq_len] as int32 .npy when asked.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True
import trm_twin as trm  # noqa: E402
from train import PREFIX, evaluate, load_split  # noqa: E402


def read_trm_lab_config(path):
    """The `trm_lab.config` mapping of an all_config.yaml written by twin/train.py (block YAML of JSON scalars)."""
    root, stack = {}, [(-1, None)]
    stack[0] = (-1, root)
    for line in open(path):
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        indent = len(line) - len(line.lstrip(' '))
        key, _, rest = line.strip().partition(':')
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if rest.strip():
            parent[key] = json.loads(rest.strip())
        else:
            parent[key] = {}
            stack.append((indent, parent[key]))
    return root['trm_lab']['config']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--crop', type=int, default=None)
    ap.add_argument('--predictions', default=None)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--dtype', choices=['float32', 'float64'], default='float32')
    ap.add_argument('--lab-config', default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.lab_config:
        with open(a.lab_config) as f:
            lab = json.load(f)
    else:
        lab = read_trm_lab_config(os.path.join(os.path.dirname(a.checkpoint), 'all_config.yaml'))
    m = lab['model']
    meta, test = load_split(a.data, 'test', a.crop)
    cfg = trm.Config(variant=m['variant'], hidden=m['hidden'], layers=m['layers'], heads=m['heads'], T=m['T'], n=m['n'],
                     n_sup=m['nSup'], puzzle_emb_len=m['puzzleEmbLen'], puzzle_emb_dim=m['puzzleEmbDim'],
                     seq_len=meta['seq_len'], vocab=meta['vocab_size'], pos_encoding=m['posEncoding'],
                     rope_base=m['ropeBase'], rms_eps=m['rmsEps'], loss=lab['optim']['loss'])
    state = torch.load(a.checkpoint, map_location='cpu')
    tensors = {k[len(PREFIX):]: v.to(getattr(torch, a.dtype)) for k, v in state.items()}
    buffers = {k: tensors.pop(k) for k in ('inner.H_init', 'inner.L_init', 'inner.puzzle_emb.weights')}
    preds = []
    r = evaluate(cfg, tensors, buffers, test, predictions=preds)
    print(json.dumps(r))
    if a.predictions:
        np.save(a.predictions, np.concatenate(preds).astype(np.int32))


if __name__ == '__main__':
    main()
