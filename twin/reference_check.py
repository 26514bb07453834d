"""Run the reference's own model code (a TinyRecursiveModels checkout) on a checkpoint TRM Lab exported, to check that
pretrain.py's model loads it and predicts what TRM Lab and the twin predict.

    /usr/bin/python3 twin/reference_check.py --reference ~/TinyRecursiveModels --checkpoint CKPT/step_N --data DIR
        [--predictions OUT.npy] [--batch 256]

CKPT/step_N and CKPT/all_config.yaml come from `npm run export-checkpoint`, DIR from `npm run export-data` (its
test/ split). The model is built the way pretrain.py's create_model builds it (its arch config, the dataset's
metadata, the loss head around it), the state_dict is loaded with strict=True under the names pretrain.py saves
(`_orig_mod.` is torch.compile's prefix, absent without compiling), and the test split is run the way its evaluate()
runs it: initial_carry, then the loss head until all_finish. Prints one JSON line (examples, exactAccuracy,
tokenAccuracy, steps) and writes the final argmax tokens [examples, seq_len] as int32 .npy when asked.

The reference needs torch >= 2.2 with einops and pydantic; on an older torch (Debian's 1.13) the few missing names
are supplied below, each the plain definition of what the reference calls. Runs on the CPU in float32.
"""
import argparse
import json
import math
import os
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F
import yaml

sys.dont_write_bytecode = True
from train import load_split  # noqa: E402  (the twin's reader of an exported split)


def supply_missing_names():
    """What an older torch (or a machine without einops) lacks of what the reference's model files import."""
    if not hasattr(F, 'scaled_dot_product_attention'):
        def scaled_dot_product_attention(query, key, value, is_causal=False):
            scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])
            if is_causal:
                L = scores.shape[-1]
                scores = scores.masked_fill(torch.ones(L, L, dtype=torch.bool).triu(1), float('-inf'))
            # torch 2's kernels return [B, H, S, D] laid out as [B, S, H, D], which the reference's .view relies on.
            return (scores.softmax(-1) @ value).transpose(1, 2).contiguous().transpose(1, 2)
        F.scaled_dot_product_attention = scaled_dot_product_attention
    if int(torch.__version__.split('.')[0]) < 2:
        # torch 2 lets `@torch.no_grad` decorate without the call.
        context = torch.no_grad
        torch.no_grad = lambda fn=None: context()(fn) if callable(fn) else context()
    if not hasattr(torch.nn, 'Buffer'):
        # torch 2.5's nn.Buffer: a tensor that registers as a buffer of the module it is assigned to.
        class Buffer:
            def __init__(self, data, persistent=True):
                self.data, self.persistent = data, persistent
        assign = torch.nn.Module.__setattr__

        def setattr_(module, name, value):
            if isinstance(value, Buffer):
                module.register_buffer(name, value.data, persistent=value.persistent)
            else:
                assign(module, name, value)
        torch.nn.Buffer = Buffer
        torch.nn.Module.__setattr__ = setattr_
    import torch.optim.optimizer as opt
    if not hasattr(opt, 'ParamsT'):
        opt.ParamsT = object
    try:
        import einops  # noqa: F401
    except ImportError:
        # The reference only swaps the sequence and head axes: 'B S H D -> B H S D' and back.
        def rearrange(t, pattern):
            src, dst = (side.split() for side in pattern.split('->'))
            if sorted(src) != sorted(dst) or len(src) != t.dim():
                raise NotImplementedError(f'einops shim: {pattern}')
            return t.permute(*[src.index(a) for a in dst])
        sys.modules['einops'] = types.SimpleNamespace(rearrange=rearrange)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reference', required=True, help='a TinyRecursiveModels checkout')
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--predictions', default=None)
    ap.add_argument('--batch', type=int, default=256)
    a = ap.parse_args()
    supply_missing_names()
    sys.path.insert(0, os.path.abspath(a.reference))
    from models.losses import ACTLossHead  # noqa: E402  (the reference's own code)
    from models.recursive_reasoning.trm import TinyRecursiveReasoningModel_ACTV1  # noqa: E402

    with open(os.path.join(os.path.dirname(a.checkpoint), 'all_config.yaml')) as f:
        run = yaml.safe_load(f)
    meta, test = load_split(a.data, 'test')  # labels: the ignore label already -100, as the reference's loader does
    inputs, labels, puzzle_ids = test['inputs'], test['labels'], test['puzzle_ids']
    # float32 on the CPU in place of the GPU's bfloat16.
    arch = {k: v for k, v in run['arch'].items() if k not in ('name', 'loss', 'forward_dtype')}
    loss = {k: v for k, v in run['arch']['loss'].items() if k != 'name'}
    model_cfg = dict(**arch, batch_size=a.batch, vocab_size=meta['vocab_size'], seq_len=meta['seq_len'],
                     num_puzzle_identifiers=meta['num_puzzle_identifiers'], causal=False, forward_dtype='float32')
    model = ACTLossHead(TinyRecursiveReasoningModel_ACTV1(model_cfg), **loss)
    state = torch.load(a.checkpoint, map_location='cpu')
    state = {k[len('_orig_mod.'):] if k.startswith('_orig_mod.') else k: v.float() for k, v in state.items()}
    model.load_state_dict(state, strict=True)
    model.eval()

    preds, exact, right, tokens, steps = [], 0, 0, 0, 0
    with torch.no_grad():
        for s in range(0, len(inputs), a.batch):
            batch = {'inputs': torch.tensor(inputs[s:s + a.batch]), 'labels': torch.tensor(labels[s:s + a.batch]),
                     'puzzle_identifiers': torch.tensor(puzzle_ids[s:s + a.batch])}
            n = len(batch['inputs'])
            if n < a.batch:  # the reference's loader pads the last batch; the carry is sized for a full one
                pad = a.batch - n
                batch = {k: torch.cat([v, v[:1].expand(pad, *v.shape[1:])]) for k, v in batch.items()}
            carry = model.initial_carry(batch)
            while True:
                carry, _, _, out, all_finish = model(carry=carry, batch=batch, return_keys=['preds'])
                steps += 1
                if all_finish:
                    break
            p = out['preds'][:n]
            mask = batch['labels'][:n] != -100
            ok = (p == batch['labels'][:n]) & mask
            exact += int((ok.sum(-1) == mask.sum(-1)).sum())
            right += int(ok.sum())
            tokens += int(mask.sum())
            preds.append(p.numpy())
    print(json.dumps({'examples': len(inputs), 'exactAccuracy': exact / len(inputs), 'tokenAccuracy': right / max(tokens, 1),
                      'steps': steps}))
    if a.predictions:
        np.save(a.predictions, np.concatenate(preds).astype(np.int32))


if __name__ == '__main__':
    main()
