"""GPU benchmark: sdpa's NVPTX kernels against PyTorch's
scaled_dot_product_attention (flash backend) in the same run.

Two steps, because the GPU machine may have no MLIR:

  # where the compiler is: one artifact per shape, plus shapes.json
  python3 bench/gpu/gpu_bench.py compile --sdpa-compile build/bin/sdpa-compile \\
      --out gpu-bench/ --chip sm_90 [--quick] [--tensor-cores wmma] \\
      [--extra=--gpu-threads=128]...
  # on the GPU machine (python3 with PyTorch): time both, print the table
  python3 bench/gpu/gpu_bench.py run --artifacts gpu-bench/ \\
      --sdpa-launch build-rt/bin/sdpa-launch [--runs 20]

Shapes: f16 and bf16, E = 64 (32 heads) and 128 (16 heads), B * L = 16k
tokens, L = S from 512 to 16k, causal and not; decode with Hq/Hkv = 32/8,
E = 128, B = 1..64, S = 4k..32k. FLOPs are 2 * B * Hq * (E + Ev) times the
number of (i, j) pairs causal alignment allows; decode is reported in GB/s
of K/V read, against the device's bandwidth measured by a large copy.

--extra passes an option to sdpa-compile, so that one GPU session can
compare kernel configurations: compile each into its own --out and run
each (e.g. --extra=--gpu-threads=128 for 4 warps of two 16-row query
groups each in the 128-row f16/bf16 blocks, instead of 8 warps of one;
--extra=--block-k=64 for 64-key steps)."""

import argparse
import json
import os
import subprocess
import sys


def prefill_shapes(quick):
    lengths = [512, 2048] if quick else [512, 1024, 2048, 4096, 8192, 16384]
    dims = [64] if quick else [64, 128]
    for dtype in ("f16", "bf16"):
        for e in dims:
            heads = 2048 // e
            for length in lengths:
                for causal in (False, True):
                    yield dict(kind="prefill", dtype=dtype, B=16384 // length,
                               Hq=heads, Hkv=heads, L=length, S=length, E=e,
                               causal=causal)


def decode_shapes(quick):
    batches = [1, 8] if quick else [1, 8, 64]
    keys = [4096] if quick else [4096, 16384, 32768]
    for batch in batches:
        for s in keys:
            yield dict(kind="decode", dtype="f16", B=batch, Hq=32, Hkv=8, L=1,
                       S=s, E=128, causal=True)


def name_of(shape):
    return "{kind}_{dtype}_b{B}_h{Hq}x{Hkv}_l{L}_s{S}_e{E}{c}".format(
        c="_causal" if shape["causal"] else "", **shape)


def allowed_pairs(shape):
    """(i, j) pairs causal alignment allows (bottom right; L = S or L = 1)."""
    L, S = shape["L"], shape["S"]
    if not shape["causal"]:
        return L * S
    return sum(min(S, i + 1 + S - L) for i in range(L))


def flops(shape):
    return 2.0 * shape["B"] * shape["Hq"] * allowed_pairs(shape) * \
        (shape["E"] * 2)


def kv_bytes(shape):
    return 2 * shape["B"] * shape["Hkv"] * shape["S"] * shape["E"] * 2


def mlir_of(shape, name):
    t = "x".join
    B, Hq, Hkv, L, S, E = (shape[k] for k in ("B", "Hq", "Hkv", "L", "S", "E"))
    dt = shape["dtype"]
    q = f"tensor<{B}x{Hq}x{L}x{E}x{dt}>"
    kv = f"tensor<{B}x{Hkv}x{S}x{E}x{dt}>"
    attrs = " causal align bottom_right" if shape["causal"] else ""
    return (f"func.func @{name}(%q: {q}, %k: {kv}, %v: {kv}) -> {q} {{\n"
            f"  %o = attn.sdpa %q, %k, %v{attrs} : {q}, {kv}, {kv} -> {q}\n"
            f"  return %o : {q}\n}}\n")


def compile_all(args):
    os.makedirs(args.out, exist_ok=True)
    shapes = list(prefill_shapes(args.quick)) + list(decode_shapes(args.quick))
    table = []
    for shape in shapes:
        name = name_of(shape)
        source = os.path.join(args.out, name + ".mlir")
        with open(source, "w") as f:
            f.write(mlir_of(shape, name))
        run = subprocess.run([args.sdpa_compile, source, "--target=nvptx",
                              f"--chip={args.chip}",
                              f"--tensor-cores={args.tensor_cores}", "-o",
                              os.path.join(args.out, name)] + args.extra,
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(f"compile failed for {name}:\n{run.stderr}", file=sys.stderr)
            return 1
        table.append(dict(shape, name=name, flops=flops(shape),
                          kv_bytes=kv_bytes(shape)))
        print(f"compiled {name}")
    with open(os.path.join(args.out, "shapes.json"), "w") as f:
        json.dump(table, f, indent=1)
    return 0


def time_ours(args, entry):
    run = subprocess.run([args.sdpa_launch, os.path.join(args.artifacts,
                                                         entry["name"]),
                          "--random=1", f"--bench={args.runs}"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return None, run.stderr.strip()
    for line in run.stdout.splitlines():
        if line.startswith("bench:"):
            fields = dict(f.split("=") for f in line.split()[1:])
            return float(fields["median_ms"]), None
    return None, "no bench line"


def time_torch(torch, entry, runs):
    from torch.nn.functional import scaled_dot_product_attention as sdpa
    dtype = {"f16": torch.float16, "bf16": torch.bfloat16}[entry["dtype"]]
    B, Hq, Hkv, L, S, E = (entry[k] for k in ("B", "Hq", "Hkv", "L", "S", "E"))
    q = torch.randn(B, Hq, L, E, device="cuda", dtype=dtype)
    k = torch.randn(B, Hkv, S, E, device="cuda", dtype=dtype)
    v = torch.randn(B, Hkv, S, E, device="cuda", dtype=dtype)
    if Hkv != Hq:  # the flash backend wants equal heads: repeat, untimed
        k = k.repeat_interleave(Hq // Hkv, dim=1)
        v = v.repeat_interleave(Hq // Hkv, dim=1)
    # PyTorch's is_causal is top-left; decode (L = 1) needs no mask at all.
    causal = entry["causal"] and L > 1
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel
        context = sdpa_kernel([SDPBackend.FLASH_ATTENTION])
    except ImportError:
        context = torch.backends.cuda.sdp_kernel(enable_math=False,
                                                 enable_mem_efficient=False)
    with context:
        for _ in range(3):
            sdpa(q, k, v, is_causal=causal)
        times = []
        for _ in range(runs):
            start = torch.cuda.Event(enable_timing=True)
            stop = torch.cuda.Event(enable_timing=True)
            start.record()
            sdpa(q, k, v, is_causal=causal)
            stop.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(stop))
    times.sort()
    return times[len(times) // 2]


def device_bandwidth(torch):
    """GB/s of a 1 GiB device-to-device copy (read + write)."""
    a = torch.empty(1 << 30, dtype=torch.uint8, device="cuda")
    b = torch.empty_like(a)
    for _ in range(3):
        b.copy_(a)
    start = torch.cuda.Event(enable_timing=True)
    stop = torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(10):
        b.copy_(a)
    stop.record()
    torch.cuda.synchronize()
    return 2 * 10 * (1 << 30) / (start.elapsed_time(stop) * 1e-3) / 1e9


def run_all(args):
    import torch
    with open(os.path.join(args.artifacts, "shapes.json")) as f:
        table = json.load(f)
    bandwidth = device_bandwidth(torch)
    print(f"device: {torch.cuda.get_device_name()}, measured copy bandwidth "
          f"{bandwidth:.0f} GB/s")
    print(f"{'shape':<44} {'ours ms':>9} {'TFLOP/s':>8} {'torch ms':>9} "
          f"{'TFLOP/s':>8} {'ours/torch':>10} {'GB/s':>7} {'of bw':>6}")
    for entry in table:
        ours, error = time_ours(args, entry)
        theirs = time_torch(torch, entry, args.runs)
        if ours is None:
            print(f"{entry['name']:<44} failed: {error}")
            continue
        ratio = theirs / ours
        gbs = entry["kv_bytes"] / (ours * 1e-3) / 1e9
        print(f"{entry['name']:<44} {ours:9.3f} "
              f"{entry['flops'] / (ours * 1e-3) / 1e12:8.1f} {theirs:9.3f} "
              f"{entry['flops'] / (theirs * 1e-3) / 1e12:8.1f} {ratio:10.2f} "
              f"{gbs:7.0f} {gbs / bandwidth:6.0%}")
    return 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="step", required=True)
    c = sub.add_parser("compile")
    c.add_argument("--sdpa-compile", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--chip", default="sm_90")
    c.add_argument("--tensor-cores", default="mma-sync",
                   choices=["mma-sync", "wmma"])
    c.add_argument("--quick", action="store_true")
    c.add_argument("--extra", action="append", default=[])
    r = sub.add_parser("run")
    r.add_argument("--artifacts", required=True)
    r.add_argument("--sdpa-launch", required=True)
    r.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    return compile_all(args) if args.step == "compile" else run_all(args)


if __name__ == "__main__":
    sys.exit(main())
