#!/usr/bin/env bash
# Codec benchmark: builds tandem-bench (release), then `tandem-bench codec` with the given arguments: JSON and
# XML read, validate and write beside `JSONSerialization` and `xmlReadMemory` on the same bytes, and memory.
#
#   scripts/bench-codec.sh [--corpus ../shared/fhir-r4] [--bundle-megabytes N] [--seconds N]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
swift build -c release --package-path "$root" --product tandem-bench >&2
exec "$root/.build/release/tandem-bench" codec "$@"
