"""A small PyTorch TRM written from trm-spec.md: the independent check on TRM Lab's engine.

Both variants (RoPE attention; the MLP token mixer whose RMSNorm runs over the sequence axis), learned positions,
puzzle_emb_len 0 (= ceil(puzzle_emb_ndim / hidden)), one supervision step (T-1 no-grad cycles, then one with
grad), the ACT carry, stablemax/softmax CE with the ignore label, the q_halt BCE, and with act_continue
(no_ACT_continue=False) HRM's q_continue loss on its bootstrapped target; AdamATan2, sign-SGD on the
puzzle-embedding rows and EMA. Weights use the reference state_dict names (without the `model.`/`_orig_mod.`
prefixes). The dtype (float32 or float64) is the caller's: every tensor is made with `dtype`.
"""
import json
import math
import struct
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

IGNORE_LABEL = -100


@dataclass
class Config:
    variant: str  # 'attention' | 'mlp'
    hidden: int
    layers: int
    heads: int
    T: int
    n: int
    n_sup: int
    puzzle_emb_len: int
    puzzle_emb_dim: int
    seq_len: int
    vocab: int
    pos_encoding: str = 'rope'  # 'rope' | 'none' | 'learned'
    rope_base: float = 10000.0
    rms_eps: float = 1e-5
    loss: str = 'stablemax'  # 'stablemax' | 'softmax'
    halt_loss_weight: float = 0.5
    act_continue: bool = False  # not no_ACT_continue

    @property
    def prefix(self):
        """Prefix positions: puzzle_emb_len, or where it is 0, ceil(puzzle_emb_ndim / hidden)."""
        return -(-self.puzzle_emb_dim // self.hidden) if self.puzzle_emb_len == 0 else self.puzzle_emb_len

    @property
    def positions(self):
        return self.prefix + self.seq_len


def layer(i, what):
    return f'inner.L_level.layers.{i}.{what}'


# ---- safetensors, with struct/json/numpy only (no safetensors package) ----

_NP = {'F64': np.float64, 'F32': np.float32, 'I32': np.int32, 'I64': np.int64, 'U8': np.uint8}
_ST = {np.dtype(v): k for k, v in _NP.items()}


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    body = memoryview(raw)[8 + n:]
    out = {}
    for name, h in header.items():
        if name == '__metadata__':
            continue
        s, e = h['data_offsets']
        out[name] = np.frombuffer(body[s:e], dtype=_NP[h['dtype']]).reshape(h['shape']).copy()
    return out


def write_safetensors(path, arrays):
    header, chunks, off = {}, [], 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        b = a.tobytes()
        header[name] = {'dtype': _ST[a.dtype], 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
        chunks.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(chunks))


# ---- the network ----

def rms_norm(x, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


def swiglu(x, w_gate_up, w_down):
    gate, up = F.linear(x, w_gate_up).chunk(2, dim=-1)
    return F.linear(F.silu(gate) * up, w_down)


def rope_tables(cfg, dtype):
    hd = cfg.hidden // cfg.heads
    inv_freq = 1.0 / (cfg.rope_base ** (torch.arange(0, hd, 2, dtype=dtype) / hd))
    freqs = torch.outer(torch.arange(cfg.positions, dtype=dtype), inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)  # rotate_half layout
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def attention(cfg, w, i, h, rope):
    B, S, D = h.shape
    H, hd = cfg.heads, D // cfg.heads
    qkv = F.linear(h, w[layer(i, 'self_attn.qkv_proj.weight')]).view(B, S, 3 * H, hd)
    q, k, v = qkv[:, :, :H], qkv[:, :, H:2 * H], qkv[:, :, 2 * H:]
    if rope is not None:
        cos, sin = (t[:, None, :] for t in rope)  # [S, 1, hd] against [B, S, H, hd]
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
    q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # [B, H, S, hd]; non-causal, unmasked
    a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), dim=-1) @ v
    return F.linear(a.transpose(1, 2).reshape(B, S, D), w[layer(i, 'self_attn.o_proj.weight')])


def block(cfg, w, i, h, rope):
    if cfg.variant == 'attention':
        h = rms_norm(h + attention(cfg, w, i, h, rope), cfg.rms_eps)
    else:
        # Token mixer on [B, D, S]; the norm then runs over the sequence axis, as the reference code does.
        t = h.transpose(1, 2)
        t = rms_norm(t + swiglu(t, w[layer(i, 'mlp_t.gate_up_proj.weight')], w[layer(i, 'mlp_t.down_proj.weight')]), cfg.rms_eps)
        h = t.transpose(1, 2)
    return rms_norm(h + swiglu(h, w[layer(i, 'mlp.gate_up_proj.weight')], w[layer(i, 'mlp.down_proj.weight')]), cfg.rms_eps)


def net(cfg, w, h, injection, rope):
    h = h + injection
    for i in range(cfg.layers):
        h = block(cfg, w, i, h, rope)
    return h


LEARNED_POS_SCALE = 0.707106781  # the spec's 1/sqrt(2), written as the reference writes it


def embed(cfg, w, inputs, puzzle_rows):
    """x = √D · concat(puzzle rows zero-padded to [P, D], token embeddings), the concatenation first averaged with
    the [S, D] position table (0.707106781 · (e + pos)) when positions are learned. puzzle_rows [B, E] or None."""
    B, D, P = inputs.shape[0], cfg.hidden, cfg.prefix
    tok = w['inner.embed_tokens.embedding_weight'][inputs]
    prefix = torch.zeros(B, P * D, dtype=tok.dtype)
    if puzzle_rows is not None:
        prefix = torch.cat([puzzle_rows, prefix[:, puzzle_rows.shape[1]:]], dim=1)
    e = torch.cat([prefix.view(B, P, D), tok], dim=1)
    if cfg.pos_encoding == 'learned':
        e = LEARNED_POS_SCALE * (e + w['inner.embed_pos.embedding_weight'])
    return math.sqrt(D) * e


def supervision_step(cfg, w, inputs, puzzle_rows, y, z):
    """One supervision step from carried y, z [B, S, D]: returns (y, z, logits [B, L, V], q [B, 2])."""
    rope = rope_tables(cfg, y.dtype) if cfg.variant == 'attention' and cfg.pos_encoding == 'rope' else None
    x = embed(cfg, w, inputs, puzzle_rows)
    with torch.no_grad():
        for _ in range(cfg.T - 1):
            for _ in range(cfg.n):
                z = net(cfg, w, z, y + x, rope)
            y = net(cfg, w, y, z, rope)
    for _ in range(cfg.n):
        z = net(cfg, w, z, y + x, rope)
    y = net(cfg, w, y, z, rope)
    logits = F.linear(y[:, cfg.prefix:], w['inner.lm_head.weight'])
    q = F.linear(y[:, 0], w['inner.q_head.weight'], w['inner.q_head.bias'])
    return y, z, logits, q


# ---- loss (reference ACTLossHead) ----

def _stablemax_s(x, eps=1e-30):
    # The reference's eps cannot change 1 − x ≥ 1 in float64; kept so the formula reads as theirs.
    return torch.where(x < 0, 1 / (1 - x + eps), x + 1)


def token_ce(kind, logits, labels):
    """Per-token CE [B, L] (0 at ignored positions). Stablemax runs in float64 as the reference's does."""
    mask = labels != IGNORE_LABEL
    safe = torch.where(mask, labels, torch.zeros_like(labels))
    if kind == 'stablemax':
        s = _stablemax_s(logits.to(torch.float64))
        logp = torch.log(s / s.sum(-1, keepdim=True))
    else:
        logp = torch.log_softmax(logits, dim=-1)
    ce = -logp.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    return torch.where(mask, ce, torch.zeros_like(ce)).to(logits.dtype)


def trm_loss(cfg, logits, q_halt, labels, q_continue=None, continue_target=None):
    """Per-sample lm, BCE and total = lm + w·BCE [B]; the reference objective is their batch mean. Also exact [B].
    With q_continue and its target (continue_target_of), total also holds w·BCE(q_continue, target)."""
    mask = labels != IGNORE_LABEL
    count = mask.sum(-1)
    lm = token_ce(cfg.loss, logits, labels).sum(-1) / count.clamp(min=1)
    with torch.no_grad():
        exact = ((mask & (logits.argmax(-1) == labels)).sum(-1) == count).to(logits.dtype)
    halt = F.binary_cross_entropy_with_logits(q_halt, exact, reduction='none')
    q_loss = halt
    if continue_target is not None:
        q_loss = halt + F.binary_cross_entropy_with_logits(q_continue, continue_target, reduction='none')
    return lm + cfg.halt_loss_weight * q_loss, lm, halt, exact


def continue_target_of(cfg, w, inputs, puzzle_rows, y, z, steps):
    """HRM's Q-learning target for q_continue (trm-spec §3): one more supervision step without gradients from the
    new carry y, z on the same data; σ(q_halt') where this step is the slot's last (steps + 1 ≥ N_sup, `steps`
    counted before this step), else σ(max(q_halt', q_continue')). The reference's TRM code unpacks five values from
    the inner model's three here and would crash; this follows HRM's working version of the same line."""
    with torch.no_grad():
        rows = puzzle_rows.detach() if puzzle_rows is not None else None
        _, _, _, q = supervision_step(cfg, w, inputs, rows, y.detach(), z.detach())
        last = torch.as_tensor(np.asarray(steps) + 1 >= cfg.n_sup)
        return torch.sigmoid(torch.where(last, q[:, 0], torch.maximum(q[:, 0], q[:, 1])))


# ---- ACT carry ----

def act_refill(carry, batch, h_init, l_init):
    """Halted slots take the batch's sample, steps 0, and y, z = H_init, L_init at every position."""
    hd = carry['halted'].astype(bool)
    for k in ('inputs', 'labels', 'puzzle_ids'):
        carry[k][hd] = batch[k][hd]
    carry['steps'][hd] = 0
    carry['y'][hd] = h_init
    carry['z'][hd] = l_init


def act_halt(carry, q_halt, min_halt, n_sup, training=True, q_continue=None):
    """steps += 1; halt at N_sup, or (training, N_sup > 1) when q_halt > 0 (q_halt > q_continue when given)
    once min_halt steps were run."""
    steps = carry['steps'] + 1
    halted = steps >= n_sup
    if training and n_sup > 1:
        halted = (halted | (q_halt > (0 if q_continue is None else q_continue))) & (steps >= min_halt)
    carry['steps'] = steps
    carry['halted'] = halted.astype(carry['halted'].dtype)


# ---- optimizers ----

def adam_atan2(p, g, m, v, t, lr, beta1, beta2, wd, form='outer'):
    """In place. 'outer': p -= lr/c1 · atan2(m, √v/√c2) (trm-spec §5.1); 'inner': p -= lr · atan2(m/c1, √v/√c2)."""
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    p.mul_(1 - lr * wd)
    m.mul_(beta1).add_((1 - beta1) * g)
    v.mul_(beta2).add_((1 - beta2) * g * g)
    den = v.sqrt() / math.sqrt(c2)
    if form == 'outer':
        p.sub_(lr / c1 * torch.atan2(m, den))
    else:
        p.sub_(lr * torch.atan2(m / c1, den))


def sign_sgd_rows(table, grads, ids, lr, wd):
    """In place: each used row r ← r·(1 − lr·wd) − lr·sign(Σ grads of the samples with that id)."""
    uniq, inv = torch.unique(ids, return_inverse=True)
    summed = torch.zeros(len(uniq), table.shape[1], dtype=table.dtype).index_add_(0, inv, grads)
    table[uniq] = table[uniq] * (1 - lr * wd) - lr * torch.sign(summed)


def ema_update(shadow, p, decay):
    shadow.mul_(decay).add_((1 - decay) * p)
