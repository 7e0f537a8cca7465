#!/usr/bin/env bash
# Scale-out benchmark (issue 6): ingest and delivery throughput of single-node SQLite beside 1, 2 and 3
# gateway replicas on one PostgreSQL database, in one run on this machine.
#
# Each setup gets a fresh database and a fresh `tandem sink` as the one partner (routed by service line, so
# every accepted ServiceRequest is delivered). wrk posts new ServiceRequests (JSON and XML alternately) for
# SECONDS with 32 connections in all, split evenly over the replicas; then the script waits until the sink
# has every delivery the outbox planned. It prints, per setup:
#   - ingest requests/s (sum over replicas) and the worst replica's p99;
#   - deliveries planned, delivered during the load, and deliveries/s from the start of the load until
#     the last one arrived (the forwarders' sustained rate, including the drain after the load);
#   - the CPU each replica used during the load, in cores (CPU seconds per second, averaged over them).
# Then issue 20's targets for these rows.
#
# A setup `pgfloor-N` runs N `tandem-bench postgres-floor` processes on a database of their own in place of
# gateway replicas: each request is a transaction of 7 round trips on a pool of 8 connections (a gateway
# replica's plain POST and pool) that appends the body and does nothing else, so pgfloor-3 against
# pgfloor-1 is what this machine gives three processes over one for the PostgreSQL part of an ingest.
#
# With REPLICA_CPU_QUOTA=F each gateway process (the SQLite node too) runs in a cgroup of its own held to F
# of a core (cgroup v1 `cpu` controller: cpu.cfs_period_us 100000, cpu.cfs_quota_us F x 100000), so that
# scaling shows on a 2-core machine; PostgreSQL, wrk and the sink are not held. Needs root and the v1 cpu
# controller mounted at /sys/fs/cgroup/cpu; the cgroups are removed on exit.
#
#   scripts/bench-replicas.sh [SECONDS]        (default 10; CONNECTIONS overrides 32; SETUPS overrides
#                                               "sqlite-1 postgres-1 postgres-2 postgres-3"; pgfloor-N
#                                               setups are the PostgreSQL floor, see above;
#                                               REPLICA_CPU_QUOTA=F, e.g. 0.25, holds each replica to F of a core;
#                                               TANDEM_BIN=PATH runs that tandem instead of building this
#                                               checkout, e.g. a baseline commit's, for an A/B in one hour;
#                                               ROUNDS=N runs the setups in turn N times, one row each, and
#                                               judges the targets on each setup's median ingest/s: this
#                                               machine's speed drifts by 10-20% within minutes)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-10}"
connections="${CONNECTIONS:-32}"
rounds="${ROUNDS:-1}"
quota="${REPLICA_CPU_QUOTA:-}"
cgroup_base=/sys/fs/cgroup/cpu
cgroup_dir=""

# The quota's cgroups: checked before anything is built or started, so a machine without them fails at once.
if [ -n "$quota" ]; then
    quota_us="$(awk -v f="$quota" 'BEGIN { if (f + 0 > 0 && f ~ /^[0-9]*\.?[0-9]+$/) printf "%d", f * 100000 }')"
    if [ -z "$quota_us" ] || [ "$quota_us" -lt 1000 ]; then
        echo "REPLICA_CPU_QUOTA must be a number of cores of at least 0.01, e.g. 0.25 (got '$quota')" >&2
        exit 2
    fi
    if [ ! -f "$cgroup_base/cpu.cfs_quota_us" ]; then
        if grep -q '^cgroup2 /sys/fs/cgroup ' /proc/mounts; then
            echo "REPLICA_CPU_QUOTA: this machine has only cgroup v2 (unified at /sys/fs/cgroup); the script" \
                "supports the cgroup v1 cpu controller at $cgroup_base" >&2
        else
            echo "REPLICA_CPU_QUOTA: no cgroup v1 cpu controller at $cgroup_base (see /proc/mounts)" >&2
        fi
        exit 2
    fi
    cgroup_dir="$cgroup_base/tandem-bench-replicas-$$"
    if ! mkdir "$cgroup_dir" 2>/dev/null; then
        echo "REPLICA_CPU_QUOTA: cannot create $cgroup_dir (run as root; the cpu controller must be writable)" >&2
        exit 2
    fi
fi

"$root/scripts/setup.sh"
for tool in wrk sqlite3; do
    if ! command -v "$tool" >/dev/null; then
        if [ "$(id -u)" = 0 ]; then apt-get install -y "$tool" >&2; else sudo apt-get install -y "$tool" >&2; fi
    fi
done
if [ -n "${TANDEM_BIN:-}" ]; then
    tandem="$TANDEM_BIN"
else
    swift build -c release --package-path "$root" --product tandem >&2
    tandem="$root/.build/release/tandem"
fi
bench="$root/.build/release/tandem-bench"
case " ${SETUPS:-} " in *" pgfloor-"*) swift build -c release --package-path "$root" --product tandem-bench >&2 ;; esac
lua="$root/scripts/bench/post-service-request.lua"

work="$(mktemp -d)"
chmod 755 "$work"
pids=()
loads=()
sink_pid=""
cleanup() {
    for p in "${loads[@]}" "${pids[@]}" $sink_pid; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    tandem_postgres_stop
    remove_cgroups
    rm -rf "$work"
}
trap cleanup EXIT

# The replicas' cgroups, children of the run's own; a cgroup can be removed once its processes are gone.
remove_cgroups() {
    [ -n "$cgroup_dir" ] && [ -d "$cgroup_dir" ] || return 0
    for group in "$cgroup_dir"/*/; do
        if [ -d "$group" ]; then rmdir "$group" 2>/dev/null || true; fi
    done
    rmdir "$cgroup_dir" 2>/dev/null || echo "could not remove $cgroup_dir (a process still in it?)" >&2
}

# Makes the cgroup NAME held to the quota and prints its path (nothing without a quota).
make_cgroup() { # NAME
    [ -n "$cgroup_dir" ] || return 0
    mkdir "$cgroup_dir/$1"
    echo 100000 >"$cgroup_dir/$1/cpu.cfs_period_us"
    echo "$quota_us" >"$cgroup_dir/$1/cpu.cfs_quota_us"
    echo "$cgroup_dir/$1"
}

# CPU ticks of a process so far, its ended threads included.
process_ticks() { # PID
    sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_ready() { # URL (60 s: a replica held to a small quota starts slowly)
    for _ in $(seq 1 1200); do
        if curl -s -o /dev/null -f "$1"; then return 0; fi
        sleep 0.05
    done
    echo "server at $1 did not start" >&2
    exit 1
}

# A throwaway cluster with durable commits, as SQLite's are (synchronous=FULL).
source "$root/scripts/test-postgres.sh"
start_tandem_postgres durable
pg_url="$TANDEM_TEST_POSTGRES_URL"
psql() { "$(ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)" "$@"; }

# The partner: every cataract episode change goes to the sink.
start_sink() { # OUTPUT_FILE -> sets sink_port, sink_pid
    sink_port="$(free_port)"
    "$tandem" sink --port "$sink_port" >"$1" 2>/dev/null &
    sink_pid=$!
    for _ in $(seq 1 200); do grep -q "listening" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "the sink did not start" >&2
    exit 1
}

write_config() { # FILE SINK_PORT
    cat >"$1" <<EOF
{
  "senders": [{ "name": "demo-hospital", "allowedTypes": ["*"],
                "tokenHash": "66852691e07cfed096e183a14a1dc4496e166c46915ffb6b46f499226da33d6a" }],
  "limits": { "requestsPerSecond": 0 },
  "partners": [{
    "id": "bench-partner",
    "endpoint": "http://127.0.0.1:$2/notify",
    "serviceLines": ["ophthalmology.cataract"],
    "timeout": "5s",
    "retry": { "baseBackoff": "100ms", "maximumBackoff": "2s" }
  }]
}
EOF
}

planned_in() { # BACKEND DIR STORE_URL: the outbox rows planned so far (the floor plans none)
    if [ "$1" = pgfloor ]; then
        echo 0
    elif [ "$1" = sqlite ]; then
        sqlite3 "$2/data/tandem.sqlite" 'SELECT count(*) FROM outbox'
    else
        psql -qtA "$3" -c 'SELECT count(*) FROM outbox'
    fi
}

deliveries_in() { # OUTPUT_FILE: distinct delivery ids the sink received (a retried one counts once)
    { grep -o "delivery=[^ ]*" "$1" 2>/dev/null || true; } | sort -u | wc -l
}

# One setup: BACKEND (sqlite|postgres|pgfloor) and REPLICAS. Appends one result row to $work/rows.
run_setup() {
    local backend="$1" replicas="$2" name="$1-$2"
    local dir="$work/$name.$round" store planned
    mkdir -p "$dir"
    start_sink "$dir/sink.out"
    write_config "$dir/tandem.json" "$sink_port"
    if [ "$backend" = sqlite ]; then
        store="sqlite:$dir/data/tandem.sqlite"
    else
        local database="bench_${replicas}_$RANDOM"
        psql -q "$pg_url" -c "CREATE DATABASE $database" >/dev/null
        store="${pg_url%/*}/$database"
    fi
    pids=()
    local ports=()
    for replica in $(seq 1 "$replicas"); do
        local port cgroup
        port="$(free_port)"
        ports+=("$port")
        cgroup="$(make_cgroup "$name-$replica.$round")"
        # The subshell joins the cgroup before it becomes the replica (exec keeps its pid), so every
        # thread of the replica is held from its start.
        if [ "$backend" = pgfloor ]; then
            (cd "$dir" && { [ -z "$cgroup" ] || echo "$BASHPID" >"$cgroup/cgroup.procs"; } &&
                exec "$bench" postgres-floor --port "$port" --url "$store" 2>"$dir/serve-$replica.log") &
            pids+=($!)
            wait_ready "http://127.0.0.1:$port/count"
            continue
        fi
        (cd "$dir" && { [ -z "$cgroup" ] || echo "$BASHPID" >"$cgroup/cgroup.procs"; } && TANDEM_CONFIG="$dir/tandem.json" TANDEM_LISTEN="127.0.0.1:$port" TANDEM_STORE_URL="$store" \
            TANDEM_MAPPINGS="$root/Mappings" TANDEM_LOG_LEVEL=warning exec "$tandem" serve 2>"$dir/serve-$replica.log") &
        pids+=($!)
        # The first replica migrates the database; the others start once it is ready.
        wait_ready "http://127.0.0.1:$port/health/ready"
    done

    local start end per=$((connections / replicas)) run="$RANDOM$RANDOM" ticks_before=0 ticks_after=0 p
    loads=()
    for p in "${pids[@]}"; do ticks_before=$((ticks_before + $(process_ticks "$p"))); done
    start="$(date +%s.%N)"
    for index in "${!ports[@]}"; do
        TANDEM_BENCH_RUN="$run$index" wrk -t1 -c"$per" -d"${seconds}s" --timeout 10s -s "$lua" \
            "http://127.0.0.1:${ports[$index]}" >"$dir/wrk-$index.out" &
        loads+=($!)
    done
    for p in "${loads[@]}"; do wait "$p"; done
    loads=()
    for p in "${pids[@]}"; do ticks_after=$((ticks_after + $(process_ticks "$p"))); done
    local during
    during="$(deliveries_in "$dir/sink.out")"

    # Wait (at most two minutes) for the sink to have every planned delivery. Requests wrk abandoned at
    # the end may still commit, so the planned count is read again each second.
    local delivered=0 last_change now tick
    last_change="$(date +%s.%N)"
    for tick in $(seq 0 1200); do
        if [ $((tick % 10)) = 0 ]; then planned="$(planned_in "$backend" "$dir" "$store")"; fi
        now="$(deliveries_in "$dir/sink.out")"
        if [ "$now" != "$delivered" ]; then
            delivered="$now"
            last_change="$(date +%s.%N)"
        fi
        [ "$delivered" -ge "$planned" ] && [ $((tick % 10)) = 0 ] && break
        sleep 0.1
    done
    end="$last_change"
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
    kill -TERM "$sink_pid" 2>/dev/null || true
    wait "$sink_pid" 2>/dev/null || true
    sink_pid=""

    cat "$dir"/wrk-*.out | grep '^RESULT' | awk -v name="$name" -v secs="$seconds" -v planned="$planned" \
        -v during="$during" -v delivered="$delivered" -v start="$start" -v end="$end" \
        -v cores="$(awk -v t="$((ticks_after - ticks_before))" -v hz="$(getconf CLK_TCK)" -v s="$seconds" \
            -v n="$replicas" 'BEGIN { printf "%.2f", t / hz / s / n }')" '
        { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
          requests += v["requests"]; errors += v["socket_errors"] + v["non_2xx"]
          if (v["p99_ms"] + 0 > p99) p99 = v["p99_ms"] + 0 }
        END { printf "%-16s %10.0f %9.1f %7d %10d %10d %10d %12.0f %14s\n", name, requests / secs, p99, errors,
              planned, during, delivered, delivered / (end - start), cores }' >>"$work/rows"
    if [ -n "$cgroup_dir" ]; then
        for replica in $(seq 1 "$replicas"); do rmdir "$cgroup_dir/$name-$replica.$round" 2>/dev/null || true; done
    fi
}

for round in $(seq 1 "$rounds"); do
    for setup in ${SETUPS:-sqlite-1 postgres-1 postgres-2 postgres-3}; do run_setup "${setup%-*}" "${setup##*-}"; done
done

echo
echo "wrk: ${connections} connections in all, split over the replicas, ${seconds}s; one sink partner for every change"
if [ -n "$quota" ]; then
    echo "each replica held to $quota of a core (cgroup v1 cpu: quota ${quota_us} µs per 100000 µs period); PostgreSQL, wrk and the sink are not"
fi
printf '%-16s %10s %9s %7s %10s %10s %10s %12s %14s\n' "setup" "ingest/s" "p99 ms" "errors" "planned" \
    "in load" "delivered" "delivered/s" "cores/replica"
cat "$work/rows"
# Issue 20's targets, for the rows this run has: on each setup's median over the rounds.
awk -v quota="$quota" -v rounds="$rounds" '
    { if (!($1 in seen)) order[++setups] = $1; seen[$1] += 1; runs[$1, seen[$1]] = $2 }
    function median(name,    n, i, j, v, sorted) {
        n = seen[name]
        for (i = 1; i <= n; i++) {
            v = runs[name, i]
            for (j = i - 1; j >= 1 && sorted[j] > v; j--) sorted[j + 1] = sorted[j]
            sorted[j + 1] = v
        }
        return n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
    }
    function check(text, value, target, unit) {
        printf "  %s: %.2f%s (target ≥ %s%s: %s)\n", text, value, unit, target, unit, (value >= target ? "met" : "MISSED")
    }
    END {
        for (name in seen) rate[name] = median(name)
        if (rounds > 1) {
            print "median ingest/s over " rounds " rounds:"
            for (i = 1; i <= setups; i++) printf "  %-16s %10.0f\n", order[i], rate[order[i]]
        }
        print "issue 20 targets:"
        if (("sqlite-1" in rate) && ("postgres-1" in rate) && rate["sqlite-1"] > 0)
            check("postgres-1 ingest/s against sqlite-1", rate["postgres-1"] / rate["sqlite-1"], 0.5, "×")
        if (("postgres-1" in rate) && ("postgres-3" in rate) && rate["postgres-1"] > 0) {
            if (quota == "") check("postgres-3 ingest/s against postgres-1", rate["postgres-3"] / rate["postgres-1"], 1, "×")
            else if (quota + 0 == 0.25) check("postgres-3 ingest/s against postgres-1 with REPLICA_CPU_QUOTA=0.25", rate["postgres-3"] / rate["postgres-1"], 2.4, "×")
            else printf "  postgres-3 ingest/s against postgres-1: %.2f× (issue 20 sets 2.4× for REPLICA_CPU_QUOTA=0.25 and 1× for none)\n", rate["postgres-3"] / rate["postgres-1"]
        }
        if (("pgfloor-1" in rate) && ("pgfloor-3" in rate) && rate["pgfloor-1"] > 0)
            printf "  the PostgreSQL floor, pgfloor-3 against pgfloor-1: %.2f× (no target: what the machine gives three processes)\n", rate["pgfloor-3"] / rate["pgfloor-1"]
    }' "$work/rows"
