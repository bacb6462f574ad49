"""A float64 numpy model of attn.sdpa, written independently of the C++
reference so that each checks the other (design.md section 2)."""

import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)


def philox4x32_10(counter, key):
    """Philox-4x32-10 on arrays: counter is 4 arrays, key 2 arrays/scalars,
    all holding 32-bit values in uint64."""
    x0, x1, x2, x3 = (np.asarray(c, dtype=np.uint64) for c in counter)
    k0, k1 = (np.asarray(k, dtype=np.uint64) for k in key)
    for round_ in range(10):
        if round_:
            k0 = (k0 + _W0) & _LOW
            k1 = (k1 + _W1) & _LOW
        p0 = _M0 * x0
        p1 = _M1 * x2
        x0, x1, x2, x3 = ((p1 >> _32) ^ x1 ^ k0, p1 & _LOW,
                          (p0 >> _32) ^ x3 ^ k1, p0 & _LOW)
    return x0, x1, x2, x3


def keep_matrix(seed, p, batch, head, rows, cols):
    """Boolean [rows, cols] matrix of the elements dropout keeps."""
    i = np.arange(rows, dtype=np.uint64)[:, None]
    j = np.arange(cols, dtype=np.uint64)[None, :]
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    words = philox4x32_10(
        (j >> np.uint64(2), i + 0 * j, np.uint64(head) + 0 * i + 0 * j,
         np.uint64(batch) + 0 * i + 0 * j),
        (np.uint64(seed & 0xFFFFFFFF), np.uint64(seed >> 32)))
    draw = np.choose((j & np.uint64(3)).astype(np.int64) + 0 * i.astype(np.int64),
                     words)
    threshold = min(int(np.floor(p * 2.0 ** 32)), 2 ** 32 - 1)
    return draw >= np.uint64(threshold)


def sdpa(q, k, v, mask=None, scale=None, causal=False, window=None,
         align="top_left", softcap=None, dropout=0.0, seed=0):
    """Returns (out, lse) in float64 for query [N..., Hq, L, E] etc."""
    q, k, v = (np.asarray(x, dtype=np.float64) for x in (q, k, v))
    *batch, hq, L, E = q.shape
    hkv, S = k.shape[-3], k.shape[-2]
    group = hq // hkv
    # Repeat K/V heads (repeat_interleave order) in the model only.
    k = np.repeat(k, group, axis=-3)
    v = np.repeat(v, group, axis=-3)
    scale = 1.0 / np.sqrt(E) if scale is None else scale
    s = np.einsum("...le,...se->...ls", q, k) * scale
    if softcap is not None:
        s = softcap * np.tanh(s / softcap)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype == np.bool_:
            s = np.where(mask, s, -np.inf)
        else:
            s = s + mask.astype(np.float64)
    i = np.arange(L)[:, None]
    j = np.arange(S)[None, :]
    aligned = i + (S - L if align == "bottom_right" else 0)
    allowed = np.ones((L, S), dtype=bool)
    if causal:
        allowed &= j <= aligned
    if window is not None:
        allowed &= (j >= aligned - window[0]) & (j <= aligned + window[1])
    s = np.where(allowed, s, -np.inf)
    s = np.broadcast_to(s, tuple(batch) + (hq, L, S))
    row_max = np.max(s, axis=-1, keepdims=True) if S else \
        np.full(s.shape[:-1] + (1,), -np.inf)
    empty = ~np.isfinite(row_max) & (row_max < 0)
    shifted = np.where(empty, 0.0, row_max)
    e = np.exp(s - shifted)
    total = np.sum(e, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(empty, 0.0, e / total)
        lse = np.where(empty, -np.inf, shifted + np.log(total))[..., 0]
    if dropout > 0.0:
        flat = p.reshape((-1, hq, L, S)).copy()
        for b in range(flat.shape[0]):
            for h in range(hq):
                keep = keep_matrix(seed, dropout, b, h, L, S)
                flat[b, h] = np.where(keep, flat[b, h] / (1.0 - dropout), 0.0)
        p = flat.reshape(p.shape)
    out = np.einsum("...ls,...se->...le", p, v)
    return out, lse
