"""Runs unfused attention graphs end to end on a target and compares every
result with a float64 evaluation of the graph itself.

usage: check_raise.py --sdpa-opt PATH --sdpa-run PATH --workdir DIR
                      [--target T] [--xfail=FUNCTION]... FILE.mlir...

Each function of each file (split at lit's `// -----`) is compiled and run
by `sdpa-run` (which raises what it recognises to attn.sdpa and compiles the
rest as loops) on random inputs written as .npy. Dynamic dims have size 3,
unless the chunk has a line `// shapes: 2x4x9x8 2x4x7x8 scalar ...` that
gives every argument's shape. The expected results come
from linalg_numpy.py, which interprets the graph op by op in float64 after
upstream lowering only (tosa-to-linalg, linalg-generalize-named-ops): it
never sees attn.sdpa, so a wrong raise (scale, mask polarity, alignment,
heads, layouts) shows up as a numerical difference, and so does a wrong
compilation of a graph that is not raised.

Prints, per function, whether the pipeline raised it and the relative error
it measured, and exits non-zero if any function is above its result type's
tolerance (design.md section 6); integer results must be equal."""

import argparse
import os
import re
import subprocess
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import linalg_numpy  # noqa: E402

TOLERANCE = {"f64": 1e-12, "f32": 1e-5, "f16": 1e-2, "bf16": 1e-2}
UPSTREAM = ("func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,"
            "tosa-to-tensor,convert-elementwise-to-linalg)")


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {result.returncode}:\n"
                           f"{result.stderr}")
    return result.stdout


def split_file(path):
    """The file's chunks between lit's split markers."""
    with open(path) as f:
        text = f.read()
    return [chunk for chunk in re.split(r"^// -----\s*$", text, flags=re.M)
            if "func.func" in chunk]


def round_bf16(x):
    bits = x.astype(np.float32).view(np.uint32)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def make_input(type_, rng):
    """A random argument: (array written for sdpa-run, value the reference
    reads). Boolean and integer masks (0 or 1) keep the first key column and
    drop the last along their last dim, so that no row is emptied whichever
    polarity the graph gives them."""
    kind, shape, elem = type_
    if kind == "scalar":
        value = rng.uniform(0.1, 1.0)
        file_value = np.array(value, dtype=np.float32 if elem != "f64" else np.float64)
        return file_value, float(file_value)
    if elem in ("i1", "i32", "i64"):
        # Integer tensors are masks too (attention_mask == 1): 0 or 1.
        m = rng.uniform(size=shape) < 0.5
        if m.ndim:
            m[..., 0] = True
            if m.shape[-1] > 1:
                m[..., -1] = False
        if elem != "i1":
            m = m.astype(np.int64 if elem == "i64" else np.int32)
        return m, m
    x = rng.uniform(-1.0, 1.0, size=shape)
    if elem == "f16":
        x = x.astype(np.float16)
    elif elem == "bf16":
        x = round_bf16(x)
    elif elem == "f32":
        x = x.astype(np.float32)
    elif elem != "f64":
        raise linalg_numpy.Unsupported(f"argument type {elem}")
    return x, x.astype(np.float64)


def relative_error(got, want):
    """max |got - want| / max |want| over the finite elements; non-finite
    elements (NaN where every score of a row is masked out and the graph is
    not raised) must be the same in both, or the error is infinite."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return np.inf
    finite = np.isfinite(want)
    same_nan = np.isnan(got[~finite]) & np.isnan(want[~finite])
    if not np.array_equal(finite, np.isfinite(got)) or \
            not np.all(same_nan | (got[~finite] == want[~finite])):
        return np.inf
    if not finite.any():
        return 0.0
    scale = max(float(np.max(np.abs(want[finite]))), 1e-30)
    return float(np.max(np.abs(got[finite] - want[finite]))) / scale


def check_chunk(args, label, chunk, index):
    stem = f"{label.replace('.mlir', '')}.{index}"
    path = os.path.join(args.workdir, stem + ".mlir")
    with open(path, "w") as f:
        f.write(chunk)
    generic = run([args.sdpa_opt, path,
                   f"--pass-pipeline=builtin.module({UPSTREAM},"
                   "linalg-generalize-named-ops)",
                   "--mlir-print-op-generic",
                   "--mlir-print-elementsattrs-with-hex-if-larger=-1"])
    raised = run([args.sdpa_opt, path,
                  f"--pass-pipeline=builtin.module({UPSTREAM},attn-raise-sdpa,"
                  "attn-fold-kv-broadcast)"]).count("attn.sdpa ")
    _, funcs = linalg_numpy.parse_module(generic)
    # `// shapes: 2x4x9x8 scalar ...` gives the argument shapes of a chunk
    # with dynamic dims, one per argument.
    given = re.search(r"^// shapes: (.*)$", chunk, flags=re.M)
    shapes = given.group(1).split() if given else None
    results = []
    for name, func in funcs.items():
        # Each graph draws from its own generator, so that adding a graph
        # does not change the inputs of the others.
        rng = np.random.default_rng(zlib.crc32(f"{label}@{name}".encode()))
        ins, outs = linalg_numpy.function_signature(func)
        where = f"{label} @{name}"
        status = "raised  " if raised else "unraised"
        files, values = [], []
        for k, type_ in enumerate(ins):
            if type_[0] == "tensor" and shapes:
                given = tuple(int(d) for d in shapes[k].split("x"))
                if len(given) != len(type_[1]) or any(
                        d not in (-1, g) for d, g in zip(type_[1], given)):
                    raise RuntimeError(f"{where}: shape {shapes[k]} does not "
                                       f"fit argument #{k}")
                type_ = (type_[0], given, type_[2])
            elif type_[0] == "tensor":
                # Dynamic dims get a size of their own.
                type_ = (type_[0], tuple(3 if d == -1 else d for d in type_[1]),
                         type_[2])
            file_value, value = make_input(type_, rng)
            p = os.path.join(args.workdir, f"{stem}.{name}.in{k}.npy")
            np.save(p, file_value)
            files.append(p)
            values.append(value)
        outputs = [os.path.join(args.workdir, f"{stem}.{name}.out{k}.npy")
                   for k in range(len(outs))]
        command = [args.sdpa_run, path, f"--entry={name}",
                   f"--target={args.target}"] + \
            [f"--input={p}" for p in files] + [f"--output={p}" for p in outputs]
        if name in args.xfail:
            # Known not to compile yet: must still fail, and say why.
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode == 0:
                results.append(("FAIL", f"XPASS {status} {where}: runs now; "
                                        "drop it from --xfail"))
            else:
                why = result.stderr.strip().splitlines()[0] if result.stderr else ""
                results.append(("xfail", f"xfail {status} {where}: {why}"))
            continue
        run(command)
        want = linalg_numpy.evaluate(generic, name, values)
        worst, tolerance = 0.0, 0.0
        for out_type, got_path, expected in zip(outs, outputs, want):
            if out_type[2] not in TOLERANCE:
                # Integer results (the index of a max) must be exact.
                if not np.array_equal(np.load(got_path), expected):
                    worst = np.inf
                continue
            t = TOLERANCE[out_type[2]]
            error = relative_error(np.load(got_path), expected)
            # One ratio for all results: scale each to the tightest bound.
            tolerance = t if not tolerance else min(tolerance, t)
            worst = max(worst, error * tolerance / t)
        verdict = "ok  " if worst <= tolerance else "FAIL"
        results.append((verdict, f"{verdict} {status} {where}: relative error "
                                 f"{worst:.3g} (tolerance {tolerance:g})"))
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sdpa-opt", required=True)
    parser.add_argument("--sdpa-run", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--target", default="cpu")
    parser.add_argument("--xfail", action="append", default=[],
                        help="a function known not to compile yet")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    failures = checked = 0
    for path in args.files:
        label = os.path.basename(path)
        for index, chunk in enumerate(split_file(path)):
            try:
                results = check_chunk(args, label, chunk, index)
            except (RuntimeError, linalg_numpy.Unsupported) as error:
                results = [("FAIL", f"FAIL {label} #{index}: {error}")]
            for verdict, line in results:
                print(line, flush=True)
                failures += verdict == "FAIL"
                checked += verdict in ("ok  ", "FAIL")
    if failures:
        print(f"{failures} of {checked} graph(s) failed")
        return 1
    print(f"all {checked} graphs agree with the float64 evaluation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
