"""Run one TRM training step with the twin on what TRM Lab wrote, and write what the twin computed.

    python3 twin/crosscheck.py DIR [--dtype float64|float32]

DIR holds (from test/twin/twin-parity.test.ts):
  weights.safetensors  the trainable tensors under reference names, plus inner.H_init, inner.L_init,
                       inner.puzzle_emb.weights
  state.json           config, the new batch, the carry (halted, steps, data, y, z), min_halt, optimizer scalars
  lab.safetensors      TRM Lab's side of each shared optimizer state: grad.<name>, m.<name>, v.<name>,
                       puzzle_grad [B, E], after_adam.<name> (the params EMA reads), ema.<name>
It writes DIR/twin.safetensors: logits, q_halt, q_continue, continue_target (with act_continue), total, lm, halt,
exact, grad.<name>, puzzle_grad, y, z, halted, steps, adam.<name> / adam_m.<name> / adam_v.<name>, puzzle_table,
ema.<name>.
Each optimizer step starts from TRM Lab's state (its gradients), so one step's error does not feed the next.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # the test runs this from the checkout: leave no __pycache__ in it
import trm_twin as trm  # noqa: E402

BUFFERS = ('inner.H_init', 'inner.L_init', 'inner.puzzle_emb.weights')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--dtype', choices=['float64', 'float32'], default='float64')
    a = ap.parse_args()
    dt = getattr(torch, a.dtype)
    npdt = np.float64 if a.dtype == 'float64' else np.float32
    with open(os.path.join(a.dir, 'state.json')) as f:
        st = json.load(f)
    cfg = trm.Config(**st['config'])
    wfile = trm.read_safetensors(os.path.join(a.dir, 'weights.safetensors'))
    lab = trm.read_safetensors(os.path.join(a.dir, 'lab.safetensors'))
    names = [k for k in wfile if k not in BUFFERS]
    B, L, S, D = len(st['carry']['halted']), cfg.seq_len, cfg.positions, cfg.hidden
    out = {}

    # ACT: refill the halted slots from the new batch.
    ints = lambda v, shape: np.asarray(v, dtype=np.int64).reshape(shape)
    c = st['carry']
    carry = {
        'halted': ints(c['halted'], [B]), 'steps': ints(c['steps'], [B]),
        'inputs': ints(c['inputs'], [B, L]), 'labels': ints(c['labels'], [B, L]), 'puzzle_ids': ints(c['puzzle_ids'], [B]),
        'y': np.asarray(c['y'], dtype=npdt).reshape(B, S, D), 'z': np.asarray(c['z'], dtype=npdt).reshape(B, S, D),
    }
    b = st['batch']
    batch = {'inputs': ints(b['inputs'], [B, L]), 'labels': ints(b['labels'], [B, L]), 'puzzle_ids': ints(b['puzzle_ids'], [B])}
    trm.act_refill(carry, batch, wfile['inner.H_init'].astype(npdt), wfile['inner.L_init'].astype(npdt))

    # One supervision step with gradients, loss as the reference's batch mean.
    w = {k: torch.tensor(wfile[k], dtype=dt, requires_grad=True) for k in names}
    table = torch.tensor(wfile['inner.puzzle_emb.weights'], dtype=dt)
    ids = torch.tensor(carry['puzzle_ids'])
    rows = table[ids].clone().requires_grad_(True) if cfg.puzzle_emb_dim > 0 else None
    inputs = torch.tensor(carry['inputs'])
    y, z, logits, q = trm.supervision_step(cfg, w, inputs, rows, torch.tensor(carry['y']), torch.tensor(carry['z']))
    target = None
    if cfg.act_continue and cfg.n_sup > 1:
        target = trm.continue_target_of(cfg, w, inputs, rows, y, z, carry['steps'])
        out['continue_target'] = target
    total, lm, halt, exact = trm.trm_loss(cfg, logits, q[:, 0], torch.tensor(carry['labels']), q[:, 1], target)
    total.mean().backward()
    for k in names:
        out[f'grad.{k}'] = w[k].grad
    if rows is not None:
        out['puzzle_grad'] = rows.grad
    out.update(logits=logits, q_halt=q[:, 0], q_continue=q[:, 1], total=total, lm=lm, halt=halt, exact=exact, y=y, z=z)
    q_continue = q[:, 1].detach().numpy() if cfg.act_continue else None
    trm.act_halt(carry, q[:, 0].detach().numpy(), np.asarray(st['min_halt']), cfg.n_sup, q_continue=q_continue)
    out['halted'], out['steps'] = carry['halted'].astype(np.float64), carry['steps'].astype(np.float64)

    # AdamATan2 from TRM Lab's weights, gradients and moments.
    o = st['adam']
    for k in names:
        p = torch.tensor(wfile[k], dtype=dt)
        m, v = torch.tensor(lab[f'm.{k}'], dtype=dt), torch.tensor(lab[f'v.{k}'], dtype=dt)
        trm.adam_atan2(p, torch.tensor(lab[f'grad.{k}'], dtype=dt), m, v, o['t'], o['lr'], o['beta1'], o['beta2'], o['weight_decay'])
        out[f'adam.{k}'], out[f'adam_m.{k}'], out[f'adam_v.{k}'] = p, m, v

    # Sign-SGD on the puzzle rows from TRM Lab's per-sample gradients; EMA of TRM Lab's updated weights.
    if cfg.puzzle_emb_dim > 0:
        s = st['sign_sgd']
        trm.sign_sgd_rows(table, torch.tensor(lab['puzzle_grad'], dtype=dt), ids, s['lr'], s['weight_decay'])
        out['puzzle_table'] = table
    for k in names:
        shadow = torch.tensor(lab[f'ema.{k}'], dtype=dt)
        trm.ema_update(shadow, torch.tensor(lab[f'after_adam.{k}'], dtype=dt), st['ema_decay'])
        out[f'ema.{k}'] = shadow

    arr = lambda t: (t.detach().numpy() if torch.is_tensor(t) else t).astype(np.float64)
    trm.write_safetensors(os.path.join(a.dir, 'twin.safetensors'), {k: arr(t) for k, t in out.items()})


if __name__ == '__main__':
    main()
