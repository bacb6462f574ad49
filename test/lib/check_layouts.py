"""Runs attention graphs written in framework layouts through `sdpa-run` and
compares the results with the numpy float64 model: q, k and v arrive as
[B, L, H, E] (torch's layout before `.transpose(1, 2)`) and are transposed
to [B, H, L, E] for attn.sdpa, and the output is transposed back, as
exporters write it. The compiler reads the tiles through the transposes
instead of copying; this checks that what it reads and writes is right.

usage: check_layouts.py --sdpa-run PATH --workdir DIR [--target T]
                        [--extra=ARG]...
--extra passes ARG on to every sdpa-run (--emulate, say)."""

import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import check_sdpa_run  # noqa: E402
import sdpa_numpy  # noqa: E402

CASES = [
    # name, B, L, S, Hq, Hkv, E, Ev, attributes, transpose the output back
    ("bshd_causal", 2, 37, 53, 4, 2, 16, 8, "causal align bottom_right", True),
    ("bshd_in_bhsd_out", 1, 70, 70, 2, 2, 32, 32, "", False),
    ("bshd_decode_gqa", 3, 1, 129, 8, 2, 64, 64, "", True),
    # One query block of few heads: on a GPU (or with --min-grid-blocks)
    # the keys are split and the combine writes the transposed output.
    ("bshd_decode_mha", 2, 1, 100, 4, 4, 32, 16, "", True),
    ("bshd_chunk_causal", 1, 5, 90, 3, 3, 16, 24,
     "causal align bottom_right", True),
]


def ttype(shape):
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


def graph(name, B, L, S, Hq, Hkv, E, Ev, attrs, out_t):
    q, k, v = (B, L, Hq, E), (B, S, Hkv, E), (B, S, Hkv, Ev)
    qt, kt, vt = (B, Hq, L, E), (B, Hkv, S, E), (B, Hkv, S, Ev)
    o, ot = (B, Hq, L, Ev), (B, L, Hq, Ev)
    lines = [f"func.func @{name}(%q: {ttype(q)}, %k: {ttype(k)}, "
             f"%v: {ttype(v)}) -> {ttype(ot if out_t else o)} {{"]
    for x, src, dst in (("q", q, qt), ("k", k, kt), ("v", v, vt)):
        lines += [f"  %e{x} = tensor.empty() : {ttype(dst)}",
                  f"  %{x}t = linalg.transpose ins(%{x} : {ttype(src)}) "
                  f"outs(%e{x} : {ttype(dst)}) permutation = [0, 2, 1, 3]"]
    lines.append(f"  %o = attn.sdpa %qt, %kt, %vt {attrs} : {ttype(qt)}, "
                 f"{ttype(kt)}, {ttype(vt)} -> {ttype(o)}")
    if out_t:
        lines += [f"  %eo = tensor.empty() : {ttype(ot)}",
                  f"  %ot = linalg.transpose ins(%o : {ttype(o)}) "
                  f"outs(%eo : {ttype(ot)}) permutation = [0, 2, 1, 3]",
                  f"  return %ot : {ttype(ot)}", "}"]
    else:
        lines += [f"  return %o : {ttype(o)}", "}"]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sdpa-run", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--target", default="cpu")
    parser.add_argument("--extra", action="append", default=[])
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    rng = np.random.default_rng(7)
    failures = 0
    for name, B, L, S, Hq, Hkv, E, Ev, attrs, out_t in CASES:
        path = os.path.join(args.workdir, name + ".mlir")
        with open(path, "w") as f:
            f.write(graph(name, B, L, S, Hq, Hkv, E, Ev, attrs, out_t))
        arrays = [rng.uniform(-1, 1, shape).astype(np.float32) for shape in
                  ((B, L, Hq, E), (B, S, Hkv, E), (B, S, Hkv, Ev))]
        inputs = []
        for i, x in enumerate(arrays):
            inputs.append(os.path.join(args.workdir, f"{name}.in{i}.npy"))
            np.save(inputs[-1], x)
        out = os.path.join(args.workdir, name + ".out.npy")
        run = subprocess.run([args.sdpa_run, path, f"--target={args.target}"] +
                             [f"--input={p}" for p in inputs] +
                             [f"--output={out}"] + args.extra,
                             capture_output=True,
                             text=True)
        if run.returncode != 0:
            print(f"FAIL {name}: sdpa-run exited {run.returncode}\n"
                  f"{run.stderr}")
            failures += 1
            continue
        q, k, v = (x.astype(np.float64).transpose(0, 2, 1, 3) for x in arrays)
        want, _ = sdpa_numpy.sdpa(q, k, v, causal="causal" in attrs,
                                  align="bottom_right")
        if out_t:
            want = want.transpose(0, 2, 1, 3)
        got = np.load(out)
        if got.shape != want.shape:
            print(f"FAIL {name}: shape {got.shape}, expected {want.shape}")
            failures += 1
            continue
        failures += not check_sdpa_run.report(name, "f32", got, want)
    print(f"{failures} case(s) failed" if failures else "all cases passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
