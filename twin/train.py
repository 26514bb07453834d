"""Train a TRM with the PyTorch twin on a dataset folder in the reference layout (npm run export-data), on the CPU.

    /usr/bin/python3 twin/train.py --data DIR --out RUN [--variant mlp|attention] [--hidden 64] [--T 2] [--n 3]
        [--n-sup 8] [--batch 64] [--steps 2000] [--lr 1e-3] [--eval-every 250] [--threads 2] [--resume]

It trains as the reference's pretrain.py does (the ACT carry with slot refill, deep supervision, AdamATan2 with
linear warm-up, sign-SGD on the puzzle-embedding rows, EMA of the weights), except that batches are drawn uniformly
over the training examples. It writes into RUN:
  metrics.jsonl          the lines TRM Lab's `npm run train` writes ({"type": "train"…} and {"type": "eval"…})
  step_N, all_config.yaml  the reference's checkpoint (torch.save of the state_dict under `_orig_mod.model.inner.`,
                         the EMA weights, SwiGLU zero-padded to multiples of 256) and its config, with the exact
                         TRM Lab config in `trm_lab`; `npm run eval -- --checkpoint RUN/step_N` opens it
  train_state.pt         what --resume needs (weights, moments, EMA, carry, step, random state)
Evaluation runs every supervision step on every held-out example (no early halting, as the reference) and logs the
exact accuracy after each step.
"""
import argparse
import collections
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.dont_write_bytecode = True
import trm_twin as trm  # noqa: E402

REFERENCE_SWIGLU_MULTIPLE = 256
PREFIX = '_orig_mod.model.'


def swiglu_width(dim, expansion, multiple):
    return -(-round(expansion * dim * 2 / 3) // multiple) * multiple


# ---- data ----

def crop_canvas(a, side, what):
    """ARC rows on the reference's square canvas, cut to the top-left side×side (what TRM Lab trains on)."""
    full = math.isqrt(a.shape[1])
    grid = a.reshape(len(a), full, full)
    if grid[:, side:, :].any() or grid[:, :, side:].any():
        sys.exit(f'{what}: --crop {side} would cut grid cells (the tasks reach beyond {side}×{side})')
    return np.ascontiguousarray(grid[:, :side, :side]).reshape(len(a), side * side)


def load_split(folder, split, crop=None):
    d = os.path.join(folder, split)
    with open(os.path.join(d, 'dataset.json')) as f:
        meta = json.load(f)
    arr = {k: np.load(os.path.join(d, f'all__{k}.npy')) for k in ('inputs', 'labels', 'puzzle_identifiers', 'puzzle_indices')}
    if crop:
        for k in ('inputs', 'labels'):
            arr[k] = crop_canvas(arr[k], crop, f'{d}/all__{k}.npy')
        meta['seq_len'] = crop * crop
    counts = np.diff(arr['puzzle_indices'])
    labels = arr['labels'].astype(np.int64)
    if meta['ignore_label_id'] is not None:
        labels[labels == meta['ignore_label_id']] = trm.IGNORE_LABEL
    return meta, {
        'inputs': arr['inputs'].astype(np.int64),
        'labels': labels,
        'puzzle_ids': np.repeat(arr['puzzle_identifiers'].astype(np.int64), counts),
    }


def keep_metrics_until(path, step):
    """A resumed run restarts at its last saved step: drop what a stopped run logged after it (and a torn last line)."""
    kept = []
    for line in open(path):
        try:
            rec = json.loads(line)
        except ValueError:
            break
        if rec['step'] > step:
            break
        kept.append(line)
    with open(path + '.tmp', 'w') as f:
        f.writelines(kept)
    os.replace(path + '.tmp', path)


# ---- model ----

def trunc_normal(shape, std, gen):
    # JAX-style: the truncation at ±2σ is compensated so the actual std is `std` (trm-spec §1.5).
    # 0.8796… is the std of a unit normal cut at ±2; draws outside are redrawn.
    t = torch.randn(shape, generator=gen)
    bad = t.abs() > 2
    while bad.any():
        t[bad] = torch.randn(int(bad.sum()), generator=gen)
        bad = t.abs() > 2
    return t * (std / 0.87962566103423978)


def init_weights(cfg, args, num_ids, gen):
    D, S = cfg.hidden, cfg.positions
    lecun = lambda out_f, in_f: trunc_normal((out_f, in_f), 1 / math.sqrt(in_f), gen)
    w = {
        'inner.embed_tokens.embedding_weight': trunc_normal((cfg.vocab, D), 1 / math.sqrt(D), gen),
        'inner.lm_head.weight': lecun(cfg.vocab, D),
        'inner.q_head.weight': torch.zeros(2, D),
        'inner.q_head.bias': torch.full((2,), -5.0),
    }
    mlp = swiglu_width(D, args.expansion, args.swiglu_multiple)
    tok = swiglu_width(S, args.expansion, args.swiglu_multiple)
    for i in range(cfg.layers):
        if cfg.variant == 'attention':
            w[trm.layer(i, 'self_attn.qkv_proj.weight')] = lecun(3 * D, D)
            w[trm.layer(i, 'self_attn.o_proj.weight')] = lecun(D, D)
        else:
            w[trm.layer(i, 'mlp_t.gate_up_proj.weight')] = lecun(2 * tok, S)
            w[trm.layer(i, 'mlp_t.down_proj.weight')] = lecun(S, tok)
        w[trm.layer(i, 'mlp.gate_up_proj.weight')] = lecun(2 * mlp, D)
        w[trm.layer(i, 'mlp.down_proj.weight')] = lecun(D, mlp)
    buffers = {
        'inner.H_init': trunc_normal((D,), 1.0, gen),
        'inner.L_init': trunc_normal((D,), 1.0, gen),
        'inner.puzzle_emb.weights': torch.zeros(num_ids, cfg.puzzle_emb_dim),
    }
    return w, buffers


def pad_swiglu(name, t):
    """Zero-pad a SwiGLU's hidden units to the reference's multiple of 256: exact, the padded units are 0 both ways."""
    up = name.endswith('gate_up_proj.weight')
    if not up and not name.endswith('down_proj.weight'):
        return t
    width = t.shape[0] // 2 if up else t.shape[1]
    extra = -(-width // REFERENCE_SWIGLU_MULTIPLE) * REFERENCE_SWIGLU_MULTIPLE - width
    if up:
        z = torch.zeros(extra, t.shape[1])
        return torch.cat([t[:width], z, t[width:], z])
    return torch.cat([t, torch.zeros(t.shape[0], extra)], dim=1)


# ---- the run ----

def lr_at(args, step):
    return args.lr * min(1.0, step / args.warmup) if args.warmup > 0 else args.lr


def evaluate(cfg, w, buffers, test, batch=256, predictions=None):
    """Every held-out example, N_sup supervision steps each: exact accuracy after each step, token accuracy at the end.
    `predictions` (a list) receives each batch's final argmax tokens."""
    n = len(test['inputs'])
    exact_by_step = np.zeros(cfg.n_sup)
    halt_step_sum, correct_tokens, tokens = 0.0, 0, 0
    with torch.no_grad():
        for s in range(0, n, batch):
            inputs = torch.tensor(test['inputs'][s:s + batch])
            labels = torch.tensor(test['labels'][s:s + batch])
            B = len(inputs)
            rows = buffers['inner.puzzle_emb.weights'][torch.tensor(test['puzzle_ids'][s:s + batch])]
            y = buffers['inner.H_init'].expand(B, cfg.positions, cfg.hidden).clone()
            z = buffers['inner.L_init'].expand(B, cfg.positions, cfg.hidden).clone()
            first_halt = torch.full((B,), cfg.n_sup, dtype=torch.float64)
            mask = labels != trm.IGNORE_LABEL
            for k in range(cfg.n_sup):
                y, z, logits, q = trm.supervision_step(cfg, w, inputs, rows, y, z)
                right = mask & (logits.argmax(-1) == labels)
                exact_by_step[k] += float(((right.sum(-1) == mask.sum(-1))).sum())
                halts = (q[:, 0] > 0) & (first_halt == cfg.n_sup)
                first_halt[halts] = k + 1
            halt_step_sum += float(first_halt.sum())
            if predictions is not None:
                predictions.append(logits.argmax(-1).numpy())
            correct_tokens += int(right.sum())
            tokens += int(mask.sum())
    by_step = (exact_by_step / n).tolist()
    return {'examples': n, 'exactAccuracy': by_step[-1], 'tokenAccuracy': correct_tokens / max(tokens, 1),
            'exactByStep': by_step, 'meanHaltStep': halt_step_sum / n}


def config_of(args, meta):
    emb_len = args.puzzle_emb_len if args.puzzle_emb_len > 0 else -(-args.puzzle_emb_dim // args.hidden)
    return trm.Config(variant=args.variant, hidden=args.hidden, layers=2, heads=args.heads, T=args.T, n=args.n,
                      n_sup=args.n_sup, puzzle_emb_len=emb_len, puzzle_emb_dim=args.puzzle_emb_dim,
                      seq_len=meta['seq_len'], vocab=meta['vocab_size'],
                      pos_encoding='rope' if args.variant == 'attention' else 'none', loss='stablemax')


def trm_lab_config(args, cfg, data_config):
    """The exact TRM Lab config of this run: the dataset's own data section, the twin's model and optimizer."""
    return {
        'model': {'variant': cfg.variant, 'hidden': cfg.hidden, 'layers': cfg.layers, 'heads': cfg.heads,
                  'expansion': args.expansion, 'swigluMultiple': args.swiglu_multiple, 'T': cfg.T, 'n': cfg.n,
                  'nSup': cfg.n_sup, 'haltExplorationProb': args.exploration, 'puzzleEmbLen': cfg.puzzle_emb_len,
                  'puzzleEmbDim': cfg.puzzle_emb_dim, 'posEncoding': cfg.pos_encoding, 'ropeBase': cfg.rope_base,
                  'rmsEps': cfg.rms_eps},
        'optim': {'optimizer': 'adam-atan2', 'lr': args.lr, 'beta1': 0.9, 'beta2': 0.95, 'weightDecay': args.wd,
                  'warmupSteps': args.warmup, 'schedule': 'constant', 'lrMinRatio': 1, 'puzzleEmbLr': args.puzzle_lr,
                  'puzzleEmbWeightDecay': args.wd, 'ema': args.ema, 'batchSize': args.batch, 'loss': 'stablemax',
                  'haltLossWeight': 0.5},
        'data': data_config['data'],
        'steps': args.steps, 'evalEvery': args.eval_every, 'evalSamples': 256, 'seed': args.seed,
    }


def yaml_lines(obj, indent=0):
    """Block YAML for the mappings, strings, numbers, booleans and lists all_config.yaml holds (JSON scalars are YAML)."""
    out = []
    for k, v in obj.items():
        pad = '  ' * indent
        if isinstance(v, dict):
            out.append(f'{pad}{k}:')
            out += yaml_lines(v, indent + 1)
        else:
            out.append(f'{pad}{k}: {json.dumps(v)}')
    return out


def write_checkpoint(args, cfg, w, buffers, step, lab_config, meta):
    tmp = os.path.join(args.out, f'.step_{step}.tmp')
    state = collections.OrderedDict()
    for name, t in list(w.items()) + list(buffers.items()):
        state[PREFIX + name] = pad_swiglu(name, t.detach().float()).contiguous()
    torch.save(state, tmp)
    os.replace(tmp, os.path.join(args.out, f'step_{step}'))
    doc = {
        'arch': {'name': 'recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1',
                 'loss': {'name': 'losses@ACTLossHead', 'loss_type': 'stablemax_cross_entropy'},
                 'halt_exploration_prob': args.exploration, 'halt_max_steps': cfg.n_sup, 'H_cycles': cfg.T,
                 'L_cycles': cfg.n, 'H_layers': 0, 'L_layers': cfg.layers, 'hidden_size': cfg.hidden,
                 'num_heads': cfg.heads, 'expansion': args.expansion, 'puzzle_emb_ndim': cfg.puzzle_emb_dim,
                 'pos_encodings': cfg.pos_encoding, 'forward_dtype': 'float32', 'mlp_t': cfg.variant == 'mlp',
                 'puzzle_emb_len': cfg.puzzle_emb_len, 'no_ACT_continue': True},
        'data_paths': [args.data], 'data_paths_test': [], 'evaluators': [], 'global_batch_size': args.batch,
        'lr': args.lr, 'lr_min_ratio': 1.0, 'lr_warmup_steps': args.warmup, 'beta1': 0.9, 'beta2': 0.95,
        'weight_decay': args.wd, 'puzzle_emb_lr': args.puzzle_lr, 'puzzle_emb_weight_decay': args.wd,
        'seed': args.seed, 'ema': args.ema > 0, 'ema_rate': args.ema,
        'trm_lab': {'config': lab_config, 'step': step,
                    'data': {'name': os.path.basename(os.path.normpath(args.data)), 'seqLen': meta['seq_len'],
                             'vocabSize': meta['vocab_size'], 'numPuzzleIds': meta['num_puzzle_identifiers']}},
    }
    text = '# Written by TRM Lab\'s PyTorch twin (twin/train.py), in the fields of pretrain.py\'s PretrainConfig.\n'
    with open(os.path.join(args.out, 'all_config.yaml.tmp'), 'w') as f:
        f.write(text + '\n'.join(yaml_lines(doc)) + '\n')
    os.replace(os.path.join(args.out, 'all_config.yaml.tmp'), os.path.join(args.out, 'all_config.yaml'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--variant', choices=['mlp', 'attention'], default='mlp')
    ap.add_argument('--hidden', type=int, default=64)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--expansion', type=float, default=4)
    ap.add_argument('--swiglu-multiple', type=int, default=8)
    ap.add_argument('--T', type=int, default=2)
    ap.add_argument('--n', type=int, default=3)
    ap.add_argument('--n-sup', type=int, default=8)
    ap.add_argument('--puzzle-emb-dim', type=int, default=None, help='default: hidden')
    ap.add_argument('--puzzle-emb-len', type=int, default=0, help='0: ceil(dim / hidden), as the reference')
    ap.add_argument('--exploration', type=float, default=0.1)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=2000)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--wd', type=float, default=0.1)
    ap.add_argument('--puzzle-lr', type=float, default=1e-2)
    ap.add_argument('--warmup', type=int, default=100)
    ap.add_argument('--ema', type=float, default=0.99)
    ap.add_argument('--eval-every', type=int, default=250)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--crop', type=int, default=None, help="ARC: train on the top-left SIDE×SIDE of the reference's 30×30 canvas")
    ap.add_argument('--resume', action='store_true')
    args = ap.parse_args()
    if args.puzzle_emb_dim is None:
        args.puzzle_emb_dim = args.hidden
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    meta, train = load_split(args.data, 'train', args.crop)
    _, test = load_split(args.data, 'test', args.crop)
    cfg = config_of(args, meta)
    with open(os.path.join(args.data, 'trm-lab-config.json')) as f:
        lab_config = trm_lab_config(args, cfg, json.load(f))
    gen = torch.Generator().manual_seed(args.seed)
    state_file = os.path.join(args.out, 'train_state.pt')
    B, N = args.batch, len(train['inputs'])

    if args.resume:
        st = torch.load(state_file)
        w, buffers, m, v, ema = st['w'], st['buffers'], st['m'], st['v'], st['ema']
        carry, step, elapsed = st['carry'], st['step'], st['elapsed']
        gen.set_state(st['gen'])
        keep_metrics_until(os.path.join(args.out, 'metrics.jsonl'), step)
        for t in w.values():
            t.requires_grad_(True)
    else:
        if os.path.exists(os.path.join(args.out, 'metrics.jsonl')):
            sys.exit(f'{args.out} holds a run; pass --resume or another --out')
        w, buffers = init_weights(cfg, args, meta['num_puzzle_identifiers'], gen)
        for t in w.values():
            t.requires_grad_(True)
        m = {k: torch.zeros_like(t) for k, t in w.items()}
        v = {k: torch.zeros_like(t) for k, t in w.items()}
        ema = {k: t.detach().clone() for k, t in w.items()}
        L = meta['seq_len']
        carry = {'halted': np.ones(B, np.int64), 'steps': np.zeros(B, np.int64),
                 'inputs': np.zeros((B, L), np.int64), 'labels': np.zeros((B, L), np.int64),
                 'puzzle_ids': np.zeros(B, np.int64),
                 'y': np.zeros((B, cfg.positions, cfg.hidden), np.float32), 'z': np.zeros((B, cfg.positions, cfg.hidden), np.float32)}
        step, elapsed = 0, 0.0
    log = open(os.path.join(args.out, 'metrics.jsonl'), 'a')
    h_init, l_init = buffers['inner.H_init'].numpy(), buffers['inner.L_init'].numpy()
    table = buffers['inner.puzzle_emb.weights']

    while step < args.steps:
        t0 = time.time()
        pick = torch.randint(0, N, (B,), generator=gen).numpy()
        trm.act_refill(carry, {k: train[k][pick] for k in ('inputs', 'labels', 'puzzle_ids')}, h_init, l_init)
        ids = torch.tensor(carry['puzzle_ids'])
        rows = table[ids].clone().requires_grad_(True)
        labels = torch.tensor(carry['labels'])
        y, z, logits, q = trm.supervision_step(cfg, w, torch.tensor(carry['inputs']), rows,
                                               torch.tensor(carry['y']), torch.tensor(carry['z']))
        total, lm, halt, exact = trm.trm_loss(cfg, logits, q[:, 0], labels)
        total.mean().backward()
        step += 1
        lr = lr_at(args, step)
        grad_norm = math.sqrt(sum(float(t.grad.pow(2).sum()) for t in w.values()))
        with torch.no_grad():
            for k, t in w.items():
                trm.adam_atan2(t, t.grad, m[k], v[k], step, lr, 0.9, 0.95, args.wd)
                t.grad = None
                trm.ema_update(ema[k], t, args.ema)
            trm.sign_sgd_rows(table, rows.grad, ids, args.puzzle_lr * min(1.0, step / max(args.warmup, 1)), args.wd)
        carry['y'], carry['z'] = y.detach().numpy(), z.detach().numpy()
        explore = torch.rand(B, generator=gen) < args.exploration
        min_halt = (explore * torch.randint(2, cfg.n_sup + 1, (B,), generator=gen)).numpy()
        trm.act_halt(carry, q[:, 0].detach().numpy(), min_halt, cfg.n_sup)
        elapsed += time.time() - t0

        hd = carry['halted'].astype(bool)
        with torch.no_grad():
            mask = labels != trm.IGNORE_LABEL
            right = (mask & (logits.argmax(-1) == labels)).sum(-1).float() / mask.sum(-1).clamp(min=1)
            hdt = torch.tensor(hd)
            count = int(hd.sum())
            rate = lambda x: float(x[hdt].float().mean()) if count else 0.0
            log.write(json.dumps({
                'type': 'train', 'step': step, 'lr': lr, 'count': count, 'loss': float(total.mean()),
                'lmLoss': float(lm.mean()), 'haltLoss': float(halt.mean()), 'accuracy': rate(right),
                'exactAccuracy': rate(exact), 'qHaltAccuracy': rate((q[:, 0] > 0).float() == exact),
                'meanSteps': float(carry['steps'][hd].mean()) if count else 0.0, 'gradNorm': grad_norm,
                'nonFinite': not math.isfinite(grad_norm), 'samplesPerSec': B / max(time.time() - t0, 1e-9),
                'elapsedSec': elapsed}) + '\n')
        if step % args.eval_every == 0 or step == args.steps:
            r = evaluate(cfg, ema, buffers, test)
            log.write(json.dumps({'type': 'eval', 'step': step, **r}) + '\n')
            log.flush()
            print(f'step {step} ({elapsed:.0f} s) loss {float(total.mean()):.4f} exact by step '
                  + ' '.join(f'{100 * a:.1f}' for a in r['exactByStep']) + f' mean halt {r["meanHaltStep"]:.2f}', flush=True)
            write_checkpoint(args, cfg, ema, buffers, step, lab_config, meta)
            torch.save({'w': {k: t.detach() for k, t in w.items()}, 'buffers': buffers, 'm': m, 'v': v, 'ema': ema,
                        'carry': carry, 'step': step, 'elapsed': elapsed, 'gen': gen.get_state()}, state_file + '.tmp')
            os.replace(state_file + '.tmp', state_file)


if __name__ == '__main__':
    main()
