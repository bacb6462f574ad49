#!/usr/bin/env bash
# The README's first command: install everything, build, and run the example
# graph (verify and print it, then compile it for this CPU, run it on random
# inputs, check it against the float64 reference and time it).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh

example=examples/gqa_causal.mlir
echo "== $example, verified and printed by sdpa-opt"
build/bin/sdpa-opt "$example"
echo "== $example, compiled for this CPU, run on random inputs, checked"
echo "   against the float64 reference and timed (kernel time, 20 runs)"
build/bin/sdpa-run "$example" --random=1 --check --bench=20
