#!/usr/bin/env bash
# History benchmark (issue 20): builds tandem and tandem-bench (release), then `tandem-bench history`, which
# drives a release `tandem serve` on SQLite over HTTP only:
#  1. EPISODES new referrals, each for a new patient, posted 32 at a time as fast as the gateway takes
#     them; then a graceful stop and a restart on the same store: seconds until /health/ready answers 200,
#     resident memory once ready and after a warm-up of 20 referrals, and the seconds GET /measures takes
#     (every episode's measures, as the console and the gauges read them), beside the same restart of an
#     empty store;
#  2. on the restarted gateway, 300 referrals for one patient posted one after another, interleaved with
#     300 for 300 new patients (the baseline): the median latency of the first 30 and of the last 30.
#
#   scripts/bench-history.sh        (EPISODES overrides 100000, e.g. EPISODES=20000 for a quick run;
#                                    extra flags via BENCH_FLAGS, see `tandem-bench history --help`)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

"$root/scripts/setup.sh"
swift build -c release --package-path "$root" --product tandem >&2
swift build -c release --package-path "$root" --product tandem-bench >&2
cd "$root"
# shellcheck disable=SC2086
exec "$root/.build/release/tandem-bench" history --episodes "${EPISODES:-100000}" ${BENCH_FLAGS:-}
