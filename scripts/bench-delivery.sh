#!/usr/bin/env bash
# Delivery benchmark (issue 5): builds tandem and tandem-bench (release), then `tandem-bench delivery`:
#  1. deliveries/s to an in-process sink over loopback through the real Forwarder, DeliveryDriver and
#     CurlTransport, over the SQLite outbox and over an in-memory queue, beside a raw libcurl loop (the
#     floor: same bodies, same concurrency), in the same run;
#  2. ingest-to-partner latency: a release `tandem serve` with the sink as partner, offered a steady
#     open-loop load, p50/p99/max and messages lost.
#
#   scripts/bench-delivery.sh [RATE] [SECONDS]     (default 500 messages/s for 20 s; extra flags via BENCH_FLAGS)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rate="${1:-500}"
seconds="${2:-20}"

"$root/scripts/setup.sh"
swift build -c release --package-path "$root" --product tandem >&2
swift build -c release --package-path "$root" --product tandem-bench >&2
cd "$root"
# shellcheck disable=SC2086
exec "$root/.build/release/tandem-bench" delivery --rate "$rate" --seconds "$seconds" ${BENCH_FLAGS:-}
