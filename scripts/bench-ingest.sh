#!/usr/bin/env bash
# Ingest benchmark (issue 4): wrk posts new ServiceRequests, JSON and XML alternately, at 32 connections to
# `tandem serve` (release, embedded SQLite, every request durably committed with its episode) and, in the
# same run, to a bare Hummingbird route that answers 201 and does nothing (the HTTP ceiling). Prints
# requests/s, p50 and p99 latency and the server's peak RSS for both; and, for the gateway, where its time
# went: CPU per committed request over all its threads, its busiest thread's share of a core (the store's
# single writer, when that is what limits it) and how much of the machine stayed idle.
#
#   scripts/bench-ingest.sh [SECONDS]        (default 15; CONNECTIONS and THREADS override 32 and 2)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-15}"
connections="${CONNECTIONS:-32}"
threads="${THREADS:-2}"

"$root/scripts/setup.sh"
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >&2; else sudo apt-get install -y wrk >&2; fi
fi
swift build -c release --package-path "$root" --product tandem >&2
tandem="$root/.build/release/tandem"
lua="$root/scripts/bench/post-service-request.lua"

work="$(mktemp -d)"
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_ready() { # URL
    for _ in $(seq 1 200); do
        if curl -s -o /dev/null -X "${2:-GET}" "$1"; then return 0; fi
        sleep 0.05
    done
    echo "server at $1 did not start" >&2; exit 1
}

# Runs wrk against the server whose pid is $pid; prints "rps p50 p99 rss_mb errors".
measure() { # URL
    local line rss
    line="$(TANDEM_BENCH_RUN="$RANDOM$RANDOM" wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s -s "$lua" "$1" | grep '^RESULT')"
    rss="$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")"
    echo "$line" | awk -v rss="$rss" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%s %s %s %s %s\n", v["rps"], v["p50_ms"], v["p99_ms"], rss, v["socket_errors"] + v["non_2xx"]
    }'
}

# CPU ticks of each thread of the process whose pid is $pid, one line each: "tid name ticks". The fields
# of /proc/PID/task/TID/stat after the command name, which may hold spaces, are counted from its bracket.
cpu_ticks() {
    local task rest
    for task in /proc/"$pid"/task/*; do
        rest="$(sed 's/.*) //' "$task/stat" 2>/dev/null)" || continue
        printf '%s %s %s\n' "${task##*/}" "$(tr ' ' '_' < "$task/comm")" "$(echo "$rest" | awk '{ print $12 + $13 }')"
    done
}

# Machine-wide CPU ticks: "busy idle iowait".
machine_ticks() {
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5, $6 }' /proc/stat
}

# 1. The gateway: its own data directory, the repository's mappings, the sample configuration (its demo
#    sender's token is the one the wrk script posts with).
#    The per-client rate limit is off: one wrk token posts far more than a hospital's engine would.
python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["limits"] = {"requestsPerSecond": 0}; json.dump(c, open(sys.argv[2], "w"))' \
    "$root/Samples/config/tandem.json" "$work/tandem.json"
port="$(free_port)"
(cd "$work" && TANDEM_LISTEN="127.0.0.1:$port" TANDEM_MAPPINGS="$root/Mappings" TANDEM_LOG_LEVEL=warning \
    exec "$tandem" serve --config "$work/tandem.json") &
pid=$!
wait_ready "http://127.0.0.1:$port/health/ready"
committed_count() {
    curl -s "http://127.0.0.1:$port/metrics" | awk '/^tandem_store_duration_count\{operation="ingest"\}/ { print $2 }'
}
before_committed="$(committed_count)"; before_threads="$(cpu_ticks)"; before_machine="$(machine_ticks)"
gateway="$(measure "http://127.0.0.1:$port")"
after_threads="$(cpu_ticks)"; after_machine="$(machine_ticks)"
committed="$(committed_count)"
# µs of CPU per committed request, the busiest thread and its share of a core, machine idle and iowait in %.
usage="$(join <(echo "$before_threads" | sort) <(echo "$after_threads" | sort) | awk \
    -v hz="$(getconf CLK_TCK)" -v seconds="$seconds" -v requests="$((${committed:-0} - ${before_committed:-0}))" \
    -v machine="$before_machine $after_machine" '
    { delta = $5 - $3; total += delta; if (delta > most) { most = delta; name = $2 } }
    END {
        split(machine, m, " "); busy = m[4] - m[1]; idle = m[5] - m[2]; wait = m[6] - m[3]; all = busy + idle + wait
        printf "%.0f %s %.0f %.0f %.0f\n", (requests > 0 ? total / hz * 1e6 / requests : 0), name,
            100 * most / hz / seconds, (all > 0 ? 100 * idle / all : 0), (all > 0 ? 100 * wait / all : 0)
    }')"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true

# 2. The HTTP ceiling: same framework and loopback, a route that answers 201.
port="$(free_port)"
"$tandem" bench http-ceiling --port "$port" &
pid=$!
wait_ready "http://127.0.0.1:$port/" POST
ceiling="$(measure "http://127.0.0.1:$port")"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
pid=""

echo
echo "wrk: ${connections} connections, ${threads} threads, ${seconds}s each; new ServiceRequest per request, JSON and XML alternately"
printf '%-34s %12s %9s %9s %14s %8s\n' "target" "requests/s" "p50 ms" "p99 ms" "peak RSS MB" "errors"
read -r rps p50 p99 rss errors <<<"$gateway"
printf '%-34s %12s %9s %9s %14s %8s\n' "tandem serve (durable commits)" "$rps" "$p50" "$p99" "$rss" "$errors"
gateway_rps="$rps"
read -r rps p50 p99 rss errors <<<"$ceiling"
printf '%-34s %12s %9s %9s %14s %8s\n' "HTTP ceiling (bare 201)" "$rps" "$p50" "$p99" "$rss" "$errors"
awk -v g="$gateway_rps" -v c="$rps" 'BEGIN { if (c > 0) printf "tandem serve reaches %.0f%% of the ceiling\n", 100 * g / c }'
echo "store ingest calls committed during the gateway run: $((${committed:-0} - ${before_committed:-0}))"
read -r per_request busiest share idle iowait <<<"$usage"
echo "gateway CPU: ${per_request} µs per committed request over all threads; busiest thread ${busiest} at ${share}% of a core; machine idle ${idle}%, iowait ${iowait}%"
