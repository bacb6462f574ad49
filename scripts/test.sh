#!/usr/bin/env bash
# The README's second command: build and run the whole test suite (lit:
# FileCheck tests, integration tests and the GoogleTest unit tests).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh
log=build/check-sdpa.log
status=0
ninja -C build check-sdpa 2>&1 | tee "$log" || status=$?

# One plain closing line with lit's counts.
count() { sed -n "s/^ *$1 *: *\([0-9][0-9]*\).*/\1/p" "$log" | tail -n 1; }
passed=$(count Passed)
failed=$(( $(count Failed || true) + 0 ))
unresolved=$(( $(count Unresolved || true) + 0 ))
skipped=$(( $(count Unsupported || true) + 0 ))
echo "lit: ${passed:-0} passed, $((failed + unresolved)) failed, $skipped skipped"
exit "$status"
