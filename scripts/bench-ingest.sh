#!/usr/bin/env bash
# Ingest benchmark (issues 4 and 20): wrk posts new ServiceRequests, JSON and XML alternately, at 32
# connections, one after another to three servers in the same run:
#   - `tandem serve` (release, embedded SQLite, every request durably committed with its episode);
#   - the durable floor: a bare Hummingbird route that appends the request body to SQLite through the
#     gateway's own store writer (same group commit, WAL and synchronous settings) and answers 201, the
#     cost of accepting a message durably and nothing more (`tandem-bench durable-floor`);
#   - the HTTP ceiling: a bare Hummingbird route that answers 201 and does nothing (`tandem-bench http-ceiling`).
# Prints, for each, requests/s, p50 and p99 latency, peak RSS, CPU per committed request (all its threads,
# from /proc/PID/stat), KiB written to storage per committed message (write_bytes of /proc/PID/io), its
# busiest thread's share of a core, and how much of the machine stayed idle; then the gateway as a share
# of the floor and of the ceiling, against issue 20's targets.
#
# With FLOOR_INDEXES (say "3/0 7/26", each RANDOM/ORDERED) more durable floors follow, each also adding per
# message an entry keyed by random bytes to RANDOM tables and one keyed by the row id to ORDERED tables
# (`--random-indexes`, `--ordered-indexes`): what a durable acceptance costs once each message must be
# found by RANDOM random keys (a sender's identifier, a patient's partition, an episode id) and ORDERED
# ordered ones (a time-ordered id, a partition number, a time), as the gateway's messages must. A "+read"
# suffix ("7/26+read") has that floor also read and validate each message as FHIR and store it as JSON.
#
#   scripts/bench-ingest.sh [SECONDS]        (default 15 per server; CONNECTIONS and THREADS override 32 and 2)
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
swift build -c release --package-path "$root" --product tandem-bench >&2
tandem="$root/.build/release/tandem"
bench="$root/.build/release/tandem-bench"
lua="$root/scripts/bench/post-service-request.lua"

work="$(mktemp -d)"
pid=""
wrk_pid=""
stop_server() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
    pid=""
}
cleanup() {
    if [ -n "$wrk_pid" ]; then kill -TERM "$wrk_pid" 2>/dev/null || true; fi
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_ready() { # URL [METHOD]
    for _ in $(seq 1 200); do
        if curl -s -o /dev/null -X "${2:-GET}" "$1"; then return 0; fi
        sleep 0.05
    done
    echo "server at $1 did not start" >&2
    exit 1
}

# Runs wrk against the server whose pid is $pid (in the background, so that cleanup can stop it); sets
# measured to "rps p50 p99 rss_mb errors".
measure() { # URL
    local rss
    TANDEM_BENCH_RUN="$RANDOM$RANDOM" wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s -s "$lua" "$1" \
        >"$work/wrk.out" &
    wrk_pid=$!
    wait "$wrk_pid"
    wrk_pid=""
    rss="$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")"
    measured="$(grep '^RESULT' "$work/wrk.out" | awk -v rss="$rss" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%s %s %s %s %s\n", v["rps"], v["p50_ms"], v["p99_ms"], rss, v["socket_errors"] + v["non_2xx"]
    }')"
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

# CPU ticks of the whole process, threads that have ended included.
process_ticks() {
    sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'
}

# Bytes the process has caused to be written to storage.
written_bytes() {
    awk '/^write_bytes:/ { print $2 }' "/proc/$pid/io"
}

# Machine-wide CPU ticks: "busy idle iowait".
machine_ticks() {
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5, $6 }' /proc/stat
}

# Measures the server whose pid is $pid at URL; COUNTER is a command printing how many requests it has
# committed so far. Prints "rps p50 p99 rss errors cpu_us_per_request kib_per_message committed busiest
# share idle iowait".
run_target() { # URL COUNTER
    local before_count before_threads before_machine before_ticks before_written
    local after_count after_threads after_machine after_ticks after_written
    before_count="$($2)"; before_threads="$(cpu_ticks)"; before_machine="$(machine_ticks)"
    before_ticks="$(process_ticks)"; before_written="$(written_bytes)"
    measure "$1"
    after_threads="$(cpu_ticks)"; after_machine="$(machine_ticks)"; after_ticks="$(process_ticks)"
    after_written="$(written_bytes)"; after_count="$($2)"
    # The busiest thread and its share of a core, machine idle and iowait in %.
    join <(echo "$before_threads" | sort) <(echo "$after_threads" | sort) | awk \
        -v hz="$(getconf CLK_TCK)" -v seconds="$seconds" -v machine="$before_machine $after_machine" \
        -v result="$measured" -v committed="$((${after_count:-0} - ${before_count:-0}))" \
        -v ticks="$((after_ticks - before_ticks))" -v written="$((after_written - before_written))" '
        { delta = $5 - $3; if (delta > most) { most = delta; name = $2 } }
        END {
            split(machine, m, " "); idle = m[5] - m[2]; wait = m[6] - m[3]; all = m[4] - m[1] + idle + wait
            printf "%s %.0f %.1f %d %s %.0f %.0f %.0f\n", result,
                (committed > 0 ? ticks / hz * 1e6 / committed : 0), (committed > 0 ? written / 1024 / committed : 0),
                committed, (name == "" ? "-" : name), 100 * most / hz / seconds,
                (all > 0 ? 100 * idle / all : 0), (all > 0 ? 100 * wait / all : 0)
        }' >>"$work/rows"
}

# 1. The gateway: its own data directory, the repository's mappings, the sample configuration (its demo
#    sender's token is the one the wrk script posts with). Committed: the store's ingest calls.
#    The per-client rate limit is off: one wrk token posts far more than a hospital's engine would.
python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["limits"] = {"requestsPerSecond": 0}; json.dump(c, open(sys.argv[2], "w"))' \
    "$root/Samples/config/tandem.json" "$work/tandem.json"
port="$(free_port)"
(cd "$work" && TANDEM_LISTEN="127.0.0.1:$port" TANDEM_MAPPINGS="$root/Mappings" TANDEM_LOG_LEVEL=warning \
    exec "$tandem" serve --config "$work/tandem.json") &
pid=$!
wait_ready "http://127.0.0.1:$port/health/ready"
gateway_count() {
    curl -s "http://127.0.0.1:$port/metrics" | awk '/^tandem_store_duration_count\{operation="ingest"\}/ { print $2 }'
}
run_target "http://127.0.0.1:$port" gateway_count
stop_server

# 2. The durable floor, on a database of its own, and 3. the HTTP ceiling: each answers GET /count.
bench_count() { curl -s "http://127.0.0.1:$port/count"; }
port="$(free_port)"
"$bench" durable-floor --port "$port" --database "$work/floor/floor.sqlite" &
pid=$!
wait_ready "http://127.0.0.1:$port/count"
run_target "http://127.0.0.1:$port" bench_count
stop_server

port="$(free_port)"
"$bench" http-ceiling --port "$port" &
pid=$!
wait_ready "http://127.0.0.1:$port/count"
run_target "http://127.0.0.1:$port" bench_count
stop_server

names=("tandem serve (durable commits)" "durable floor (SQLite append)" "HTTP ceiling (bare 201)")
for floor in ${FLOOR_INDEXES:-}; do
    indexes="${floor%+read}"
    read_flag=() read_name=""
    if [ "$floor" != "$indexes" ]; then read_flag=(--read) read_name=", read"; fi
    port="$(free_port)"
    "$bench" durable-floor --port "$port" --database "$work/floor-$RANDOM/floor.sqlite" \
        --random-indexes "${indexes%/*}" --ordered-indexes "${indexes#*/}" "${read_flag[@]}" &
    pid=$!
    wait_ready "http://127.0.0.1:$port/count"
    run_target "http://127.0.0.1:$port" bench_count
    stop_server
    names+=("floor + ${indexes%/*} random, ${indexes#*/} ordered$read_name")
done

echo
echo "wrk: ${connections} connections, ${threads} threads, ${seconds}s per server; a new ServiceRequest per request, JSON and XML alternately"
format='%-36s %10s %8s %8s %11s %10s %10s %-24s %6s %7s %7s\n'
printf "$format" "server" "requests/s" "p50 ms" "p99 ms" "peak RSS MB" "CPU µs/req" "KiB/msg" \
    "busiest thread (% core)" "idle %" "iowait %" "errors"
index=0
while read -r rps p50 p99 rss errors cpu kib committed busiest share idle iowait; do
    printf "$format" "${names[$index]}" "$rps" "$p50" "$p99" "$rss" "$cpu" "$kib" "$busiest ($share%)" "$idle" \
        "$iowait" "$errors"
    index=$((index + 1))
done <"$work/rows"
# printf pads by bytes: each ≤ and ≥ is three bytes for one column, so their cells are two wider.
printf '%-36s %12s %8s %8s %11s %12s %12s\n' "issue 20 target (tandem serve)" "≥40% floor" "" "" "" "≤ 300" "≤ 16"
awk '
    { rps[NR] = $1; cpu[NR] = $6; kib[NR] = $7; committed[NR] = $8 }
    END {
        floor = (rps[2] > 0 ? 100 * rps[1] / rps[2] : 0)
        printf "tandem serve: %.0f%% of the durable floor'"'"'s requests/s (target ≥ 40%%: %s), %.0f%% of the HTTP ceiling'"'"'s; ", \
            floor, (floor >= 40 ? "met" : "MISSED"), (rps[3] > 0 ? 100 * rps[1] / rps[3] : 0)
        printf "CPU %.0f µs per committed request (target ≤ 300: %s), %.1f× the floor'"'"'s; ", \
            cpu[1], (cpu[1] <= 300 ? "met" : "MISSED"), (cpu[2] > 0 ? cpu[1] / cpu[2] : 0)
        printf "%.1f KiB written per message (target ≤ 16: %s)\n", kib[1], (kib[1] <= 16 ? "met" : "MISSED")
        printf "committed during the run: tandem serve %d (store ingest calls), durable floor %d, HTTP ceiling %d (answered)\n", \
            committed[1], committed[2], committed[3]
    }' "$work/rows"
