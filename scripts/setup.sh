#!/usr/bin/env bash
# The README's first command: install everything, build, and run the example
# graph (verify and print it, then evaluate it on random inputs).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh

example=examples/gqa_causal.mlir
echo "== $example, verified and printed by sdpa-opt"
build/bin/sdpa-opt "$example"
echo "== $example, run on random inputs with the float64 reference"
build/bin/sdpa-run "$example" --random=1
