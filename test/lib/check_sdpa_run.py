"""Runs attn.sdpa configurations through `sdpa-run` on random .npy inputs and
compares every result with the numpy float64 model in sdpa_numpy.py.

usage: check_sdpa_run.py --sdpa-run PATH --workdir DIR [--target T] [--only NAME]
                         [--large] [--half=f16|bf16] [--extra=ARG]...
       check_sdpa_run.py --sdpa-compile PATH --workdir DIR --chips sm_80,sm_90
                         [--only NAME] [--large]
--large adds cases big enough to span many query and key blocks of the CPU
kernels; --half runs the f32 cases with f16 or bf16 inputs instead (on
the GPU, every feature of the matrix through the tensor-core kernels);
--extra passes an argument through to sdpa-run (e.g. tile sizes).
Prints one line per case with the relative error it measured and exits
non-zero if any case is above its dtype's tolerance. The GPU (nvptx) has no
f64, so f64 cases are skipped there.

With --prepare DIR --sdpa-compile PATH [--target T] [--chip C]
[--extra=ARG]..., every case is compiled (ARG passed to sdpa-compile)
ahead of time into DIR/<case>/ with its inputs and the model's
expected results beside it; --verify DIR --sdpa-launch PATH then runs those
artifacts with the runtime alone (sdpa-launch builds without MLIR) and
compares. That is how GPU numerics are checked on a machine that has a GPU
but no MLIR: prepare here, carry DIR and sdpa-launch there, verify there.

With --sdpa-compile alone, every case is compiled for each chip with
`sdpa-compile --target=nvptx` instead, and the line per case is ptxas's
report of the kernel: registers, shared memory, spills. It fails if a
compilation fails or a kernel of the main configurations spills registers
(other spills are reported as `warn`)."""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import sdpa_numpy  # noqa: E402

# Relative error bounds (design.md section 6), measured as
# max|got - want| / max(max|want|, tiny).
TOLERANCE = {"f64": 1e-12, "f32": 1e-5, "f16": 1e-2, "bf16": 1e-2}
NUMPY_DTYPE = {"f64": np.float64, "f32": np.float32, "f16": np.float16,
               "bf16": np.float32}


def case(name, batch=(1,), hq=2, hkv=2, L=5, S=7, E=8, Ev=None, dtype="f32",
         mask=None, mask_shape=None, **attrs):
    return dict(name=name, batch=tuple(batch), hq=hq, hkv=hkv, L=L, S=S, E=E,
                Ev=E if Ev is None else Ev, dtype=dtype, mask=mask,
                mask_shape=mask_shape, attrs=attrs)


CASES = [
    case("plain"),
    case("no_batch_dims", batch=()),
    case("two_batch_dims", batch=(2, 3)),
    case("f64", dtype="f64"),
    case("f16", dtype="f16"),
    case("bf16", dtype="bf16"),
    case("ragged", L=37, S=53, E=24),
    case("L1", L=1, S=33),
    case("S1", L=9, S=1),
    case("gqa_group4", hq=8, hkv=2),
    case("gqa_group8", hq=8, hkv=1, batch=(2,)),
    case("gqa_group1", hq=3, hkv=3),
    case("ev_ne_e", E=16, Ev=5),
    case("scale", scale=0.37),
    case("softcap", softcap=0.8, scale=2.0),
    case("causal_top_left_L_lt_S", L=5, S=9, causal=True, align="top_left"),
    case("causal_top_left_L_gt_S", L=9, S=5, causal=True, align="top_left"),
    case("causal_bottom_right_L_lt_S", L=5, S=9, causal=True,
         align="bottom_right"),
    case("causal_bottom_right_L_gt_S", L=9, S=5, causal=True,
         align="bottom_right"),
    case("window", L=12, S=12, window=(3, 2), align="top_left"),
    case("causal_window_bottom_right", L=6, S=20, causal=True, window=(4, 0),
         align="bottom_right"),
    case("bool_mask_full", mask="bool", mask_shape="full"),
    # Long enough rows that CPU kernels load mask bytes a vector at a time,
    # and ragged, so that the last run crosses the mask's end.
    case("bool_mask_long_rows", mask="bool", mask_shape="full", L=20, S=77),
    case("bool_mask_padding", mask="bool", batch=(2,), mask_shape=(2, 1, 1, 7)),
    case("float_mask_2d", mask="float", mask_shape=(5, 7)),
    case("float_mask_heads", mask="float", hq=4, hkv=2, mask_shape=(1, 4, 1, 7)),
    case("float_mask_f16_query", mask="float", dtype="f16", mask_shape=(5, 7)),
    case("fully_masked_rows", mask="bool_empty_rows", mask_shape="full"),
    case("everything", batch=(2,), hq=4, hkv=2, L=6, S=11, E=8, Ev=3,
         mask="float", mask_shape=(2, 1, 6, 11), causal=True, window=(5, 0),
         align="bottom_right", softcap=1.5, lse=True),
    case("lse", lse=True, causal=True, L=7, S=3, align="bottom_right"),
    # Decode steps of GQA: where nothing depends on the query head or row,
    # the heads of a group run as the rows of one attention
    # (--attn-pack-query-groups), a per-head mask regrouped with them.
    case("decode_gqa_head_mask", hq=8, hkv=2, L=1, S=19, mask="float",
         mask_shape=(1, 8, 1, 19), lse=True),
    case("decode_gqa_padding_f16", batch=(2,), hq=4, hkv=1, L=1, S=23,
         dtype="f16", mask="bool", mask_shape=(2, 1, 1, 23), causal=True,
         align="bottom_right", softcap=2.0),
    case("decode_gqa_causal_top_left", hq=4, hkv=2, L=1, S=9, causal=True,
         align="top_left"),
    case("decode_gqa_window", hq=4, hkv=2, L=1, S=30, causal=True,
         window=(6, 0), align="bottom_right", lse=True),
    case("decode_gqa_dropout", hq=4, hkv=2, L=1, S=30, dropout=0.3,
         seed=5),
    case("dropout", dropout=0.25, seed=12345),
    case("dropout_gqa_batched", batch=(2,), hq=4, hkv=1, dropout=0.5,
         seed=2 ** 63 + 7, lse=True),
]


# Sizes that span several 64-row / 64-key blocks of the CPU kernels, with
# ragged edges, so block skipping, masked and unmasked key blocks and the
# recurrence across blocks are all exercised.
LARGE_CASES = [
    case("large_plain", L=150, S=203, E=64),
    case("large_causal_top_left", hq=4, hkv=1, L=197, S=131, E=32, Ev=48,
         causal=True, align="top_left", lse=True),
    case("large_causal_bottom_right", hq=4, hkv=2, L=70, S=301, E=32,
         causal=True, align="bottom_right", lse=True),
    case("large_window", L=230, S=230, E=16, window=(40, 7), align="top_left"),
    case("large_window_bottom_right_causal", L=33, S=400, E=16, causal=True,
         window=(100, 0), align="bottom_right"),
    case("large_decode_gqa", batch=(3,), hq=8, hkv=2, L=1, S=517, E=64,
         causal=True, align="bottom_right"),
    case("large_padding_mask", batch=(2,), hq=2, hkv=1, L=90, S=140, E=32,
         mask="bool", mask_shape=(2, 1, 1, 140)),
    case("large_float_mask", L=100, S=129, E=32, mask="float",
         mask_shape=(100, 129), softcap=5.0),
    case("large_f16", L=129, S=65, E=64, dtype="f16", causal=True,
         align="top_left"),
    case("large_bf16", L=65, S=130, E=64, dtype="bf16"),
    case("large_f64", L=70, S=90, E=16, dtype="f64", causal=True,
         align="bottom_right", lse=True),
    case("large_dropout", hq=2, hkv=1, L=80, S=150, E=32, dropout=0.3,
         seed=99, causal=True, align="top_left", lse=True),
    # Wide heads: on tensor cores E = 256 reads the query's fragments from
    # shared memory (in registers with the output's they would spill), and
    # Ev beyond 256 is split into slices of V's columns
    # (--attn-split-value-dim), here with dropout and the LSE, which every
    # slice must draw and compute alike.
    case("large_head_dim_256_f16", L=50, S=70, E=256, dtype="f16",
         causal=True, align="bottom_right", lse=True),
    case("large_wide_value_bf16", L=37, S=45, E=320, Ev=300, dtype="bf16",
         dropout=0.25, seed=7, lse=True),
    # A prompt over a long context in a small grid: with split-K on (the
    # GPU's default, the CPU's in cpu_split_keys), several query blocks
    # split their keys, the early ones partly over keys causality hides.
    case("large_long_context", hq=2, hkv=1, L=150, S=1100, E=32,
         causal=True, align="bottom_right", lse=True),
    case("large_wide_value_f32", L=20, S=33, E=64, Ev=600, window=(5, 3),
         align="top_left", lse=True),
]


def tensor_type(shape, dtype):
    return "tensor<" + "".join(f"{d}x" for d in shape) + dtype + ">"


def build(c, rng, workdir):
    """Writes the case's .mlir and input .npy files; returns the paths, the
    inputs and the keyword arguments of the numpy model."""
    dt = c["dtype"]
    qs = c["batch"] + (c["hq"], c["L"], c["E"])
    ks = c["batch"] + (c["hkv"], c["S"], c["E"])
    vs = c["batch"] + (c["hkv"], c["S"], c["Ev"])
    os_ = c["batch"] + (c["hq"], c["L"], c["Ev"])
    ls = c["batch"] + (c["hq"], c["L"])

    def rand(shape):
        x = rng.uniform(-1.0, 1.0, size=shape)
        if dt == "bf16":  # round to bfloat16 so both sides read equal values
            bits = x.astype(np.float32).view(np.uint32)
            bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
            return bits.astype(np.uint32).view(np.float32)
        return x.astype(NUMPY_DTYPE[dt])

    arrays = [rand(qs), rand(ks), rand(vs)]
    types = [tensor_type(qs, dt), tensor_type(ks, dt), tensor_type(vs, dt)]
    a = dict(c["attrs"])
    model = dict(scale=a.get("scale"), causal=a.get("causal", False),
                 window=a.get("window"), align=a.get("align", "top_left"),
                 softcap=a.get("softcap"), dropout=a.get("dropout", 0.0),
                 seed=a.get("seed", 0))
    text = "%q, %k, %v"
    if c["mask"]:
        shape = c["mask_shape"]
        if shape == "full":
            shape = c["batch"] + (c["hq"], c["L"], c["S"])
        if c["mask"] == "float":
            m = rng.uniform(-2.0, 2.0, size=shape).astype(np.float32)
            mtype = tensor_type(shape, "f32")
        else:
            m = rng.uniform(size=shape) < 0.7
            if c["mask"] == "bool_empty_rows":
                m[..., 1, :] = False
                m[..., -1, :] = False
            mtype = tensor_type(shape, "i1")
        arrays.append(m)
        types.append(mtype)
        model["mask"] = m
        text += f" mask(%m : {mtype})"
    if model["causal"]:
        text += " causal"
    if model["window"] is not None:
        text += " window [%d, %d]" % tuple(model["window"])
    if model["causal"] or model["window"] is not None:
        text += " align " + model["align"]
    for key in ("scale", "softcap"):
        if model[key] is not None:
            text += f" {key} {model[key]!r}"
    if model["dropout"]:
        text += f" dropout {model['dropout']!r} seed(%seed)"
        arrays.append(np.array(model["seed"], dtype=np.uint64).view(np.int64))
        types.append("i64")
    results = [tensor_type(os_, dt)]
    if a.get("lse"):
        results.append(tensor_type(ls, "f32"))
    names = ["%q", "%k", "%v"] + (["%m"] if c["mask"] else []) + \
        (["%seed"] if model["dropout"] else [])
    signature = ", ".join(f"{n}: {t}" for n, t in zip(names, types))
    result_names = ["%out", "%lse"][:len(results)]
    mlir = (f"func.func @{c['name']}({signature}) -> ({', '.join(results)}) {{\n"
            f"  {', '.join(result_names)} = attn.sdpa {text}\n"
            f"      : {', '.join(types[:3])} -> {', '.join(results)}\n"
            f"  return {', '.join(result_names)} : {', '.join(results)}\n}}\n")
    path = os.path.join(workdir, c["name"] + ".mlir")
    with open(path, "w") as f:
        f.write(mlir)
    inputs = []
    for i, x in enumerate(arrays):
        p = os.path.join(workdir, f"{c['name']}.in{i}.npy")
        np.save(p, x)
        inputs.append(p)
    outputs = [os.path.join(workdir, f"{c['name']}.out{i}.npy")
               for i in range(len(results))]
    return path, inputs, outputs, arrays, model, bool(a.get("lse"))


def relative_error(got, want):
    got = got.astype(np.float64)
    finite = np.isfinite(want)
    if not np.array_equal(finite, np.isfinite(got)) or \
            not np.array_equal(want[~finite], got[~finite]):
        return np.inf
    if not finite.any():
        return 0.0
    scale = max(np.max(np.abs(want[finite])), 1e-30)
    return float(np.max(np.abs(got[finite] - want[finite])) / scale)


# The shapes users run most: their kernels must not spill (the others are
# reported when they do).
MAIN_GPU_CASES = {"plain", "gqa_group4", "lse", "large_plain",
                  "large_causal_top_left", "large_causal_bottom_right",
                  "large_decode_gqa", "large_f16", "large_bf16",
                  "large_head_dim_256_f16", "large_wide_value_bf16"}
def selected_cases(args):
    """The cases --only and --large select, the f32 ones as --half says."""
    for c in CASES + (LARGE_CASES if args.large else []):
        if not args.only or c["name"] == args.only:
            if args.half and c["dtype"] == "f32":
                c = dict(c, dtype=args.half)
            yield c


def report(name, dtype, got_out, want_out, got_lse=None, want_lse=None):
    """Prints the case's line; returns whether it is within tolerance. lse is
    f32 whatever the inputs are, so it gets f32's bound (scaled to the
    output's so that one ratio covers both)."""
    tolerance = TOLERANCE[dtype]
    errors = [relative_error(got_out, want_out)]
    if want_lse is not None:
        lse_bound = max(tolerance, TOLERANCE["f32"])
        errors.append(relative_error(got_lse, want_lse) * tolerance /
                      lse_bound)
    worst = max(errors)
    ok = worst <= tolerance
    print(f"{'ok  ' if ok else 'FAIL'} {name}: relative error {worst:.3g} "
          f"(tolerance {tolerance:g})")
    return ok


PTXAS_USE = re.compile(r"Used (\d+) registers")
PTXAS_SPILL = re.compile(r"(\d+) bytes spill stores, (\d+) bytes spill loads")


def compile_for_gpus(args):
    """Compiles every non-f64 case for every chip; prints ptxas's report."""
    rng = np.random.default_rng(20261123)
    failures = 0
    for c in selected_cases(args):
        if c["dtype"] == "f64":
            continue
        path = build(c, rng, args.workdir)[0]
        for chip in args.chips.split(","):
            out = os.path.join(args.workdir, f"{c['name']}.{chip}")
            run = subprocess.run(
                [args.sdpa_compile, path, "--target=nvptx", f"--chip={chip}",
                 "-o", out], capture_output=True, text=True)
            log_path = os.path.join(out, "ptxas.log")
            if run.returncode != 0 or not os.path.exists(log_path):
                print(f"FAIL {c['name']} {chip}: sdpa-compile exited "
                      f"{run.returncode}\n{run.stderr}")
                failures += 1
                continue
            with open(os.path.join(out, "manifest.txt")) as f:
                smem = max(int(line.split()[line.split().index("smem") + 1])
                           for line in f if line.startswith("launch "))
            with open(log_path) as f:
                log = f.read()
            # Every kernel of the artifact counts: the most registers any
            # uses, the spill bytes of all of them.
            regs = [int(r) for r in PTXAS_USE.findall(log)]
            spills = [(int(st), int(ld)) for st, ld in PTXAS_SPILL.findall(log)]
            stores = sum(st for st, _ in spills)
            loads = sum(ld for _, ld in spills)
            spilled = not spills or len(spills) != len(regs) or stores or loads
            if not regs or (spilled and c["name"] in MAIN_GPU_CASES):
                status = "FAIL"
            else:
                status = "warn" if spilled else "ok  "
            failures += status == "FAIL"
            print(f"{status} {c['name']} {chip}: "
                  f"{max(regs) if regs else '?'} registers, "
                  f"{smem} bytes shared, spills "
                  f"{f'{stores}/{loads}' if spills else '?'}")
    print(f"{failures} case(s) failed" if failures else "all cases passed")
    return 1 if failures else 0


def prepare(args):
    """Compiles every case into args.prepare/<case>/ with inputs and the
    model's expected outputs, for --verify."""
    rng = np.random.default_rng(20261123)
    failures = 0
    for c in selected_cases(args):
        path, inputs, _, arrays, model, lse = build(c, rng, args.workdir)
        if args.target == "nvptx" and c["dtype"] == "f64":
            continue
        out = os.path.join(args.prepare, c["name"])
        run = subprocess.run(
            [args.sdpa_compile, path, f"--target={args.target}",
             f"--chip={args.chip}", "-o", out] + args.extra,
            capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {c['name']}: sdpa-compile exited {run.returncode}\n"
                  f"{run.stderr}")
            failures += 1
            continue
        for i, x in enumerate(arrays):
            np.save(os.path.join(out, f"in{i}.npy"), x)
        q, k, v = (x.astype(np.float64) for x in arrays[:3])
        want_out, want_lse = sdpa_numpy.sdpa(q, k, v, **model)
        np.save(os.path.join(out, "want0.npy"), want_out)
        if lse:
            np.save(os.path.join(out, "want1.npy"), want_lse)
        with open(os.path.join(out, "dtype.txt"), "w") as f:
            f.write(c["dtype"] + "\n")
        print(f"ok   {c['name']}: prepared")
    print(f"{failures} case(s) failed" if failures else "all cases prepared")
    return 1 if failures else 0


def verify(args):
    """Runs every prepared case with sdpa-launch and compares."""
    failures = 0
    for name in sorted(os.listdir(args.verify)):
        case_dir = os.path.join(args.verify, name)
        if not os.path.exists(os.path.join(case_dir, "want0.npy")):
            continue
        if args.only and name != args.only:
            continue
        with open(os.path.join(case_dir, "dtype.txt")) as f:
            dtype = f.read().strip()
        inputs = sorted((p for p in os.listdir(case_dir)
                         if p.startswith("in") and p.endswith(".npy")),
                        key=lambda p: int(p[2:-4]))
        wants = sorted(p for p in os.listdir(case_dir)
                       if p.startswith("want"))
        outputs = [os.path.join(case_dir, f"got{i}.npy")
                   for i in range(len(wants))]
        run = subprocess.run(
            [args.sdpa_launch, case_dir] +
            [f"--input={os.path.join(case_dir, p)}" for p in inputs] +
            [f"--output={p}" for p in outputs], capture_output=True,
            text=True)
        if run.returncode != 0:
            print(f"FAIL {name}: sdpa-launch exited {run.returncode}\n"
                  f"{run.stderr}")
            failures += 1
            continue
        got = [np.load(p) for p in outputs]
        want = [np.load(os.path.join(case_dir, p)) for p in wants]
        failures += not report(name, dtype, got[0], want[0],
                               *((got[1], want[1]) if len(want) > 1 else ()))
    print(f"{failures} case(s) failed" if failures else "all cases passed")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sdpa-run")
    parser.add_argument("--sdpa-compile")
    parser.add_argument("--chips", default="sm_80,sm_90")
    parser.add_argument("--prepare")
    parser.add_argument("--verify")
    parser.add_argument("--sdpa-launch")
    parser.add_argument("--chip", default="sm_80")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--target", default="reference")
    parser.add_argument("--only")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--half", choices=["f16", "bf16"])
    parser.add_argument("--extra", action="append", default=[])
    args = parser.parse_args()
    if args.verify:
        if not args.sdpa_launch:
            parser.error("--verify needs --sdpa-launch")
        return verify(args)
    if not args.sdpa_run and not args.sdpa_compile:
        parser.error("give --sdpa-run or --sdpa-compile")
    os.makedirs(args.workdir, exist_ok=True)
    if args.prepare:
        return prepare(args)
    if args.sdpa_compile:
        return compile_for_gpus(args)
    rng = np.random.default_rng(20261123)
    failures = 0
    for c in selected_cases(args):
        path, inputs, outputs, arrays, model, lse = build(c, rng, args.workdir)
        if args.target == "nvptx" and c["dtype"] == "f64":
            print(f"skip {c['name']}: f64 runs on the CPU only")
            continue
        cmd = [args.sdpa_run, path, f"--target={args.target}"] + \
            [f"--input={p}" for p in inputs] + \
            [f"--output={p}" for p in outputs] + args.extra
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {c['name']}: sdpa-run exited {run.returncode}\n"
                  f"{run.stderr}")
            failures += 1
            continue
        q, k, v = (x.astype(np.float64) for x in arrays[:3])
        want_out, want_lse = sdpa_numpy.sdpa(q, k, v, **model)
        failures += not report(
            c["name"], c["dtype"], np.load(outputs[0]), want_out,
            *((np.load(outputs[1]), want_lse) if lse else ()))
    print(f"{failures} case(s) failed" if failures else "all cases passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
